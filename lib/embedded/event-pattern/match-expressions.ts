/**
 * A value of a field's array: a literal, or a match expression (`{"prefix": ...}`, `{"numeric": [...]}`,
 * `{"anything-but": ...}`, ...) handed to its operator.
 */
import { compileAnythingBut } from './anything-but-operator';
import { compileExists } from './exists-operator';
import { ipRangeMatcher, parseCidr, parseIpAddress } from './ip-addresses';
import { isFiniteNumber, isJsonObject } from './json-values';
import { compileNumeric } from './numeric-operator';
import { requireString } from './operand-checks';
import { invalid, ONLY_ONE_KEY, TOO_MANY_NUMERIC_ELEMENTS } from './pattern-error';
import type { Condition } from './pattern-forms';
import {
  caseInsensitive,
  compileAffix,
  EQUALS_IGNORE_CASE,
  equalTo,
  stringMatcher,
} from './string-operators';
import { compileWildcard } from './wildcard';

/** One value of a field's array: a literal, or a match expression handed to its operator. */
export function compileValue(value: unknown): Condition {
  if (isJsonObject(value)) {
    return compileMatchExpression(value);
  }
  if (typeof value === 'string') {
    // event-ruler turns a literal that parses as an IP address into a one-address range, so "::1" also matches
    // "0:0:0:0:0:0:0:1". Use {"exactly": ...} for a plain string comparison.
    const address = parseIpAddress(value);
    return address === undefined ? equalTo(value) : ipRangeMatcher({ low: address, high: address });
  }
  if (isFiniteNumber(value) || typeof value === 'boolean' || value === null) {
    // Numbers compare by value (300 matches 300.0 and 3e2), as event-ruler adds a numeric-equality matcher.
    return equalTo(value);
  }
  throw invalid('Match value must be String, number, true, false, or null');
}

interface Operator {
  readonly compile: (operand: unknown) => Condition;
  /** Reason reported when the expression object has more than one key. */
  readonly extraKeyReason: string;
}

const OPERATORS: ReadonlyMap<string, Operator> = new Map<string, Operator>([
  [
    'exactly',
    {
      compile: (operand) => equalTo(requireString(operand, 'exact match pattern must be a string')),
      extraKeyReason: ONLY_ONE_KEY,
    },
  ],
  ['prefix', { compile: (operand) => compileAffix(operand, 'prefix'), extraKeyReason: ONLY_ONE_KEY }],
  ['suffix', { compile: (operand) => compileAffix(operand, 'suffix'), extraKeyReason: ONLY_ONE_KEY }],
  ['numeric', { compile: compileNumeric, extraKeyReason: TOO_MANY_NUMERIC_ELEMENTS }],
  ['anything-but', { compile: compileAnythingBut, extraKeyReason: TOO_MANY_NUMERIC_ELEMENTS }],
  ['exists', { compile: compileExists, extraKeyReason: ONLY_ONE_KEY }],
  [
    'cidr',
    {
      // The "prefix" wording is event-ruler's own message for a non-string cidr operand.
      compile: (operand) =>
        ipRangeMatcher(parseCidr(requireString(operand, 'prefix match pattern must be a string'))),
      extraKeyReason: ONLY_ONE_KEY,
    },
  ],
  [
    EQUALS_IGNORE_CASE,
    {
      compile: (operand) =>
        stringMatcher(
          caseInsensitive(
            requireString(operand, 'equals-ignore-case match pattern must be a string'),
            'whole',
          ),
        ),
      extraKeyReason: ONLY_ONE_KEY,
    },
  ],
  [
    'wildcard',
    {
      compile: (operand) =>
        stringMatcher(compileWildcard(requireString(operand, 'wildcard match pattern must be a string'))),
      extraKeyReason: ONLY_ONE_KEY,
    },
  ],
]);

function compileMatchExpression(expression: Record<string, unknown>): Condition {
  const [name, ...otherKeys] = Object.keys(expression);
  if (name === undefined) {
    throw invalid('Match expression name not found');
  }
  const operator = OPERATORS.get(name);
  if (operator === undefined) {
    throw invalid(`Unrecognized match type ${name}`);
  }
  const condition = operator.compile(expression[name]);
  if (otherKeys.length > 0) {
    throw invalid(operator.extraKeyReason);
  }
  return condition;
}

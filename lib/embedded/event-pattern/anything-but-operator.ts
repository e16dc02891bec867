/** The `anything-but` operator: a value, a list, or a modifier (`prefix`, `suffix`, `equals-ignore-case`, `wildcard`). */
import { isFiniteNumber, isJsonArray, isJsonObject } from './json-values';
import { requireString } from './operand-checks';
import { invalid, TOO_MANY_NUMERIC_ELEMENTS } from './pattern-error';
import type { Scalar, ValueMatcher } from './pattern-forms';
import { caseInsensitive, EQUALS_IGNORE_CASE } from './string-operators';
import { compileWildcard } from './wildcard';

const ANYTHING_BUT_OPERAND = 'Value of anything-but must be an array or single string/number value.';

/**
 * `{"anything-but": ...}` matches every present value except the excluded ones. A value of another type than the
 * excluded ones is not excluded (anything-but "x" matches 5, null and true; anything-but [1, 2] matches "1"),
 * because event-ruler only compares like with like. A missing field never matches.
 */
export function compileAnythingBut(operand: unknown): ValueMatcher {
  if (isJsonObject(operand)) {
    return compileAnythingButModifier(operand);
  }
  if (isJsonArray(operand)) {
    return excludeValues(readAnythingButList(operand));
  }
  if (typeof operand === 'string' || isFiniteNumber(operand)) {
    return excludeValues([operand]);
  }
  throw invalid(ANYTHING_BUT_OPERAND);
}

function readAnythingButList(list: readonly unknown[]): (string | number)[] {
  const values: (string | number)[] = [];
  for (const item of list) {
    if (typeof item !== 'string' && !isFiniteNumber(item)) {
      throw invalid('Inside anything but list, start|null|boolean is not supported.');
    }
    values.push(item);
  }
  const hasStrings = values.some((value) => typeof value === 'string');
  const hasNumbers = values.some((value) => typeof value === 'number');
  if (hasStrings === hasNumbers) {
    throw invalid(
      'Inside anything but list, either all values are number or string, mixed type is not supported',
    );
  }
  return values;
}

function excludeValues(values: readonly (string | number)[]): ValueMatcher {
  // A Set compares numbers by value (0 and -0 alike) and never equates "1" with 1.
  const excluded = new Set<Scalar>(values);
  return (value) => !excluded.has(value);
}

/** How `{"anything-but": {"<modifier>": text | [texts]}}` tests one excluded text against a string value. */
interface ExclusionModifier {
  readonly compile: (text: string) => (value: string) => boolean;
  readonly nonStringReason: string;
  readonly rejectsEmpty: boolean;
}

const EXCLUSION_MODIFIERS: ReadonlyMap<string, ExclusionModifier> = new Map<string, ExclusionModifier>([
  [
    EQUALS_IGNORE_CASE,
    {
      compile: (text) => caseInsensitive(text, 'whole'),
      nonStringReason:
        'Inside anything-but/equals-ignore-case list, number|start|null|boolean is not supported.',
      rejectsEmpty: false,
    },
  ],
  [
    'prefix',
    {
      compile: (text) => (value) => value.startsWith(text),
      nonStringReason: 'prefix/suffix match pattern must be a string',
      rejectsEmpty: true,
    },
  ],
  [
    'suffix',
    {
      compile: (text) => (value) => value.endsWith(text),
      nonStringReason: 'prefix/suffix match pattern must be a string',
      rejectsEmpty: true,
    },
  ],
  [
    'wildcard',
    {
      compile: compileWildcard,
      nonStringReason: 'wildcard match pattern must be a string',
      rejectsEmpty: false,
    },
  ],
]);

function compileAnythingButModifier(expression: Record<string, unknown>): ValueMatcher {
  const [name, ...otherKeys] = Object.keys(expression);
  if (name === undefined) {
    throw invalid('Anything-But expression name not found');
  }
  const modifier = EXCLUSION_MODIFIERS.get(name);
  if (modifier === undefined) {
    throw invalid(`Unsupported anything-but pattern: ${name}`);
  }
  const tests = readExclusionTexts(expression[name], modifier).map(modifier.compile);
  if (otherKeys.length > 0) {
    throw invalid(TOO_MANY_NUMERIC_ELEMENTS);
  }
  // Only strings can start with, end with, equal or glob-match a string: other types are never excluded.
  return (value) => typeof value !== 'string' || !tests.some((excludes) => excludes(value));
}

function readExclusionTexts(operand: unknown, modifier: ExclusionModifier): string[] {
  let texts: string[];
  if (isJsonArray(operand)) {
    texts = operand.map((item) => requireString(item, modifier.nonStringReason));
    if (texts.length === 0) {
      // event-ruler has no defined behaviour for an empty exclusion list (it cannot build the matcher), so refuse it.
      throw invalid('Inside anything-but list, at least one value is required');
    }
  } else if (typeof operand === 'string') {
    texts = [operand];
  } else if (isFiniteNumber(operand)) {
    throw invalid(modifier.nonStringReason);
  } else {
    throw invalid(ANYTHING_BUT_OPERAND);
  }
  if (modifier.rejectsEmpty && texts.includes('')) {
    throw invalid('Null prefix/suffix not allowed');
  }
  return texts;
}

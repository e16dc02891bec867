/**
 * The string operators: `exactly` and plain literals (`equalTo`), `prefix`, `suffix` and `equals-ignore-case`,
 * and the case-insensitive comparison they share with `anything-but`.
 */
import { isJsonObject } from './json-values';
import { requireString } from './operand-checks';
import { invalid, ONLY_ONE_KEY } from './pattern-error';
import type { Scalar, ValueMatcher } from './pattern-forms';

export const EQUALS_IGNORE_CASE = 'equals-ignore-case';

/** `{"prefix": "abc"}`, `{"prefix": {"equals-ignore-case": "abc"}}` and the suffix forms. */
export function compileAffix(operand: unknown, kind: 'prefix' | 'suffix'): ValueMatcher {
  if (isJsonObject(operand)) {
    return stringMatcher(caseInsensitive(readNestedIgnoreCase(operand, kind), kind));
  }
  const affix = requireString(operand, `${kind} match pattern must be a string`);
  return kind === 'prefix'
    ? stringMatcher((value) => value.startsWith(affix))
    : stringMatcher((value) => value.endsWith(affix));
}

function readNestedIgnoreCase(expression: Record<string, unknown>, kind: 'prefix' | 'suffix'): string {
  const [name, ...otherKeys] = Object.keys(expression);
  if (name === undefined) {
    throw invalid(`${capitalize(kind)} expression name not found`);
  }
  if (name !== EQUALS_IGNORE_CASE) {
    throw invalid(`Unsupported ${kind} pattern: ${name}`);
  }
  const text = requireString(expression[name], 'equals-ignore-case match pattern must be a string');
  if (otherKeys.length > 0) {
    throw invalid(ONLY_ONE_KEY);
  }
  return text;
}

export function equalTo(expected: Scalar): ValueMatcher {
  return (value) => value === expected;
}

/** Lifts a string test to a value matcher that is false for every non-string value. */
export function stringMatcher(test: (value: string) => boolean): ValueMatcher {
  return (value) => typeof value === 'string' && test(value);
}

/**
 * Case-insensitive comparison as event-ruler does it: each UTF-16 unit of the pattern matches its lower-case or
 * its upper-case form (Locale.ROOT, which JavaScript's locale-free case mapping agrees with). This is not the same
 * as lower-casing both sides: "ß" matches "SS", and the Kelvin sign does not match "k".
 */
export function caseInsensitive(
  text: string,
  anchoring: 'whole' | 'prefix' | 'suffix',
): (value: string) => boolean {
  let source = '';
  for (let position = 0; position < text.length; position++) {
    const unit = text.charAt(position);
    const lower = unit.toLowerCase();
    const upper = unit.toUpperCase();
    source += lower === upper ? escapeRegExp(lower) : `(?:${escapeRegExp(lower)}|${escapeRegExp(upper)})`;
  }
  const start = anchoring === 'suffix' ? '' : '^';
  const end = anchoring === 'prefix' ? '' : '$';
  const expression = new RegExp(`${start}${source}${end}`);
  return (value) => expression.test(value);
}

function escapeRegExp(text: string): string {
  return text.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&');
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

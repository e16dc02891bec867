/** The `numeric` operator: one bound, or a lower then an upper bound. */
import { isFiniteNumber, isJsonArray } from './json-values';
import { requireNoMore, requireNumber, tokenText } from './operand-checks';
import { invalid, TOO_MANY_NUMERIC_ELEMENTS } from './pattern-error';
import type { ValueMatcher } from './pattern-forms';

interface Bound {
  readonly value: number;
  readonly inclusive: boolean;
}

/**
 * `["=", n]`, `[">", n]`, `[">=", n]`, `["<", n]`, `["<=", n]`, or a lower bound followed by an upper bound, in
 * that order (`[">", 0, "<=", 5]`). Only JSON numbers match.
 */
export function compileNumeric(operand: unknown): ValueMatcher {
  if (!isJsonArray(operand)) {
    throw invalid('Value of numeric must be an array.');
  }
  const [operator, value, ...rest] = operand;
  if (typeof operator !== 'string') {
    throw invalid(`Invalid member in numeric match: ${tokenText(operator)}`);
  }
  switch (operator) {
    case '=': {
      const exact = requireNumber(value, 'Value of equals must be numeric');
      requireNoMore(rest, TOO_MANY_NUMERIC_ELEMENTS);
      return numericMatcher({ value: exact, inclusive: true }, { value: exact, inclusive: true });
    }
    case '>':
    case '>=': {
      const lower = {
        value: requireNumber(value, `Value of ${operator} must be numeric`),
        inclusive: operator === '>=',
      };
      if (rest.length === 0) {
        return numericMatcher(lower, undefined);
      }
      const upper = readUpperBound(rest);
      if (!(lower.value < upper.value)) {
        throw invalid('Bottom must be less than top');
      }
      return numericMatcher(lower, upper);
    }
    case '<':
    case '<=': {
      const upper = {
        value: requireNumber(value, `Value of ${operator} must be numeric`),
        inclusive: operator === '<=',
      };
      requireNoMore(rest, TOO_MANY_NUMERIC_ELEMENTS);
      return numericMatcher(undefined, upper);
    }
    default:
      throw invalid(`Unrecognized numeric range operator: ${operator}`);
  }
}

function readUpperBound(terms: readonly unknown[]): Bound {
  const [operator, value, ...rest] = terms;
  if (typeof operator !== 'string') {
    throw invalid(`Bad value in numeric range: ${tokenText(operator)}`);
  }
  if (operator !== '<' && operator !== '<=') {
    throw invalid(`Bad numeric range operator: ${operator}`);
  }
  const bound = {
    value: requireNumber(value, `Value of ${operator} must be numeric`),
    inclusive: operator === '<=',
  };
  requireNoMore(rest, 'Too many terms in numeric range expression');
  return bound;
}

function numericMatcher(lower: Bound | undefined, upper: Bound | undefined): ValueMatcher {
  return (value) =>
    isFiniteNumber(value) &&
    (lower === undefined || value > lower.value || (lower.inclusive && value === lower.value)) &&
    (upper === undefined || value < upper.value || (upper.inclusive && value === upper.value));
}

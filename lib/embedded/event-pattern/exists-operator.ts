/** The `exists` operator: any leaf value, or the field's absence. */
import { invalid } from './pattern-error';
import { ABSENT, type Condition } from './pattern-forms';

export function compileExists(operand: unknown): Condition {
  if (operand === true) {
    // Any leaf value counts, null included; objects and empty arrays have no leaf at this path.
    return () => true;
  }
  if (operand === false) {
    return ABSENT;
  }
  throw invalid('exists match pattern must be either true or false.');
}

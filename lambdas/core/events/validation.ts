import type * as z from 'zod/mini';
import type { EventDefinition } from './define-event';

/** One problem with an input: where it is (dotted path) and what is wrong. */
export interface DetailError {
  readonly path: string;
  readonly message: string;
}

export type ValidationResult<T> = { ok: true; value: T } | { ok: false; errors: DetailError[] };

/** Validates a value against a schema, returning readable errors instead of throwing. */
export function validate<Schema extends z.ZodMiniType>(
  schema: Schema,
  value: unknown,
  rootLabel: string,
): ValidationResult<z.output<Schema>> {
  const result = schema.safeParse(value);
  if (result.success) return { ok: true, value: result.data };
  return {
    ok: false,
    errors: result.error.issues.map((issue) => ({
      path: issue.path.length > 0 ? issue.path.map(String).join('.') : rootLabel,
      message: issue.message,
    })),
  };
}

/** Validates an event's detail against the schema of its detail-type. */
export function parseDetail<Schema extends z.ZodMiniType>(
  definition: EventDefinition<Schema>,
  detail: unknown,
): ValidationResult<z.output<Schema>> {
  return validate(definition.schema, detail, '(detail)');
}

/** Formats errors as one line, for a Step Functions `Cause` or a log. */
export function describeDetailErrors(errors: readonly DetailError[]): string {
  return errors.map((error) => `${error.path}: ${error.message}`).join('; ');
}

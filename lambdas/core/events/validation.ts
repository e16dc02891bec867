import type * as z from 'zod/mini';
import type { EventDefinition } from './define-event';

/** One problem with an event's detail: where it is (dotted path) and what is wrong. */
export interface DetailError {
  readonly path: string;
  readonly message: string;
}

export type DetailParseResult<T> = { ok: true; detail: T } | { ok: false; errors: DetailError[] };

/** Validates a detail against its detail-type's schema, returning readable errors instead of throwing. */
export function parseDetail<Schema extends z.ZodMiniType>(
  definition: EventDefinition<Schema>,
  detail: unknown,
): DetailParseResult<z.output<Schema>> {
  const result = definition.schema.safeParse(detail);
  if (result.success) return { ok: true, detail: result.data };
  return {
    ok: false,
    errors: result.error.issues.map((issue) => ({
      path: issue.path.length > 0 ? issue.path.map(String).join('.') : '(detail)',
      message: issue.message,
    })),
  };
}

/** Formats errors as one line, for a Step Functions `Cause` or a log. */
export function describeDetailErrors(errors: readonly DetailError[]): string {
  return errors.map((error) => `${error.path}: ${error.message}`).join('; ');
}

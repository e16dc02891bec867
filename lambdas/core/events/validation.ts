import type * as z from 'zod/mini';
import type { EventDefinition } from './define-event';

/** One problem with an input: where it is (dotted path) and what is wrong. */
export interface DetailError {
  readonly path: string;
  readonly message: string;
}

export type ValidationResult<T> = { ok: true; value: T } | { ok: false; errors: DetailError[] };

/**
 * How much of what was wrong is told: a hostile input can break a rule thousands of times, and the
 * answer (a `RequestRejected` event, an execution's cause) must stay far below 256 KB.
 */
const MAX_ERRORS = 20;
const MAX_PATH_CHARS = 256;
const MAX_MESSAGE_CHARS = 1024;

/**
 * A key JSON may carry but a parsed object cannot keep: zod drops it without a word, so a label
 * selector `{"__proto__": "x"}` would select every pool.
 */
const RESERVED_KEY = '__proto__';

/** Validates a value against a schema, returning readable errors instead of throwing. */
export function validate<Schema extends z.ZodMiniType>(
  schema: Schema,
  value: unknown,
  rootLabel: string,
): ValidationResult<z.output<Schema>> {
  const reserved = reservedKeyPath(value);
  if (reserved !== undefined) {
    const path = truncate(reserved.length > 0 ? reserved.join('.') : rootLabel, MAX_PATH_CHARS);
    return { ok: false, errors: [{ path, message: `the key ${RESERVED_KEY} is not allowed` }] };
  }
  const result = schema.safeParse(value);
  if (result.success) return { ok: true, value: result.data };
  const { issues } = result.error;
  const errors = issues.slice(0, MAX_ERRORS).map((issue) => ({
    path: truncate(issue.path.length > 0 ? issue.path.map(String).join('.') : rootLabel, MAX_PATH_CHARS),
    message: truncate(issue.message, MAX_MESSAGE_CHARS),
  }));
  if (issues.length > MAX_ERRORS) {
    errors.push({ path: rootLabel, message: `and ${issues.length - MAX_ERRORS} more errors` });
  }
  return { ok: false, errors };
}

/**
 * Where the first object holding the reserved key is, if any: walked without recursion, each node
 * linked to its parent, so that only the path found is ever built.
 */
function reservedKeyPath(value: unknown): string[] | undefined {
  interface Node {
    readonly value: unknown;
    readonly key?: string;
    readonly parent?: Node;
  }
  const stack: Node[] = [{ value }];
  for (let node = stack.pop(); node; node = stack.pop()) {
    if (typeof node.value !== 'object' || node.value === null) continue;
    if (Object.hasOwn(node.value, RESERVED_KEY)) {
      const path: string[] = [];
      for (let at: Node | undefined = node; at?.key !== undefined; at = at.parent) path.unshift(at.key);
      return path;
    }
    for (const [key, child] of Object.entries(node.value)) stack.push({ value: child, key, parent: node });
  }
  return undefined;
}

function truncate(text: string, chars: number): string {
  return text.length > chars ? `${text.slice(0, chars - 1)}…` : text;
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

/**
 * Handlers that a workflow's Task state invokes with its parameters. The input is validated
 * against the task's schema first; a bad one throws the named error `InvalidRequest` (which the
 * ASL catches and reports) before anything is written.
 */
import type { Context } from 'aws-lambda';
import type * as z from 'zod/mini';
import { InvalidRequest } from '../core/errors';
import { describeDetailErrors, validate } from '../core/events/validation';
import { batonHandler } from './baton-handler';

export function workflowTaskHandler<Schema extends z.ZodMiniType, Result>(options: {
  /** The task's input schema. */
  input: Schema;
  handle: (input: z.output<Schema>, context: Context) => Promise<Result>;
}) {
  return batonHandler<unknown, Result>(async (event, context) => {
    const parsed = validate(options.input, event, '(input)');
    if (!parsed.ok) throw new InvalidRequest(describeDetailErrors(parsed.errors));
    return options.handle(parsed.value, context);
  });
}

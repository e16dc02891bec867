/**
 * One schema per function environment. Handlers validate `process.env` against theirs at cold
 * start; the CDK construct types each function's `environment` with the same schema.
 */
import * as z from 'zod/mini';
import { InvalidEnvironment } from '../core/errors';

/** Functions that read and write the ledger table and publish facts on Baton's bus. */
export const storeAndBusEnvironment = z.object({
  TABLE_NAME: z.string().check(z.minLength(3)),
  EVENT_BUS_NAME: z.string().check(z.minLength(1)),
});

export type StoreAndBusEnvironment = z.output<typeof storeAndBusEnvironment>;

export function loadEnvironment<Schema extends z.ZodMiniType>(
  schema: Schema,
  env: Record<string, string | undefined> = process.env,
): z.output<Schema> {
  const result = schema.safeParse(env);
  if (!result.success) {
    const problems = result.error.issues
      .map((issue) => `${issue.path.join('.')}: ${issue.message}`)
      .join('; ');
    throw new InvalidEnvironment(`function environment is invalid: ${problems}`);
  }
  return result.data;
}

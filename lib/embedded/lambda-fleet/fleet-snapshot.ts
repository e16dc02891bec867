/**
 * The simulated fleet's state, as the model holds it and `lambda-fleet.json` keeps it: each
 * function's `$LATEST`, its published versions, its aliases and its reserved concurrency.
 */
import * as z from 'zod/mini';

const versionSchema = z.object({
  version: z.string(),
  description: z.string(),
  runtime: z.optional(z.string()),
  role: z.optional(z.string()),
  handler: z.optional(z.string()),
  memorySize: z.int(),
  timeout: z.int(),
  codeSha256: z.string(),
  codeSize: z.int(),
  lastModified: z.string(),
  revisionId: z.string(),
});
const aliasSchema = z.object({
  name: z.string(),
  functionVersion: z.string(),
  description: z.string(),
  /** At most one entry: the second version and the share of traffic it gets. */
  additionalVersionWeights: z.record(z.string(), z.number()),
  revisionId: z.string(),
});
const functionSchema = z.object({
  name: z.string(),
  latest: versionSchema,
  published: z.array(versionSchema),
  aliases: z.array(aliasSchema),
  reservedConcurrency: z.optional(z.int()),
});
/** The fleet as persisted in `lambda-fleet.json`. */
export const fleetSnapshotSchema = z.object({ functions: z.array(functionSchema) });
export type FleetSnapshot = z.output<typeof fleetSnapshotSchema>;

export type VersionState = z.output<typeof versionSchema>;
export type AliasState = z.output<typeof aliasSchema>;
export type FunctionState = z.output<typeof functionSchema>;

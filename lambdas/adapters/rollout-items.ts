/**
 * The rollout ledger's items as they are read back, each parsed with its schema: a rollout's
 * record (the workflow's state, checked by the domain's own `rolloutState`, and what the ledger
 * adds to it), an alias's lock, an alarm's watch.
 */
import * as z from 'zod/mini';
import type { RolloutRecord } from '../core/rollouts/rollout';
import { rolloutState } from '../core/rollouts/rollout-schemas';
import { parseItem } from './ledger-items';

const rolloutStatus = z.enum([
  'RUNNING',
  'PAUSED',
  'SUCCEEDED',
  'ROLLED_BACK',
  'ABORTED',
  'REJECTED',
  'FAILED',
]);
const evidence = z.optional(z.record(z.string(), z.unknown()));

const rolloutRecord = z.extend(rolloutState, {
  status: rolloutStatus,
  executionId: z.string(),
  gate: z.optional(z.object({ token: z.string(), kind: z.enum(['bake', 'pause']) })),
  signal: z.optional(
    z.object({
      signalId: z.string(),
      kind: z.enum(['pause', 'resume', 'promote', 'abort', 'alarm', 'supersede']),
      evidence,
    }),
  ),
  lastSignalId: z.optional(z.string()),
  reason: z.optional(z.string()),
  evidence,
  explanation: z.optional(z.string()),
  endingAnnounced: z.optional(z.boolean()),
  rollingBack: z.optional(
    z.object({
      status: z.enum(['ROLLED_BACK', 'ABORTED', 'REJECTED', 'FAILED']),
      reason: z.optional(z.string()),
      evidence,
      explanation: z.optional(z.string()),
    }),
  ),
  updatedAt: z.string(),
});

/** Which rollout an item names: an alias's lock names its holder, an alarm's watch the rollout it gates. */
const namesRollout = z.object({ rolloutId: z.string() });

/** A rollout's record without the item's keys, so that it can be saved back as it is. */
export function rolloutOf(item: Record<string, unknown>): RolloutRecord {
  return parseItem(rolloutRecord, 'rollout', item);
}

export function lockHolderOf(item: Record<string, unknown>): string {
  return parseItem(namesRollout, 'alias-lock', item).rolloutId;
}

export function watchingRolloutOf(item: Record<string, unknown>): string {
  return parseItem(namesRollout, 'alarm-watch', item).rolloutId;
}

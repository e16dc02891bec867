/**
 * The rollout ledger's items as they are read back, each parsed with its schema: a rollout's
 * record (the domain's `rolloutRecord`: the workflow's state and what the ledger adds to it), an
 * alias's lock, an alarm's watch.
 */
import * as z from 'zod/mini';
import type { RolloutRecord } from '../core/rollouts/rollout';
import { rolloutRecord } from '../core/rollouts/rollout-schemas';
import { parseItem } from './ledger-items';

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

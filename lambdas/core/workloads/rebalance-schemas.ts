/**
 * The shapes that travel between the tasks of `rebalance-workloads` (a plan, its moves and their
 * outcomes), checked where a task receives them.
 */
import * as z from 'zod/mini';
import { identifier, placementStrategy } from '../events/primitives';

export const plannedMove = z.object({
  tenantId: identifier,
  workloadId: identifier,
  from: identifier,
  to: identifier,
  reason: z.string(),
  wave: z.int().check(z.positive()),
  moveId: z.string().check(z.minLength(1)),
  executionId: z.string().check(z.minLength(1)),
});

export const moveOutcome = z.extend(plannedMove, {
  outcome: z.enum(['MOVED', 'FAILED', 'SKIPPED']),
  why: z.optional(z.string()),
});

export const workloadPlan = z.object({
  dryRun: z.boolean(),
  strategy: placementStrategy,
  maxMoves: z.int(),
  disruptionBudget: z.int(),
  waves: z.array(z.array(plannedMove)),
  metrics: z.record(z.string(), z.number()),
  explanation: z.string(),
});

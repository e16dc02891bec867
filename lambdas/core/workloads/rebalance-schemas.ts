/**
 * The shapes that travel between the tasks of `rebalance-workloads` (a plan, its moves and their
 * outcomes), checked where a task receives them.
 */
import * as z from 'zod/mini';
import { identifier, placementStrategy } from '../events/primitives';

/** A move of the plan (the planner's `PlannedMove`), as the workflow applies it. */
export const plannedMove = z.object({
  tenantId: identifier,
  workloadId: identifier,
  from: identifier,
  to: identifier,
  reason: z.string(),
  /** Its wave, from 1: a wave's moves run together, the next wave starts when they have all ended. */
  wave: z.int().check(z.positive()),
  /** Unique to this plan's move of this workload: the token of the room it takes on the target. */
  moveId: z.string().check(z.minLength(1)),
  /** The execution applying the plan: noted with the move, so that its abnormal end reverts it. */
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

/**
 * Rule on `roll-out-service` executions that ended abnormally (stopped from the console, timed
 * out, failed outside the workflow's own catches) → the rollout is rolled back and its lock freed,
 * so no alias is ever left split by a rollout that stopped running.
 */
import type * as z from 'zod/mini';
import { wireRollouts } from '../adapters/runtime-wiring';
import { StepFunctionsExecutionStatusChange } from '../core/events/rollout-events';
import { EXECUTION_ENDINGS, recover } from '../core/rollouts/finish-rollout';
import { busEventHandler } from '../middleware/bus-event-handler';

const { rollouts, traffic, publisher } = wireRollouts();

export const handler = busEventHandler({
  accepts: [StepFunctionsExecutionStatusChange],
  publisher,
  handle: async (detail: z.output<typeof StepFunctionsExecutionStatusChange.schema>) => {
    const rolloutId = rolloutIdOf(detail.input);
    if (!rolloutId || !(detail.status in EXECUTION_ENDINGS)) return [];
    const status = detail.status as keyof typeof EXECUTION_ENDINGS;
    return recover(rollouts, traffic, rolloutId, detail.executionArn, status, new Date());
  },
});

/** The rollout id in the execution's input (the ServiceRolloutRequested detail), if it has one. */
function rolloutIdOf(input: string | null | undefined): string | undefined {
  try {
    const parsed = JSON.parse(input ?? 'null') as { rolloutId?: unknown } | null;
    return typeof parsed?.rolloutId === 'string' ? parsed.rolloutId : undefined;
  } catch {
    return undefined;
  }
}

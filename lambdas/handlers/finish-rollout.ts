/**
 * Last task of `roll-out-service`: `succeed` (all traffic is on the target), `roll-back` (the
 * alias goes back to the version it had) or `fail` (the rollback itself failed). Each frees the
 * alias's lock and announces the outcome.
 */
import * as z from 'zod/mini';
import { wireRollouts } from '../adapters/runtime-wiring';
import { identifier } from '../core/events/primitives';
import { abandon, fail, rollBack, succeed } from '../core/rollouts/finish-rollout';
import { rolloutState, stepFailure } from '../core/rollouts/rollout-schemas';
import { workflowTaskHandler } from '../middleware/workflow-task-handler';

const { rollouts, traffic, publisher } = wireRollouts();

const ending = z.union([
  z.object({ action: z.literal('succeed'), state: rolloutState }),
  z.object({ action: z.literal('roll-back'), state: rolloutState, failure: stepFailure }),
  z.object({ action: z.literal('fail'), state: rolloutState, failure: stepFailure }),
  z.object({
    action: z.literal('abandon'),
    rolloutId: identifier,
    executionId: z.string(),
    failure: stepFailure,
  }),
]);

export const handler = workflowTaskHandler({
  input: ending,
  handle: async (input) => {
    const now = new Date();
    if (input.action === 'abandon') {
      await abandon(rollouts, input.rolloutId, input.executionId, input.failure, now);
      return { status: 'FAILED', rolloutId: input.rolloutId, reason: input.failure.Error };
    }
    const ended =
      input.action === 'succeed'
        ? await succeed(rollouts, traffic, input.state, now)
        : input.action === 'roll-back'
          ? await rollBack(rollouts, traffic, input.state, input.failure, now)
          : await fail(rollouts, input.state, input.failure, now);
    await publisher.publish(ended.facts);
    return ended.outcome;
  },
});

/**
 * Last task of `roll-out-service`: `succeed` (all traffic is on the target), `roll-back` (the
 * alias goes back to the version it had), `fail` (the rollback itself failed) or `abandon` (the
 * rollout could not start). Each frees the alias's lock and announces the ending — the one the
 * record keeps, if the rollout had ended already (a retry of this task).
 */
import * as z from 'zod/mini';
import { wireRollouts } from '../adapters/runtime-wiring';
import { ServiceRolloutRequested } from '../core/events/rollout-events';
import { announceEnding, fail, rollBack, succeed } from '../core/rollouts/finish-rollout';
import { rolloutState } from '../core/rollouts/rollout-schemas';
import { abandonStart } from '../core/rollouts/start-rollout';
import { stepFailure } from '../core/step-failure';
import { workflowTaskHandler } from '../middleware/workflow-task-handler';

const { rollouts, traffic, publisher } = wireRollouts();

const ending = z.union([
  z.object({ action: z.literal('succeed'), state: rolloutState }),
  z.object({ action: z.literal('roll-back'), state: rolloutState, failure: stepFailure }),
  z.object({ action: z.literal('fail'), state: rolloutState, failure: stepFailure }),
  // The request as the execution was started with it; one that is not valid was never taken up.
  z.object({
    action: z.literal('abandon'),
    request: z.unknown(),
    executionId: z.string(),
    failure: stepFailure,
  }),
]);

export const handler = workflowTaskHandler({
  input: ending,
  handle: async (input) => {
    const now = new Date();
    if (input.action === 'abandon') {
      const request = ServiceRolloutRequested.schema.safeParse(input.request);
      if (!request.success) return { status: 'REJECTED', reason: input.failure.Error };
      const abandoned = await abandonStart(rollouts, request.data, input.executionId, input.failure, now);
      if (abandoned) await announceEnding(rollouts, publisher, abandoned);
      return { status: 'REJECTED', rolloutId: request.data.rolloutId, reason: input.failure.Error };
    }
    const ended =
      input.action === 'succeed'
        ? await succeed(rollouts, traffic, input.state, now)
        : input.action === 'roll-back'
          ? await rollBack(rollouts, traffic, input.state, input.failure, now)
          : await fail(rollouts, input.state, input.failure, now);
    await announceEnding(rollouts, publisher, ended);
    return ended.outcome;
  },
});

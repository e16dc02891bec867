/**
 * First task of `roll-out-service`: validates the request against the alias, takes the alias's
 * lock and announces the start — or answers REJECTED (another rollout holds the alias, or the
 * alias is split by someone else, or the rollout id was used before) and announces the refusal.
 * A request the domain refuses (`InvalidRequest`: no such alias or version) is announced too.
 */
import * as z from 'zod/mini';
import { wireRollouts } from '../adapters/runtime-wiring';
import { InvalidRequest } from '../core/errors';
import { ServiceRolloutRequested } from '../core/events/rollout-events';
import { announceEnding } from '../core/rollouts/finish-rollout';
import { rejectedFact } from '../core/rollouts/rollout-facts';
import { startRollout } from '../core/rollouts/start-rollout';
import { workflowTaskHandler } from '../middleware/workflow-task-handler';

const { rollouts, traffic, answers, publisher } = wireRollouts();

export const handler = workflowTaskHandler({
  input: z.object({ request: ServiceRolloutRequested.schema, executionId: z.string() }),
  handle: async ({ request, executionId }) => {
    const started = await startRollout(rollouts, traffic, answers, request, executionId, new Date()).catch(
      async (error: unknown) => {
        // Nothing was recorded: the refusal is announced as it is thrown (again on a retry).
        if (error instanceof InvalidRequest) {
          await publisher.publish([rejectedFact(request.rolloutId, 'InvalidRequest', error.message)]);
        }
        throw error;
      },
    );
    if (started.status === 'RUNNING') {
      await publisher.publish(started.facts);
      return { status: started.status, ...started.state };
    }
    await announceEnding(rollouts, publisher, started);
    const { rolloutId, functionName, alias, fromVersion, toVersion } = started.state;
    return {
      status: started.status,
      rolloutId,
      functionName,
      alias,
      fromVersion,
      toVersion,
      reason: started.reason,
      explanation: started.explanation,
    };
  },
});

/**
 * First task of `roll-out-service`: validates the request against the alias, takes the alias's
 * lock and announces the start — or answers REJECTED (another rollout holds the alias, or the
 * alias is split by someone else, or the rollout id was used before).
 */
import * as z from 'zod/mini';
import { wireRollouts } from '../adapters/runtime-wiring';
import { ServiceRolloutRequested } from '../core/events/rollout-events';
import { startRollout } from '../core/rollouts/start-rollout';
import { workflowTaskHandler } from '../middleware/workflow-task-handler';

const { rollouts, traffic, answers, publisher } = wireRollouts();

export const handler = workflowTaskHandler({
  input: z.object({ request: ServiceRolloutRequested.schema, executionId: z.string() }),
  handle: async ({ request, executionId }) => {
    const started = await startRollout(rollouts, traffic, answers, request, executionId, new Date());
    if (started.status === 'RUNNING') {
      await publisher.publish(started.facts);
      return { status: started.status, ...started.state };
    }
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

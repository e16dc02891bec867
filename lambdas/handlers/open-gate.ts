/**
 * Task of `roll-out-service` (`.waitForTaskToken`): notes the gate a step waits at — its bake, or
 * a pause — so that a signal can answer it; a signal already waiting answers it at once. The bake
 * itself is the task's timeout: nothing polls. A pause gate opened on request announces the pause.
 */
import * as z from 'zod/mini';
import { wireRollouts } from '../adapters/runtime-wiring';
import { identifier, taskToken } from '../core/events/primitives';
import { openGate } from '../core/rollouts/rollout-signals';
import { workflowTaskHandler } from '../middleware/workflow-task-handler';

const { rollouts, answers, publisher } = wireRollouts();

export const handler = workflowTaskHandler({
  input: z.object({ taskToken, rolloutId: identifier, kind: z.enum(['bake', 'pause']) }),
  handle: async ({ taskToken: token, rolloutId, kind }) => {
    await publisher.publish(await openGate(rollouts, answers, rolloutId, { token, kind }, new Date()));
    return { gate: kind };
  },
});

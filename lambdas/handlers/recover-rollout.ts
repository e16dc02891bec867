/**
 * Rule on this stage's `roll-out-service` executions that ended abnormally (stopped from the
 * console, timed out, failed outside the workflow's own catches, or the runtime running them died)
 * → the rollout is rolled back and its lock freed, so no alias is ever left split by a rollout
 * that stopped running — only if it is the execution that runs the rollout; a rollout that had
 * ended without its fact going out is announced now.
 */
import { wireRollouts } from '../adapters/runtime-wiring';
import { executionInputField } from '../core/execution-input';
import { announceEnding, recover } from '../core/rollouts/finish-rollout';
import { executionEndedHandler } from '../middleware/execution-ended-handler';

const { rollouts, traffic, publisher } = wireRollouts();

export const handler = executionEndedHandler({
  publisher,
  recover: async (ended) => {
    const rolloutId = executionInputField(ended.input, 'rolloutId');
    if (!rolloutId) return;
    const recovered = await recover(
      rollouts,
      traffic,
      rolloutId,
      ended.executionArn,
      ended.ending,
      new Date(),
    );
    if (recovered) await announceEnding(rollouts, publisher, recovered);
  },
});

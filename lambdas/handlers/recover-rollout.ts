/**
 * Rule on this stage's `roll-out-service` executions that ended abnormally (stopped from the
 * console, timed out, failed outside the workflow's own catches, or the runtime running them died)
 * → the rollout is rolled back and its lock freed, so no alias is ever left split by a rollout
 * that stopped running — only if it is the execution that runs the rollout. One that never held
 * the alias ends REJECTED (it moved nothing); one whose alias someone else took over ends FAILED,
 * the alias left to them. A rollout that had ended without its fact going out is announced now.
 */
import { wireRollouts } from '../adapters/runtime-wiring';
import { executionInputField } from '../core/execution-input';
import { recoverRollout } from '../core/rollouts/finish-rollout';
import { executionEndedHandler } from '../middleware/execution-ended-handler';

const wiring = wireRollouts();

export const handler = executionEndedHandler({
  publisher: wiring.publisher,
  recover: async (ended) => {
    const rolloutId = executionInputField(ended.input, 'rolloutId');
    if (rolloutId) await recoverRollout(wiring, rolloutId, ended, new Date());
  },
});

/**
 * Rule on `roll-out-service` executions that ended abnormally (stopped from the console, timed
 * out, failed outside the workflow's own catches) → the rollout is rolled back and its lock freed,
 * so no alias is ever left split by a rollout that stopped running; a rollout that had ended
 * without its fact going out is announced now.
 */
import type * as z from 'zod/mini';
import { wireRollouts } from '../adapters/runtime-wiring';
import { StepFunctionsExecutionStatusChange } from '../core/events/execution-events';
import { executionInputField } from '../core/execution-input';
import { announceEnding, EXECUTION_ENDINGS, recover } from '../core/rollouts/finish-rollout';
import { busEventHandler } from '../middleware/bus-event-handler';

const { rollouts, traffic, publisher } = wireRollouts();

export const handler = busEventHandler({
  accepts: [StepFunctionsExecutionStatusChange],
  publisher,
  handle: async (detail: z.output<typeof StepFunctionsExecutionStatusChange.schema>) => {
    const rolloutId = executionInputField(detail.input, 'rolloutId');
    if (!rolloutId || !(detail.status in EXECUTION_ENDINGS)) return [];
    const status = detail.status as keyof typeof EXECUTION_ENDINGS;
    const recovered = await recover(rollouts, traffic, rolloutId, detail.executionArn, status, new Date());
    if (recovered) await announceEnding(rollouts, publisher, recovered);
    return [];
  },
});

/**
 * Rule on this stage's `roll-out-service` executions that ended abnormally (stopped from the
 * console, timed out, failed outside the workflow's own catches, or the runtime running them died)
 * → the rollout is rolled back and its lock freed, so no alias is ever left split by a rollout
 * that stopped running. Only once Step Functions confirms the execution has ended, and only if it
 * is the execution that runs the rollout.
 */
import type * as z from 'zod/mini';
import { wireExecutions, wireRollouts } from '../adapters/runtime-wiring';
import { StepFunctionsExecutionStatusChange } from '../core/events/execution-events';
import { executionInputField } from '../core/execution-input';
import { endedExecution } from '../core/recovery/executions';
import { recoverRollout } from '../core/recovery/recover';
import { busEventHandler } from '../middleware/bus-event-handler';

const { rollouts, traffic, publisher } = wireRollouts();
const { executions } = wireExecutions();

export const handler = busEventHandler({
  accepts: [StepFunctionsExecutionStatusChange],
  publisher,
  handle: async (detail: z.output<typeof StepFunctionsExecutionStatusChange.schema>) => {
    // Step Functions' word, not the event's: a forged or replayed event changes nothing, and an
    // input too big for the event is read here.
    const ended = await endedExecution(executions, detail.executionArn);
    const rolloutId = executionInputField(ended?.input, 'rolloutId');
    if (!ended || !rolloutId) return [];
    return recoverRollout(rollouts, traffic, rolloutId, ended, new Date());
  },
});

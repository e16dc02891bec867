/**
 * Handlers that a rule invokes when one of the stage's executions ends abnormally (AWS's
 * `Step Functions Execution Status Change`). The event is not taken for the truth — it may be
 * forged, replayed or carry no input — so the execution is described first, and the recovery runs
 * only on an execution that has really ended, with the input Step Functions holds.
 */
import { wireExecutions } from '../adapters/runtime-wiring';
import { StepFunctionsExecutionStatusChange } from '../core/events/execution-events';
import type { FactPublisher } from '../core/ports';
import { type EndedExecution, endedExecution } from '../core/recovery/executions';
import { busEventHandler } from './bus-event-handler';

export function executionEndedHandler(options: {
  publisher: FactPublisher;
  /** Undoes what the ended execution left in flight, and announces it (marking what went out). */
  recover: (execution: EndedExecution) => Promise<void>;
}) {
  const { executions } = wireExecutions();
  return busEventHandler({
    accepts: [StepFunctionsExecutionStatusChange],
    publisher: options.publisher,
    handle: async ({ executionArn }) => {
      const ended = await endedExecution(executions, executionArn);
      // An execution that does not exist left nothing: the event was about no real one.
      if (ended && ended.ending !== 'NOT_FOUND') await options.recover(ended);
      return [];
    },
  });
}

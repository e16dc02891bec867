/**
 * Rule `WorkloadMoveCompleted` → resumes the `rebalance-workloads` wave waiting on the move's task
 * token: `ok` lets the move finish, otherwise the wait fails with `WorkloadMoveFailed` and the
 * move is reverted.
 */
import { wireTaskAnswers } from '../adapters/runtime-wiring';
import { WorkloadMoveCompleted } from '../core/events/workload-events';
import { busEventHandler } from '../middleware/bus-event-handler';

const { publisher, answers } = wireTaskAnswers();

export const handler = busEventHandler({
  accepts: [WorkloadMoveCompleted],
  publisher,
  handle: async ({ taskToken, workloadId, ok }) => {
    await answers.answer(
      taskToken,
      ok
        ? { ok, output: { workloadId } }
        : { ok, error: 'WorkloadMoveFailed', cause: `the agent could not move ${workloadId}` },
    );
    return [];
  },
});

/**
 * Task of `rebalance-workloads`, once per move: `begin` notes the move and takes the target's
 * room (or skips a move the world has overtaken), `finish` settles it on the target after the
 * agent's answer (placing and announcing it again if the target was released meanwhile),
 * `revert` gives the target's room back after a failure or a timeout.
 */
import * as z from 'zod/mini';
import { wireWorkloads } from '../adapters/runtime-wiring';
import { stepFailure } from '../core/step-failure';
import { plannedMove as move } from '../core/workloads/rebalance-schemas';
import { beginMove, finishMove, revertMove } from '../core/workloads/rebalance-workloads';
import { workflowTaskHandler } from '../middleware/workflow-task-handler';

const { workloads, publisher } = wireWorkloads();

const step = z.union([
  z.object({ action: z.literal('begin'), move }),
  z.object({ action: z.literal('finish'), move }),
  // The error the wait ended with, as a Catch hands it on.
  z.object({
    action: z.literal('revert'),
    move,
    error: stepFailure,
  }),
]);

export const handler = workflowTaskHandler({
  input: step,
  handle: async (input) => {
    switch (input.action) {
      case 'begin':
        return beginMove(workloads, input.move);
      case 'finish':
        return finishMove(workloads, publisher, input.move, new Date());
      case 'revert':
        return revertMove(workloads, input.move, `${input.error.Error}: ${input.error.Cause ?? 'no answer'}`);
    }
  },
});

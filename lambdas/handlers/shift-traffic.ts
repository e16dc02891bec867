/** Task of `roll-out-service`, once per step: shifts the alias's traffic and reads it back (drift pauses). */
import { wireRollouts } from '../adapters/runtime-wiring';
import { rolloutState } from '../core/rollouts/rollout-schemas';
import { shiftTraffic } from '../core/rollouts/shift-traffic';
import { workflowTaskHandler } from '../middleware/workflow-task-handler';

const { rollouts, traffic, publisher } = wireRollouts();

export const handler = workflowTaskHandler({
  input: rolloutState,
  handle: async (state) => {
    const shifted = await shiftTraffic(rollouts, traffic, state, new Date());
    await publisher.publish(shifted.facts);
    return shifted.state;
  },
});

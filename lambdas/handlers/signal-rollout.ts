/**
 * Rules `ServiceRolloutControl` and CloudWatch alarm state changes → the running rollouts they
 * concern: a control reaches its rollout, an alarm gone to ALARM reaches every rollout watching
 * it, through the gate the rollout waits at (or its next one). A pause is announced by the gate
 * where the rollout holds, once it does.
 */
import type * as z from 'zod/mini';
import { wireRollouts } from '../adapters/runtime-wiring';
import { CloudWatchAlarmStateChange, ServiceRolloutControl } from '../core/events/rollout-events';
import { alarmRollouts, controlRollout } from '../core/rollouts/rollout-signals';
import { busEventHandler } from '../middleware/bus-event-handler';

const { rollouts, answers, publisher } = wireRollouts();

export const handler = busEventHandler({
  accepts: [ServiceRolloutControl, CloudWatchAlarmStateChange],
  publisher,
  handle: async (detail, event) => {
    if (event['detail-type'] === ServiceRolloutControl.detailType) {
      const { rolloutId, action } = detail as z.output<typeof ServiceRolloutControl.schema>;
      await controlRollout(rollouts, answers, rolloutId, action, event.id);
      return [];
    }
    const { alarmName, state } = detail as z.output<typeof CloudWatchAlarmStateChange.schema>;
    if (state.value === 'ALARM') {
      // The event's time is the state change's, as CloudWatch puts it on the bus.
      await alarmRollouts(
        rollouts,
        answers,
        { alarmName, reason: state.reason, changedAt: event.time },
        event.id,
      );
    }
    return [];
  },
});

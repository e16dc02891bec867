/** The facts a rollout announces. */
import { type Fact, fact } from '../events/define-event';
import {
  ServiceRolloutFailed,
  ServiceRolloutPaused,
  ServiceRolloutRejected,
  ServiceRolloutRolledBack,
  ServiceRolloutStarted,
  ServiceRolloutStepCompleted,
  ServiceRolloutSucceeded,
} from '../events/rollout-events';
import type { RolloutState } from './rollout';

export function startedFact(state: RolloutState): Fact {
  const { rolloutId, functionName, alias, fromVersion, toVersion, strategy } = state;
  return fact(ServiceRolloutStarted, { rolloutId, functionName, alias, fromVersion, toVersion, strategy });
}

export function stepFact(state: RolloutState): Fact {
  const weights =
    state.weight >= 1
      ? { [state.toVersion]: 1 }
      : { [state.fromVersion]: round(1 - state.weight), [state.toVersion]: state.weight };
  return fact(ServiceRolloutStepCompleted, {
    rolloutId: state.rolloutId,
    step: state.step,
    of: state.steps.length,
    weight: state.weight,
    weights,
  });
}

export function pausedFact(rolloutId: string, reason: 'Requested' | 'AliasDrift', explanation: string): Fact {
  return fact(ServiceRolloutPaused, { rolloutId, reason, explanation });
}

export function succeededFact(state: RolloutState): Fact {
  const { rolloutId, functionName, alias, toVersion } = state;
  return fact(ServiceRolloutSucceeded, { rolloutId, functionName, alias, toVersion });
}

export function rolledBackFact(state: RolloutState, reason: string, evidence: Record<string, unknown>): Fact {
  const { rolloutId, functionName, alias, fromVersion } = state;
  return fact(ServiceRolloutRolledBack, { rolloutId, functionName, alias, fromVersion, reason, evidence });
}

export function failedFact(rolloutId: string, reason: string, explanation: string): Fact {
  return fact(ServiceRolloutFailed, { rolloutId, reason, explanation });
}

/** The rollout was refused or could not start; nothing moved. */
export function rejectedFact(rolloutId: string, reason: string, explanation: string): Fact {
  return fact(ServiceRolloutRejected, { rolloutId, reason, explanation });
}

/** Weights as Lambda keeps them: no float dust (0.9 − 0.1 is not 0.8). */
function round(weight: number): number {
  return Math.round(weight * 1e6) / 1e6;
}

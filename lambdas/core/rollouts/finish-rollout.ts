/**
 * How a rollout ends. Success: all traffic is on the target version already. Rollback: the alias
 * goes back to the version it had, with no routing — whatever its revision now, since putting it
 * back is the one change that must win. Either way the alarms are no longer watched, the alias's
 * lock is freed and the outcome announced, with its evidence.
 */
import type { Fact } from '../events/define-event';
import { fact } from '../events/define-event';
import { ServiceRolloutFailed } from '../events/rollout-events';
import {
  AliasDrift,
  type AliasTraffic,
  type RolloutLedger,
  type RolloutState,
  type RolloutStatus,
} from './rollout';
import { rolledBackFact, succeededFact } from './rollout-facts';
import { GATE_ERRORS } from './rollout-signals';

/** Tries at putting the alias back when someone keeps changing it meanwhile. */
const ROLLBACK_ATTEMPTS = 5;

export interface RolloutOutcome {
  readonly status: RolloutStatus;
  readonly rolloutId: string;
  readonly functionName: string;
  readonly alias: string;
  readonly fromVersion: string;
  readonly toVersion: string;
  /** Steps taken, of all the strategy's steps. */
  readonly steps: { readonly taken: number; readonly of: number; readonly weight: number };
  readonly reason?: string | undefined;
  readonly evidence?: Readonly<Record<string, unknown>> | undefined;
}

/** Why a workflow step failed, as its Catch hands it on. */
export interface Failure {
  readonly Error: string;
  readonly Cause?: string | undefined;
}

export async function succeed(
  ledger: RolloutLedger,
  state: RolloutState,
  now: Date,
): Promise<{ outcome: RolloutOutcome; facts: Fact[] }> {
  await close(ledger, state, 'SUCCEEDED', now);
  return { outcome: outcome(state, 'SUCCEEDED'), facts: [succeededFact(state)] };
}

export async function rollBack(
  ledger: RolloutLedger,
  traffic: AliasTraffic,
  state: RolloutState,
  failure: Failure,
  now: Date,
): Promise<{ outcome: RolloutOutcome; facts: Fact[] }> {
  await restoreAlias(traffic, state);
  const status: RolloutStatus = failure.Error === GATE_ERRORS.abort ? 'ABORTED' : 'ROLLED_BACK';
  const evidence = { ...evidenceOf(failure), stepReached: state.step, weightReached: state.weight };
  await close(ledger, state, status, now, failure.Error);
  return {
    outcome: outcome(state, status, failure.Error, evidence),
    facts: [rolledBackFact(state, failure.Error, evidence)],
  };
}

/** The rollback itself failed: the lock is freed all the same, and an operator is told. */
export async function fail(
  ledger: RolloutLedger,
  state: RolloutState,
  failure: Failure,
  now: Date,
): Promise<{ outcome: RolloutOutcome; facts: Fact[] }> {
  await close(ledger, state, 'FAILED', now, failure.Error);
  const explanation =
    `could not put alias ${state.alias} of ${state.functionName} back on version ${state.fromVersion}: ${failure.Error} ${failure.Cause ?? ''}`.trim();
  return {
    outcome: outcome(state, 'FAILED', failure.Error),
    facts: [fact(ServiceRolloutFailed, { rolloutId: state.rolloutId, reason: failure.Error, explanation })],
  };
}

async function restoreAlias(traffic: AliasTraffic, state: RolloutState): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const routing = await traffic.alias(state.functionName, state.alias);
    if (!routing) return;
    if (routing.functionVersion === state.fromVersion && Object.keys(routing.weights).length === 0) return;
    try {
      await traffic.route(
        state.functionName,
        state.alias,
        { primary: state.fromVersion },
        routing.revisionId,
      );
      return;
    } catch (error) {
      if (!(error instanceof AliasDrift) || attempt >= ROLLBACK_ATTEMPTS) throw error;
    }
  }
}

async function close(
  ledger: RolloutLedger,
  state: RolloutState,
  status: RolloutStatus,
  now: Date,
  reason?: string,
) {
  await ledger.saveRollout(state, status, now, reason);
  await ledger.unwatchAlarms(state.rolloutId, state.alarms);
  await ledger.unlockAlias(state.functionName, state.alias, state.rolloutId);
}

/** An alarm's or a superseding rollout's evidence travels as the gate's JSON cause. */
function evidenceOf(failure: Failure): Record<string, unknown> {
  try {
    const parsed = JSON.parse(failure.Cause ?? '');
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed))
      return parsed as Record<string, unknown>;
  } catch {
    // Not JSON: a Lambda or hook error message.
  }
  return failure.Cause ? { cause: failure.Cause } : {};
}

function outcome(
  state: RolloutState,
  status: RolloutStatus,
  reason?: string,
  evidence?: Record<string, unknown>,
): RolloutOutcome {
  const { rolloutId, functionName, alias, fromVersion, toVersion } = state;
  return {
    status,
    rolloutId,
    functionName,
    alias,
    fromVersion,
    toVersion,
    steps: { taken: state.step, of: state.steps.length, weight: state.weight },
    ...(reason ? { reason } : {}),
    ...(evidence ? { evidence } : {}),
  };
}

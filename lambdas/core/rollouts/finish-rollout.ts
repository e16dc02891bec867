/**
 * How a rollout ends. Success: all traffic is on the target version already (unless an alarm or
 * an abort came meanwhile). Rollback: the alias goes back to the version it had, with no routing —
 * whatever its revision now, unless someone else has routed it elsewhere. Either way the alarms
 * are no longer watched, the alias's lock is freed and the outcome announced, with its evidence.
 */
import { type Fact, fact } from '../events/define-event';
import { ServiceRolloutFailed } from '../events/rollout-events';
import { ENDING_ERRORS, type ExecutionEnding } from '../recovery/executions';
import {
  AliasDrift,
  type AliasTraffic,
  ENDED_STATUSES,
  type RolloutLedger,
  type RolloutRecord,
  type RolloutState,
  type RolloutStatus,
} from './rollout';
import { rolledBackFact, succeededFact } from './rollout-facts';
import { GATE_ERRORS, takeEndingSignal } from './rollout-signals';
import { AliasTakenOver } from './shift-traffic';

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
  traffic: AliasTraffic,
  state: RolloutState,
  now: Date,
): Promise<{ outcome: RolloutOutcome; facts: Fact[] }> {
  // An alarm (or an abort) that came during the last shift or the post-traffic hook found no gate
  // open: it still wins over success.
  const ending = await takeEndingSignal(ledger, state.rolloutId);
  if (ending) {
    const kind = ending.kind as keyof typeof GATE_ERRORS;
    return rollBack(
      ledger,
      traffic,
      state,
      { Error: GATE_ERRORS[kind], Cause: JSON.stringify(ending.evidence ?? {}) },
      now,
    );
  }
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

/**
 * The rollout could not start (an error after it took the alias): if this execution started it,
 * it is marked FAILED and the alias's lock freed, so the alias is not held for a rollout that
 * never ran.
 */
export async function abandon(
  ledger: RolloutLedger,
  rolloutId: string,
  executionId: string,
  failure: Failure,
  now: Date,
): Promise<void> {
  const record = await ledger.rollout(rolloutId);
  if (!record || record.executionId !== executionId || ENDED_STATUSES.has(record.status)) return;
  await close(ledger, stateOf(record), 'FAILED', now, failure.Error);
}

/**
 * The rollout's execution ended without the rollout ending (stopped, timed out, failed outside
 * its catches, or the runtime running it died): the alias is put back and the lock freed, as a
 * rollback would have.
 */
export async function recover(
  ledger: RolloutLedger,
  traffic: AliasTraffic,
  rolloutId: string,
  executionArn: string,
  ending: ExecutionEnding,
  now: Date,
): Promise<Fact[]> {
  const record = await ledger.rollout(rolloutId);
  if (!record || record.executionId !== executionArn || ENDED_STATUSES.has(record.status)) return [];
  return (await rollBack(ledger, traffic, stateOf(record), { Error: ENDING_ERRORS[ending] }, now)).facts;
}

/**
 * Puts the alias back on the version it had. An alias routing to a version that is neither the
 * rollout's source nor its target was changed by someone else (a hotfix): it is left alone.
 */
async function restoreAlias(traffic: AliasTraffic, state: RolloutState): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const routing = await traffic.alias(state.functionName, state.alias);
    if (!routing) return;
    if (routing.functionVersion === state.fromVersion && Object.keys(routing.weights).length === 0) return;
    const ours = new Set([state.fromVersion, state.toVersion]);
    if (![routing.functionVersion, ...Object.keys(routing.weights)].every((version) => ours.has(version))) {
      throw new AliasTakenOver(
        `alias ${state.alias} of ${state.functionName} routes to ${JSON.stringify(routing)}, which the rollout did not set: left as it is`,
      );
    }
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

/** The workflow's state within a record: what the record adds (status, gate, signal…) left out. */
function stateOf(record: RolloutRecord): RolloutState {
  const { status, executionId, gate, signal, reason, updatedAt, ...state } = record;
  return state;
}

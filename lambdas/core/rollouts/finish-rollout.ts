/**
 * How a rollout ends. Success: all traffic is on the target version already (unless an alarm or
 * an abort came meanwhile). Rollback: the alias goes back to the version it had, with no routing —
 * whatever its revision now, unless someone else has routed it elsewhere. Either way the alarms
 * are no longer watched, the alias's lock is freed and the outcome announced, with its evidence.
 *
 * A rollout ends once: its record keeps the first ending (and what its fact needs), and every
 * later attempt to end it — a retried step, a recovery — returns that ending, never another, and
 * announces it again until it has been announced.
 */
import type { Fact } from '../events/define-event';
import type { FactPublisher } from '../ports';
import { ENDING_ERRORS, type ExecutionEnding } from '../recovery/executions';
import {
  AliasDrift,
  type AliasTraffic,
  ENDED_STATUSES,
  type RolloutEnding,
  type RolloutLedger,
  type RolloutRecord,
  type RolloutState,
  type RolloutStatus,
} from './rollout';
import { failedFact, rejectedFact, rolledBackFact, succeededFact } from './rollout-facts';
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
  readonly explanation?: string | undefined;
}

/** A rollout's ending as recorded: its outcome, the facts announcing it, and whether they went out. */
export interface EndedRollout {
  readonly rolloutId: string;
  readonly outcome: RolloutOutcome;
  readonly facts: Fact[];
  readonly announced: boolean;
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
): Promise<EndedRollout> {
  // A retry of a step that ended the rollout (its fact failed to go out) finds that ending.
  const recorded = await recordedEnding(ledger, state.rolloutId);
  if (recorded) return recorded;
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
  return close(ledger, state, { status: 'SUCCEEDED' }, now);
}

export async function rollBack(
  ledger: RolloutLedger,
  traffic: AliasTraffic,
  state: RolloutState,
  failure: Failure,
  now: Date,
): Promise<EndedRollout> {
  // Ended already (a retried step, a recovery): the alias is left as that ending left it.
  const recorded = await recordedEnding(ledger, state.rolloutId);
  if (recorded) return recorded;
  await restoreAlias(traffic, state);
  const status = failure.Error === GATE_ERRORS.abort ? 'ABORTED' : 'ROLLED_BACK';
  const evidence = { ...evidenceOf(failure), stepReached: state.step, weightReached: state.weight };
  return close(ledger, state, { status, reason: failure.Error, evidence }, now);
}

/** The rollback itself failed: the lock is freed all the same, and an operator is told. */
export function fail(
  ledger: RolloutLedger,
  state: RolloutState,
  failure: Failure,
  now: Date,
): Promise<EndedRollout> {
  const explanation =
    `could not put alias ${state.alias} of ${state.functionName} back on version ${state.fromVersion}: ${failure.Error} ${failure.Cause ?? ''}`.trim();
  return close(ledger, state, { status: 'FAILED', reason: failure.Error, explanation }, now);
}

/**
 * The rollout's execution ended without the rollout ending (stopped, timed out, failed outside
 * its catches, or the runtime running it died): the alias is put back and the lock freed, as a
 * rollback would have — only if it is the execution that runs the rollout. If it ended but its fact
 * did not go out, the ending is returned for announcing.
 */
export async function recover(
  ledger: RolloutLedger,
  traffic: AliasTraffic,
  rolloutId: string,
  executionArn: string,
  ending: ExecutionEnding,
  now: Date,
): Promise<EndedRollout | undefined> {
  const record = await ledger.rollout(rolloutId);
  if (!record || record.executionId !== executionArn) return undefined;
  if (ENDED_STATUSES.has(record.status)) return endingOf(record);
  return rollBack(ledger, traffic, stateOf(record), { Error: ENDING_ERRORS[ending] }, now);
}

/** Announces an ending whose facts have not gone out yet, then notes that they have. */
export async function announceEnding(
  ledger: RolloutLedger,
  publisher: FactPublisher,
  ended: Pick<EndedRollout, 'rolloutId' | 'facts' | 'announced'>,
): Promise<void> {
  if (ended.announced) return;
  await publisher.publish(ended.facts);
  await ledger.markEndingAnnounced(ended.rolloutId);
}

/** A rollout's ending as its record keeps it: the outcome, and the facts that announce it. */
export function endingOf(record: RolloutRecord): EndedRollout {
  const { reason, evidence, explanation } = record;
  const outcome = outcomeOf(record, record.status, { reason, evidence, explanation });
  return {
    rolloutId: record.rolloutId,
    outcome,
    facts: endingFacts(record),
    announced: record.endingAnnounced === true,
  };
}

function endingFacts(record: RolloutRecord): Fact[] {
  const reason = record.reason ?? record.status;
  switch (record.status) {
    case 'SUCCEEDED':
      return [succeededFact(record)];
    case 'ROLLED_BACK':
    case 'ABORTED':
      return [rolledBackFact(record, reason, { ...record.evidence })];
    case 'FAILED':
      return [failedFact(record.rolloutId, reason, record.explanation ?? reason)];
    case 'REJECTED':
      return [rejectedFact(record.rolloutId, reason, record.explanation ?? reason)];
    default:
      return [];
  }
}

async function recordedEnding(ledger: RolloutLedger, rolloutId: string): Promise<EndedRollout | undefined> {
  const record = await ledger.rollout(rolloutId);
  return record && ENDED_STATUSES.has(record.status) ? endingOf(record) : undefined;
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

/** Ends the rollout (or finds how it ended), stops watching its alarms and frees its lock. */
export async function close(
  ledger: RolloutLedger,
  state: RolloutState,
  ending: RolloutEnding,
  now: Date,
): Promise<EndedRollout> {
  const ended = await ledger.endRollout(state, ending, now);
  await ledger.unwatchAlarms(state.rolloutId, state.alarms);
  await ledger.unlockAlias(state.functionName, state.alias, state.rolloutId);
  return endingOf(ended);
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

function outcomeOf(
  state: RolloutState,
  status: RolloutStatus,
  details: Pick<RolloutOutcome, 'reason' | 'evidence' | 'explanation'>,
): RolloutOutcome {
  const { rolloutId, functionName, alias, fromVersion, toVersion } = state;
  const { reason, evidence, explanation } = details;
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
    ...(explanation ? { explanation } : {}),
  };
}

/** The workflow's state within a record: what the record adds (status, gate, signal…) left out. */
export function stateOf(record: RolloutRecord): RolloutState {
  const {
    status,
    executionId,
    gate,
    signal,
    lastSignalId,
    reason,
    evidence,
    explanation,
    endingAnnounced,
    updatedAt,
    ...state
  } = record;
  return state;
}

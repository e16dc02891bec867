/**
 * How a rollout ends. Success: all traffic is on the target version already (unless an alarm or
 * an abort came meanwhile). Rollback: the alias goes back to the version it had, with no routing —
 * whatever its revision now, unless someone else has routed it elsewhere. Either way the alarms
 * are no longer watched, the alias's lock is freed and the outcome announced, with its evidence.
 *
 * A rollout ends once: its record keeps the first ending (and what its fact needs), and every
 * later attempt to end it — a retried step, a recovery — returns that ending, never another, and
 * announces it again until it has been announced. A rollback marks the record before it touches
 * the alias, and a marked rollout cannot succeed: a success and a rollback racing (a stop while
 * the last task runs) never end as SUCCEEDED with the alias put back.
 */
import type { Fact } from '../events/define-event';
import type { FactPublisher } from '../ports';
import { ENDING_ERRORS, type ExecutionEnding } from '../recovery/executions';
import type { StepFailure } from '../step-failure';
import { AliasDrift, AliasTakenOver, GATE_ERRORS } from './errors';
import {
  type AliasTraffic,
  ENDED_STATUSES,
  type RolloutLedger,
  type RolloutRecord,
  type RolloutState,
  type RolloutStatus,
  type UnsuccessfulEnding,
} from './rollout';
import { failedFact, rejectedFact, rolledBackFact, succeededFact } from './rollout-facts';
import { takeEndingSignal } from './rollout-signals';

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
  const record = await ledger.endRollout(state, { status: 'SUCCEEDED' }, now);
  // A rollback began meanwhile (a recovery, the execution stopped while this task ran): it may
  // have put the alias back already, so the rollout ends as that rollback — finished here too.
  if (!ENDED_STATUSES.has(record.status) && record.rollingBack) {
    return finishRollback(ledger, traffic, state, record.rollingBack, now);
  }
  return letGo(ledger, state, record);
}

export async function rollBack(
  ledger: RolloutLedger,
  traffic: AliasTraffic,
  state: RolloutState,
  failure: StepFailure,
  now: Date,
): Promise<EndedRollout> {
  const ending: UnsuccessfulEnding = {
    status: failure.Error === GATE_ERRORS.abort ? 'ABORTED' : 'ROLLED_BACK',
    reason: failure.Error,
    evidence: { ...evidenceOf(failure), stepReached: state.step, weightReached: state.weight },
  };
  // Marked first, so that no success is recorded once the alias may be on its way back.
  const record = await ledger.beginRollback(state.rolloutId, ending, now);
  // Ended already (a retried step, a recovery, a success recorded first): the alias is left as
  // that ending left it.
  if (ENDED_STATUSES.has(record.status)) return endingOf(record);
  // A rollback begun first (the workflow's, a recovery's) ends as it was begun.
  return finishRollback(ledger, traffic, state, record.rollingBack ?? ending, now);
}

/** Puts the alias back and ends the rollout as the rollback begun says. */
async function finishRollback(
  ledger: RolloutLedger,
  traffic: AliasTraffic,
  state: RolloutState,
  ending: UnsuccessfulEnding,
  now: Date,
): Promise<EndedRollout> {
  await restoreAlias(traffic, state);
  return close(ledger, state, ending, now);
}

/** The rollback itself failed: the lock is freed all the same, and an operator is told. */
export function fail(
  ledger: RolloutLedger,
  state: RolloutState,
  failure: StepFailure,
  now: Date,
): Promise<EndedRollout> {
  const explanation =
    `could not put alias ${state.alias} of ${state.functionName} back on version ${state.fromVersion}: ${failure.Error} ${failure.Cause ?? ''}`.trim();
  return close(ledger, state, { status: 'FAILED', reason: failure.Error, explanation }, now);
}

/** How a rollout that never held its alias ends: refused, with what kept it from starting. */
export function notStarted(failure: StepFailure): UnsuccessfulEnding {
  return {
    status: 'REJECTED',
    reason: failure.Error,
    explanation: `the rollout could not start: ${failure.Error} ${failure.Cause ?? ''}`.trim(),
  };
}

/**
 * The rollout's execution ended without the rollout ending (stopped, timed out, failed outside
 * its catches, or the runtime running it died): the alias is put back and the lock freed, as a
 * rollback would have — only if it is the execution that runs the rollout. A rollout that never
 * held the alias (it waited for a superseded one to let go) touches no alias: it ends as not
 * started, as the workflow's Abandon ends it. An alias someone else has taken over is left to
 * them, and the rollout ends FAILED, as the workflow's CouldNotFinish ends it — its lock freed,
 * not held for good. If it ended but its fact did not go out, the ending is returned for announcing.
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
  const state = stateOf(record);
  const cause = ENDING_ERRORS[ending];
  if (!(await heldAlias(ledger, record))) {
    const failure = { Error: cause, Cause: `its execution ended before it held alias ${record.alias}` };
    return close(ledger, state, notStarted(failure), now);
  }
  try {
    return await rollBack(ledger, traffic, state, { Error: cause }, now);
  } catch (error) {
    if (!(error instanceof AliasTakenOver)) throw error;
    return fail(ledger, state, { Error: error.name, Cause: `after ${cause}: ${error.message}` }, now);
  }
}

/**
 * Whether the rollout has held its alias: it holds the lock, or it has taken a step (the lock is
 * freed only once it has ended). A rollout whose start is still trying finds the ending recorded
 * when it takes the lock, and lets go.
 */
async function heldAlias(ledger: RolloutLedger, record: RolloutRecord): Promise<boolean> {
  return (
    record.step > 0 || (await ledger.aliasHolder(record.functionName, record.alias)) === record.rolloutId
  );
}

/** Recovers a rollout whose execution ended (see `recover`) and announces how it ended: the status-change route and the reconciler both run this. */
export async function recoverRollout(
  deps: {
    readonly rollouts: RolloutLedger;
    readonly traffic: AliasTraffic;
    readonly publisher: FactPublisher;
  },
  rolloutId: string,
  execution: { readonly executionArn: string; readonly ending: ExecutionEnding },
  now: Date,
): Promise<void> {
  const ended = await recover(
    deps.rollouts,
    deps.traffic,
    rolloutId,
    execution.executionArn,
    execution.ending,
    now,
  );
  if (ended) await announceEnding(deps.rollouts, deps.publisher, ended);
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

/**
 * Ends the rollout otherwise than by success (or finds how it ended), stops watching its alarms and
 * frees its lock. A success goes through `succeed`: the ledger refuses it once a rollback has begun.
 */
export async function close(
  ledger: RolloutLedger,
  state: RolloutState,
  ending: UnsuccessfulEnding,
  now: Date,
): Promise<EndedRollout> {
  return letGo(ledger, state, await ledger.endRollout(state, ending, now));
}

/** Once ended: its alarms are no longer watched, its lock is freed. */
async function letGo(
  ledger: RolloutLedger,
  state: RolloutState,
  ended: RolloutRecord,
): Promise<EndedRollout> {
  await ledger.unwatchAlarms(state.rolloutId, state.alarms);
  await ledger.unlockAlias(state.functionName, state.alias, state.rolloutId);
  return endingOf(ended);
}

/** An alarm's or a superseding rollout's evidence travels as the gate's JSON cause. */
function evidenceOf(failure: StepFailure): Record<string, unknown> {
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
    rollingBack,
    updatedAt,
    ...state
  } = record;
  return state;
}

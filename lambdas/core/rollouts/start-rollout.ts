/**
 * The first step of `roll-out-service`: checks the request against the alias as it is, records
 * the rollout, takes the alias's lock and announces the start. A second rollout of a locked alias
 * is REJECTED with `RolloutInProgress`, or — with `onConflict: "supersede"` — asks the running one
 * to roll back and waits (`RolloutLockHeld`, retried by the workflow) until it has let go.
 */
import type * as z from 'zod/mini';
import { InvalidRequest } from '../errors';
import type { Fact } from '../events/define-event';
import type { ServiceRolloutRequested } from '../events/rollout-events';
import type { TaskAnswerer } from '../ports';
import type { StepFailure } from '../step-failure';
import { RolloutLockHeld } from './errors';
import { close, type EndedRollout, endingOf, notStarted, stateOf } from './finish-rollout';
import {
  type AliasRouting,
  type AliasTraffic,
  ENDED_STATUSES,
  type RolloutLedger,
  type RolloutRecord,
  type RolloutState,
} from './rollout';
import { startedFact } from './rollout-facts';
import { deliverSignal } from './rollout-signals';
import { describeStrategy, rolloutSteps } from './rollout-steps';

export type RolloutRequest = z.output<typeof ServiceRolloutRequested.schema>;

export type StartOutcome =
  | { readonly status: 'RUNNING'; readonly state: RolloutState; readonly facts: Fact[] }
  /** Refused, as recorded (and announced until announced); a duplicate delivery announces nothing. */
  | ({ readonly status: 'REJECTED'; readonly state: RolloutState } & Omit<EndedRollout, 'outcome'> & {
        readonly reason: string;
        readonly explanation: string;
      });

export async function startRollout(
  ledger: RolloutLedger,
  traffic: AliasTraffic,
  answers: TaskAnswerer,
  request: RolloutRequest,
  /** The execution running this rollout: its retries continue what it began. */
  executionId: string,
  now: Date,
): Promise<StartOutcome> {
  const functionName = functionNameOf(request.functionName);
  const steps = rolloutSteps(request.strategy);
  const existing = await ledger.rollout(request.rolloutId);
  // A duplicate delivery, or an id used before: the first request's workflow owns it.
  if (existing && existing.executionId !== executionId) return duplicate(existing);
  const routing = await traffic.alias(functionName, request.alias);
  if (!routing) {
    throw new InvalidRequest(
      `alias: ${functionName} has no alias ${request.alias} (or the function does not exist)`,
    );
  }
  if (!(await traffic.hasVersion(functionName, request.targetVersion))) {
    throw new InvalidRequest(
      `targetVersion: ${functionName} has no published version ${request.targetVersion}`,
    );
  }
  if (routing.functionVersion === request.targetVersion && Object.keys(routing.weights).length === 0) {
    throw new InvalidRequest(
      `targetVersion: alias ${request.alias} already sends all traffic to version ${request.targetVersion}`,
    );
  }
  const state = initialState(request, steps, routing);
  if (
    !existing &&
    !(await ledger.createRollout({ ...state, executionId, status: 'RUNNING', updatedAt: now.toISOString() }))
  ) {
    const first = await ledger.rollout(request.rolloutId);
    if (first) return duplicate(first);
  }

  const holder = await takeAlias(ledger, functionName, request.alias, request.rolloutId, now);
  if (holder !== request.rolloutId) {
    if (request.onConflict === 'supersede') {
      await deliverSignal(ledger, answers, holder, {
        signalId: `supersede:${request.rolloutId}`,
        kind: 'supersede',
        evidence: { supersededBy: request.rolloutId },
      });
      throw new RolloutLockHeld(`rollout ${holder} is rolling back to make way for ${request.rolloutId}`);
    }
    const explanation = `rollout ${holder} is shifting alias ${request.alias} of ${functionName}; send onConflict "supersede" to replace it`;
    return refuse(ledger, state, 'RolloutInProgress', explanation, now);
  }
  const split = Object.keys(routing.weights);
  if (split.length > 0) {
    await ledger.unlockAlias(functionName, request.alias, request.rolloutId);
    const explanation = `alias ${request.alias} is split between versions ${routing.functionVersion} and ${split.join(', ')} by someone else; settle it first`;
    return refuse(ledger, state, 'AliasSplit', explanation, now);
  }
  let running: boolean;
  try {
    running = await ledger.saveRollout(state, 'RUNNING', now);
    if (running) await ledger.watchAlarms(request.rolloutId, state.alarms);
  } catch (error) {
    // Nothing has moved yet: give the alias back rather than hold it for a rollout that never ran.
    await ledger.unlockAlias(functionName, request.alias, request.rolloutId).catch(() => undefined);
    throw error;
  }
  if (!running) {
    // An earlier try of this very start ended it (refused): that ending stands.
    await ledger.unlockAlias(functionName, request.alias, request.rolloutId);
    return refuse(ledger, state, 'RolloutInProgress', '', now);
  }
  return { status: 'RUNNING', state, facts: [startedFact(state)] };
}

/** The workflow's state before the first shift; `from` is the alias as it was found, if it was read. */
function initialState(
  request: RolloutRequest,
  steps: RolloutState['steps'],
  from: Pick<AliasRouting, 'functionVersion' | 'revisionId'> | undefined,
): RolloutState {
  return {
    rolloutId: request.rolloutId,
    functionName: functionNameOf(request.functionName),
    alias: request.alias,
    fromVersion: from?.functionVersion ?? '',
    toVersion: request.targetVersion,
    strategy: describeStrategy(request.strategy),
    steps,
    step: 0,
    weight: 0,
    revisionId: from?.revisionId,
    alarms: request.alarms ?? [],
    hooks: request.hooks,
    bakeSeconds: 0,
    done: false,
    drift: false,
    promote: false,
  };
}

/**
 * The rollout could not start (the first task failed for good): if this execution recorded it, it
 * is REJECTED with the error and the alias's lock freed, so the alias is not held for a rollout
 * that never ran. If nothing was recorded, the refusal is recorded now — which also keeps a
 * duplicate delivery from starting it afterwards, so that announcing it misleads nobody. A
 * rollout recorded by another execution (a duplicate delivery's first) is not this one's to end.
 */
export async function abandonStart(
  ledger: RolloutLedger,
  request: RolloutRequest,
  executionId: string,
  failure: StepFailure,
  now: Date,
): Promise<EndedRollout | undefined> {
  const ending = notStarted(failure);
  const record = await ledger.rollout(request.rolloutId);
  if (record) {
    return record.executionId === executionId ? close(ledger, stateOf(record), ending, now) : undefined;
  }
  const state = initialState(request, rolloutSteps(request.strategy), undefined);
  const created = await ledger.createRollout({
    ...state,
    ...ending,
    executionId,
    updatedAt: now.toISOString(),
  });
  if (!created) return undefined;
  const recorded = await ledger.rollout(request.rolloutId);
  return recorded ? endingOf(recorded) : undefined;
}

/** Records the refusal — or finds the ending recorded first, which stands — to be announced. */
async function refuse(
  ledger: RolloutLedger,
  state: RolloutState,
  reason: string,
  explanation: string,
  now: Date,
): Promise<StartOutcome> {
  const ended = endingOf(await ledger.endRollout(state, { status: 'REJECTED', reason, explanation }, now));
  return {
    status: 'REJECTED',
    state,
    rolloutId: ended.rolloutId,
    facts: ended.facts,
    announced: ended.announced,
    reason: ended.outcome.reason ?? reason,
    explanation: ended.outcome.explanation ?? explanation,
  };
}

/**
 * Takes the alias's lock; the holder's id when another rollout has it. A lock whose holder has
 * ended (its workflow failed before freeing it) is taken over.
 */
async function takeAlias(
  ledger: RolloutLedger,
  functionName: string,
  alias: string,
  rolloutId: string,
  now: Date,
): Promise<string> {
  const { holder } = await ledger.lockAlias(functionName, alias, rolloutId, now);
  if (holder === rolloutId) return holder;
  const held = await ledger.rollout(holder);
  if (held && !ENDED_STATUSES.has(held.status)) return holder;
  return (await ledger.lockAlias(functionName, alias, rolloutId, now, holder)).holder;
}

/** `arn:aws:lambda:…:function:checkout` (or `…:checkout:live`) → `checkout`. */
export function functionNameOf(nameOrArn: string): string {
  const match = /^arn:[^:]+:lambda:[^:]*:[^:]*:function:([^:]+)/.exec(nameOrArn);
  return match?.[1] ?? nameOrArn;
}

/**
 * A duplicate delivery (or a rolloutId used before) is answered in the execution's output and
 * announced to nobody: a `ServiceRolloutRejected` under this id would read as the end of the
 * first rollout, which may well be running.
 */
function duplicate(first: RolloutRecord): StartOutcome {
  return {
    status: 'REJECTED',
    state: first,
    rolloutId: first.rolloutId,
    facts: [],
    announced: true,
    reason: 'DuplicateRollout',
    explanation: `rollout ${first.rolloutId} exists already (${first.status}); use a new rolloutId`,
  };
}

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
import {
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

/** Raised while a superseded rollout still holds the alias: the workflow tries again shortly. */
export class RolloutLockHeld extends Error {
  override readonly name = 'RolloutLockHeld';
}

export type StartOutcome =
  | { readonly status: 'RUNNING'; readonly state: RolloutState; readonly facts: Fact[] }
  | {
      readonly status: 'REJECTED';
      readonly state: RolloutState;
      readonly reason: 'RolloutInProgress' | 'AliasSplit' | 'DuplicateRollout';
      readonly explanation: string;
    };

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
  const state: RolloutState = {
    rolloutId: request.rolloutId,
    functionName,
    alias: request.alias,
    fromVersion: routing.functionVersion,
    toVersion: request.targetVersion,
    strategy: describeStrategy(request.strategy),
    steps,
    step: 0,
    weight: 0,
    revisionId: routing.revisionId,
    alarms: request.alarms ?? [],
    hooks: request.hooks,
    bakeSeconds: 0,
    done: false,
    drift: false,
    promote: false,
  };
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
    await ledger.saveRollout(state, 'REJECTED', now, 'RolloutInProgress');
    return { status: 'REJECTED', state, reason: 'RolloutInProgress', explanation };
  }
  const split = Object.keys(routing.weights);
  if (split.length > 0) {
    await ledger.unlockAlias(functionName, request.alias, request.rolloutId);
    const explanation = `alias ${request.alias} is split between versions ${routing.functionVersion} and ${split.join(', ')} by someone else; settle it first`;
    await ledger.saveRollout(state, 'REJECTED', now, 'AliasSplit');
    return { status: 'REJECTED', state, reason: 'AliasSplit', explanation };
  }
  try {
    await ledger.saveRollout(state, 'RUNNING', now);
    await ledger.watchAlarms(request.rolloutId, state.alarms);
  } catch (error) {
    // Nothing has moved yet: give the alias back rather than hold it for a rollout that never ran.
    await ledger.unlockAlias(functionName, request.alias, request.rolloutId).catch(() => undefined);
    throw error;
  }
  return { status: 'RUNNING', state, facts: [startedFact(state)] };
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

function duplicate(first: RolloutRecord): StartOutcome {
  return {
    status: 'REJECTED',
    state: first,
    reason: 'DuplicateRollout',
    explanation: `rollout ${first.rolloutId} exists already (${first.status}); use a new rolloutId`,
  };
}

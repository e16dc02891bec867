/**
 * One traffic step: the alias routes the next step's share to the target version — only if its
 * revision is the one the rollout left (anything else is drift: the rollout pauses and says so)
 * — and is read back to verify it. At 100 % the target becomes the alias's version, with no
 * routing left.
 *
 * A step of a rollout that has ended, or begun to roll back (recovered while this step was on its
 * way: a stop lets the task in flight finish), routes nothing — and one that routed as the ending
 * came puts the alias back, so no alias is left split after its rollout ended.
 */
import type { Fact } from '../events/define-event';
import { AliasDrift, AliasTakenOver, RolloutEnded } from './errors';
import {
  type AliasRouting,
  type AliasTraffic,
  ENDED_STATUSES,
  type RolloutLedger,
  type RolloutState,
} from './rollout';
import { pausedFact, stepFact } from './rollout-facts';
import { stepWeight } from './rollout-steps';

export async function shiftTraffic(
  ledger: RolloutLedger,
  traffic: AliasTraffic,
  state: RolloutState,
  now: Date,
): Promise<{ state: RolloutState; facts: Fact[] }> {
  const { functionName, alias, fromVersion, toVersion } = state;
  if (!(await goesOn(ledger, state.rolloutId))) throw ended(state);
  const revisionId = state.revisionId ?? (await adoptAlias(traffic, state));
  const index = state.promote ? state.steps.length - 1 : Math.min(state.step, state.steps.length - 1);
  const next = state.steps[index] ?? { percent: 100, bakeSeconds: 0 };
  const weight = stepWeight(next.percent);
  const routing =
    weight >= 1
      ? { primary: toVersion }
      : { primary: fromVersion, additional: { version: toVersion, weight } };
  let revision: string;
  try {
    revision = await routeOnce(traffic, state, routing, revisionId);
    await verify(traffic, state, routing, revision);
  } catch (error) {
    if (!(error instanceof AliasDrift)) throw error;
    const drifted: RolloutState = { ...state, revisionId: undefined, drift: true, promote: false };
    const explanation = `alias ${alias} of ${functionName} was changed outside the rollout (${error.message}); it holds step ${state.step} of ${state.steps.length} until resumed (which adopts the alias as it is), promoted or aborted`;
    if (!(await ledger.saveRollout(drifted, 'PAUSED', now, 'AliasDrift'))) throw ended(state);
    return { state: drifted, facts: [pausedFact(state.rolloutId, 'AliasDrift', explanation)] };
  }
  const shifted: RolloutState = {
    ...state,
    step: index + 1,
    weight,
    revisionId: revision,
    bakeSeconds: next.bakeSeconds,
    done: weight >= 1,
    drift: false,
    promote: false,
  };
  if (!(await ledger.saveRollout(shifted, 'RUNNING', now))) {
    await routeBack(traffic, state, revision);
    throw ended(state);
  }
  return { state: shifted, facts: [stepFact(shifted)] };
}

/** Whether the rollout may still take a step: neither ended nor rolling back. */
async function goesOn(ledger: RolloutLedger, rolloutId: string): Promise<boolean> {
  const record = await ledger.rollout(rolloutId);
  return record !== undefined && !ENDED_STATUSES.has(record.status) && !record.rollingBack;
}

/**
 * Undoes this step's routing, the rollout having ended (or begun rolling back) as it routed: back
 * to the version every ending but success leaves — only if the alias is still as this step left it
 * (a rollback that put it back since, or anyone else's change, stands).
 */
async function routeBack(traffic: AliasTraffic, state: RolloutState, revision: string): Promise<void> {
  try {
    await traffic.route(state.functionName, state.alias, { primary: state.fromVersion }, revision);
  } catch (error) {
    if (!(error instanceof AliasDrift)) throw error;
  }
}

/** The rollout ended meanwhile (recovered after its execution was stopped): its ending stands. */
function ended(state: RolloutState): RolloutEnded {
  return new RolloutEnded(`rollout ${state.rolloutId} has ended: its step is not recorded`);
}

/**
 * Routes the alias. A refusal because the revision moved on may be this very step's own earlier
 * attempt (retried after its answer or its fact was lost): if the alias routes exactly as this
 * step sets it, that is the step done, not drift.
 */
async function routeOnce(
  traffic: AliasTraffic,
  state: RolloutState,
  routing: Routing,
  revisionId: string,
): Promise<string> {
  try {
    return await traffic.route(state.functionName, state.alias, routing, revisionId);
  } catch (error) {
    if (!(error instanceof AliasDrift)) throw error;
    const now = await traffic.alias(state.functionName, state.alias);
    if (now && routesAs(now, routing)) return now.revisionId;
    throw error;
  }
}

/** After drift, resuming takes the alias as it is now — if it still starts from the same version. */
async function adoptAlias(traffic: AliasTraffic, state: RolloutState): Promise<string> {
  const routing = await traffic.alias(state.functionName, state.alias);
  if (!routing || routing.functionVersion !== state.fromVersion) {
    throw new AliasTakenOver(
      `alias ${state.alias} of ${state.functionName} now routes to version ${routing?.functionVersion ?? '(none)'}, not ${state.fromVersion}: the rollout cannot go on`,
    );
  }
  return routing.revisionId;
}

/** Reads the alias back: what the step set must be what Lambda routes. */
async function verify(
  traffic: AliasTraffic,
  state: RolloutState,
  routing: Routing,
  revision: string,
): Promise<void> {
  const now = await traffic.alias(state.functionName, state.alias);
  if (!now || now.revisionId !== revision || !routesAs(now, routing)) {
    throw new AliasDrift(`read back ${JSON.stringify(now)} right after setting ${JSON.stringify(routing)}`);
  }
}

type Routing = { primary: string; additional?: { version: string; weight: number } };

function routesAs(alias: AliasRouting, routing: Routing): boolean {
  const expected = routing.additional ? { [routing.additional.version]: routing.additional.weight } : {};
  return (
    alias.functionVersion === routing.primary && JSON.stringify(alias.weights) === JSON.stringify(expected)
  );
}

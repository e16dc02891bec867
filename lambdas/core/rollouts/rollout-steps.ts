/**
 * A rollout strategy as the traffic steps it takes: each step's share of the target version and
 * how long it bakes. Every strategy ends with a step to 100 %, which needs no bake (the
 * post-traffic hook is its check).
 */
import type * as z from 'zod/mini';
import { InvalidRequest } from '../errors';
import type { ServiceRolloutRequested } from '../events/rollout-events';

export type RolloutStrategy = z.output<typeof ServiceRolloutRequested.schema>['strategy'];

/** A bake lasts at most a week (a Standard workflow may wait a year; nobody bakes that long). */
export const MAX_BAKE_SECONDS = 604_800;
/** At most 100 shifts: the rollout's state travels through the workflow (256 KB). */
export const MAX_ROLLOUT_STEPS = 100;

export interface TrafficStep {
  /** The target version's share of the alias's traffic, in percent. */
  readonly percent: number;
  readonly bakeSeconds: number;
}

export function rolloutSteps(strategy: RolloutStrategy): TrafficStep[] {
  const shifts = typeof strategy === 'string' ? shorthandShifts(strategy) : objectShifts(strategy);
  if (shifts.length > MAX_ROLLOUT_STEPS) {
    throw new InvalidRequest(
      `strategy: ${shifts.length} steps; a rollout takes at most ${MAX_ROLLOUT_STEPS}`,
    );
  }
  shifts.forEach((step, index) => {
    if (
      !(Number.isInteger(step.bakeSeconds) && step.bakeSeconds >= 0 && step.bakeSeconds <= MAX_BAKE_SECONDS)
    ) {
      throw new InvalidRequest(
        `strategy: step ${index + 1} bakes ${step.bakeSeconds} s; a bake is a whole number of seconds up to ${MAX_BAKE_SECONDS}`,
      );
    }
    if (!(step.percent > 0 && step.percent < 100)) {
      throw new InvalidRequest(
        `strategy: step ${index + 1} shifts ${step.percent} %; each step must be above 0 and below 100`,
      );
    }
    const previous = shifts[index - 1];
    if (previous && step.percent <= previous.percent) {
      throw new InvalidRequest(
        `strategy: steps must increase; ${step.percent} % follows ${previous.percent} %`,
      );
    }
  });
  return [...shifts, { percent: 100, bakeSeconds: 0 }];
}

/** The strategy in its shorthand, as the CLI and events show it. */
export function describeStrategy(strategy: RolloutStrategy): string {
  if (typeof strategy === 'string') return strategy;
  switch (strategy.type) {
    case 'canary':
      return `canary:${strategy.percent}:${strategy.bakeSeconds}`;
    case 'linear':
      return `linear:${strategy.stepPercent}:${strategy.intervalSeconds}`;
    case 'allAtOnce':
      return 'allAtOnce';
    case 'steps':
      return `steps:${strategy.steps.map((step) => `${step.percent}@${step.bakeSeconds}`).join(',')}`;
  }
}

function objectShifts(strategy: Exclude<RolloutStrategy, string>): TrafficStep[] {
  switch (strategy.type) {
    case 'canary':
      return [{ percent: strategy.percent, bakeSeconds: strategy.bakeSeconds }];
    case 'linear':
      return linearShifts(strategy.stepPercent, strategy.intervalSeconds);
    case 'allAtOnce':
      return [];
    case 'steps':
      return [...strategy.steps];
  }
}

function shorthandShifts(shorthand: string): TrafficStep[] {
  const [type = '', ...rest] = shorthand.split(':');
  const numbers = rest.map(Number);
  switch (type) {
    case 'canary':
      return [{ percent: numbers[0] ?? Number.NaN, bakeSeconds: numbers[1] ?? Number.NaN }];
    case 'linear':
      return linearShifts(numbers[0] ?? Number.NaN, numbers[1] ?? Number.NaN);
    case 'steps':
      return (rest[0] ?? '').split(',').map((step) => {
        const [percent, bakeSeconds] = step.split('@').map(Number);
        return { percent: percent ?? Number.NaN, bakeSeconds: bakeSeconds ?? Number.NaN };
      });
    default:
      return [];
  }
}

/** stepPercent, 2 × stepPercent, … while below 100. */
function linearShifts(stepPercent: number, intervalSeconds: number): TrafficStep[] {
  if (!(stepPercent > 0 && stepPercent < 100)) {
    throw new InvalidRequest(`strategy: a linear step of ${stepPercent} % must be above 0 and below 100`);
  }
  const shifts: TrafficStep[] = [];
  // Rounded to a millionth so that 3 × 33.333… stays below 100 and 10 × 10 reaches it.
  for (let n = 1; Math.round(n * stepPercent * 1e6) / 1e6 < 100; n++) {
    shifts.push({ percent: Math.round(n * stepPercent * 1e6) / 1e6, bakeSeconds: intervalSeconds });
  }
  return shifts;
}

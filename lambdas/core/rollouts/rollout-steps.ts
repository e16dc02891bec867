/**
 * A rollout strategy as the traffic steps it takes: each step's share of the target version and
 * how long it bakes. Every strategy ends with a step to 100 %, which needs no bake (the
 * post-traffic hook is its check).
 *
 * A strategy is checked before anything is built from it: its steps are counted arithmetically
 * (a linear step of 1e-7 % would otherwise build a thousand million of them), each step's weight
 * as Lambda is set to — the share rounded to a millionth — must be above 0, below 1 and above the
 * step before (99.9999999 % would be a full cutover with no bake and no alarm gate), and the
 * whole bake must fit in the workflow's time. The request's schema for a strategy is declared here
 * too, so that a request is refused by the same expansion that builds its steps.
 */
import * as z from 'zod/mini';
import { InvalidRequest } from '../errors';

/** A bake lasts at most a week (a Standard workflow may wait a year; nobody bakes that long). */
export const MAX_BAKE_SECONDS = 604_800;
/** At most 100 shifts below 100 %: the rollout's state travels through the workflow (256 KB). */
export const MAX_ROLLOUT_STEPS = 100;
/**
 * All bakes of a rollout together: 30 days. `roll-out-service` ends after a year, which leaves the
 * rest for its tasks and for pauses (a test proves the worst accepted strategy fits).
 */
export const MAX_TOTAL_BAKE_SECONDS = 2_592_000;
/** Lambda's weights as a rollout sets them: the target's share, rounded to a millionth. */
const WEIGHT_UNITS = 1_000_000;

const percent = z
  .number()
  .check(
    z.gt(0),
    z.lt(100),
    z.describe(
      "Percent of the traffic, above 0 and below 100; as Lambda's weight (the share to a millionth) above 0 and below 1.",
    ),
  );
const seconds = z
  .int()
  .check(
    z.nonnegative(),
    z.maximum(MAX_BAKE_SECONDS),
    z.describe(`Seconds, 0 to ${MAX_BAKE_SECONDS} (a week).`),
  );

/** The forms a strategy takes: the objects, or their shorthand. */
const strategyForms = z.union([
  z
    .string()
    .check(
      z.maxLength(2048),
      z.regex(
        /^(canary:[0-9.]+:[0-9]+|linear:[0-9.]+:[0-9]+|allAtOnce|steps:[0-9.]+@[0-9]+(,[0-9.]+@[0-9]+)*)$/,
      ),
    ),
  z.object({ type: z.literal('canary'), percent, bakeSeconds: seconds }),
  z.object({ type: z.literal('linear'), stepPercent: percent, intervalSeconds: seconds }),
  z.object({ type: z.literal('allAtOnce') }),
  z.object({
    type: z.literal('steps'),
    steps: z
      .array(z.object({ percent, bakeSeconds: seconds }))
      .check(z.minLength(1), z.maxLength(MAX_ROLLOUT_STEPS)),
  }),
]);

export type RolloutStrategy = z.output<typeof strategyForms>;

/**
 * How traffic moves to the target version, as `ServiceRolloutRequested` states it: the object
 * forms, or their shorthand (`canary:10:300`, `linear:10:60`, `allAtOnce`, `steps:10@60,50@300`).
 * Whatever the form, a strategy takes at most 100 steps below 100 %, each above the one before,
 * and bakes at most 30 days in all.
 */
export const rolloutStrategy = strategyForms.check(
  z.superRefine(
    (strategy, context) => {
      const problem = strategyProblem(strategy);
      if (problem) context.addIssue({ code: 'custom', message: problem, input: strategy });
    },
    // What the fields' own checks refused is said once, by them.
    { when: (payload) => payload.issues.length === 0 },
  ),
  z.describe(
    `At most ${MAX_ROLLOUT_STEPS} steps below 100 %, each weight (the share to a millionth) above the one before; at most ${MAX_TOTAL_BAKE_SECONDS} s of bake in all.`,
  ),
);

export interface TrafficStep {
  /** The target version's share of the alias's traffic, in percent. */
  readonly percent: number;
  readonly bakeSeconds: number;
}

type ObjectStrategy = Exclude<RolloutStrategy, string>;

/** The strategy's steps, the last one to 100 %; `InvalidRequest` naming the bound it breaks. */
export function rolloutSteps(strategy: RolloutStrategy): TrafficStep[] {
  const expansion = expand(strategy);
  if ('problem' in expansion) throw new InvalidRequest(`strategy: ${expansion.problem}`);
  return [...expansion.shifts, { percent: 100, bakeSeconds: 0 }];
}

/** What is wrong with a strategy, if anything: the request schema refuses it with this. */
function strategyProblem(strategy: RolloutStrategy): string | undefined {
  const expansion = expand(strategy);
  return 'problem' in expansion ? expansion.problem : undefined;
}

/** The weight Lambda routes to the target at a step: its percent, as a share rounded to a millionth. */
export function stepWeight(percent: number): number {
  return weightUnits(percent) / WEIGHT_UNITS;
}

function weightUnits(percent: number): number {
  return Math.round((percent / 100) * WEIGHT_UNITS);
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

type Expansion = { readonly shifts: TrafficStep[] } | { readonly problem: string };

function expand(strategy: RolloutStrategy): Expansion {
  const parsed = typeof strategy === 'string' ? parseShorthand(strategy) : strategy;
  if ('problem' in parsed) return parsed;
  const shifts = shiftsOf(parsed);
  if ('problem' in shifts) return shifts;
  const totalBake = shifts.shifts.reduce((total, step) => total + step.bakeSeconds, 0);
  if (totalBake > MAX_TOTAL_BAKE_SECONDS) {
    return {
      problem: `its bakes add up to ${totalBake} s; a rollout bakes at most ${MAX_TOTAL_BAKE_SECONDS} s (30 days) in all`,
    };
  }
  return shifts;
}

function shiftsOf(strategy: ObjectStrategy): Expansion {
  switch (strategy.type) {
    case 'allAtOnce':
      return { shifts: [] };
    case 'canary':
      return checkedSteps([{ percent: strategy.percent, bakeSeconds: strategy.bakeSeconds }]);
    case 'linear':
      return linearShifts(strategy.stepPercent, strategy.intervalSeconds);
    case 'steps':
      if (strategy.steps.length > MAX_ROLLOUT_STEPS) return tooManySteps(strategy.steps.length);
      return checkedSteps(strategy.steps);
  }
}

/**
 * stepPercent, 2 × stepPercent, … while its weight stays below 1 — counted before any is built.
 * A step of at least a millionth of the traffic makes every weight rise.
 */
function linearShifts(stepPercent: number, intervalSeconds: number): Expansion {
  const problem = weightProblem(stepPercent, 'a linear step') ?? bakeProblem(intervalSeconds, 'its interval');
  if (problem) return { problem };
  const share = (stepPercent / 100) * WEIGHT_UNITS;
  if (share < 1) {
    return {
      problem: `a linear step of ${stepPercent} % moves less than a millionth of the traffic: its weights would not rise at every step`,
    };
  }
  // The steps whose weight rounds below 1: n × share < WEIGHT_UNITS − ½, adjusted for rounding.
  let count = Math.ceil((WEIGHT_UNITS - 0.5) / share) - 1;
  if (count > MAX_ROLLOUT_STEPS + 1) return tooManySteps(count, `a linear step of ${stepPercent} %`);
  while (weightUnits((count + 1) * stepPercent) < WEIGHT_UNITS) count++;
  while (count > 0 && weightUnits(count * stepPercent) >= WEIGHT_UNITS) count--;
  if (count > MAX_ROLLOUT_STEPS) return tooManySteps(count, `a linear step of ${stepPercent} %`);
  return {
    shifts: Array.from({ length: count }, (_, index) => ({
      percent: (index + 1) * stepPercent,
      bakeSeconds: intervalSeconds,
    })),
  };
}

function checkedSteps(steps: readonly TrafficStep[]): Expansion {
  for (const [index, step] of steps.entries()) {
    const problem =
      weightProblem(step.percent, `step ${index + 1}`) ??
      bakeProblem(step.bakeSeconds, `step ${index + 1}'s bake`);
    if (problem) return { problem };
    const previous = steps[index - 1];
    if (previous && weightUnits(step.percent) <= weightUnits(previous.percent)) {
      return {
        problem: `steps must increase as Lambda routes them; ${step.percent} % (weight ${stepWeight(step.percent)}) follows ${previous.percent} % (weight ${stepWeight(previous.percent)})`,
      };
    }
  }
  return { shifts: steps.map(({ percent, bakeSeconds }) => ({ percent, bakeSeconds })) };
}

/** A step's weight as Lambda is set to must be a share of the traffic: above 0 and below 1. */
function weightProblem(percent: number, what: string): string | undefined {
  if (!(percent > 0 && percent < 100)) {
    return `${what} shifts ${percent} %; each step must be above 0 and below 100`;
  }
  const weight = stepWeight(percent);
  if (weight <= 0 || weight >= 1) {
    return `${what} shifts ${percent} %, which Lambda would route as weight ${weight}${weight >= 1 ? ' (a full cutover, with no bake and no alarm gate)' : ''}; a step's share rounded to a millionth must be above 0 and below 1`;
  }
  return undefined;
}

function bakeProblem(seconds: number, what: string): string | undefined {
  if (Number.isInteger(seconds) && seconds >= 0 && seconds <= MAX_BAKE_SECONDS) return undefined;
  return `${what} is ${seconds} s; a bake is a whole number of seconds up to ${MAX_BAKE_SECONDS}`;
}

function tooManySteps(count: number, what = 'it'): { problem: string } {
  return { problem: `${what} takes ${count} steps; a rollout takes at most ${MAX_ROLLOUT_STEPS}` };
}

/** `canary:10:300`, `linear:10:60`, `allAtOnce`, `steps:10@60,50@300` as the object form. */
function parseShorthand(shorthand: string): ObjectStrategy | { problem: string } {
  const [type = '', ...rest] = shorthand.split(':');
  const numbers = rest.map(Number);
  switch (type) {
    case 'allAtOnce':
      return { type: 'allAtOnce' };
    case 'canary':
      return { type: 'canary', percent: numbers[0] ?? Number.NaN, bakeSeconds: numbers[1] ?? Number.NaN };
    case 'linear':
      return {
        type: 'linear',
        stepPercent: numbers[0] ?? Number.NaN,
        intervalSeconds: numbers[1] ?? Number.NaN,
      };
    case 'steps': {
      const steps = (rest[0] ?? '').split(',');
      if (steps.length > MAX_ROLLOUT_STEPS) return tooManySteps(steps.length);
      return {
        type: 'steps',
        steps: steps.map((step) => {
          const [percent, bakeSeconds] = step.split('@').map(Number);
          return { percent: percent ?? Number.NaN, bakeSeconds: bakeSeconds ?? Number.NaN };
        }),
      };
    }
    default:
      return { problem: `${shorthand} is not a strategy (canary:P:S, linear:P:S, allAtOnce, steps:P@S,…)` };
  }
}

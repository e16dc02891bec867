/**
 * Rollout strategies are bounded before anything is built from them: every accepted strategy
 * expands to at most the step limit, each step's weight as Lambda is set is above 0, below 1 and
 * above the step before, and the worst accepted strategy — with every task of `roll-out-service`
 * taking its worst time and a number of week-long pauses — ends within the workflow's timeout.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ServiceRolloutRequested } from '../../lambdas/core/events/rollout-events';
import { parseDetail } from '../../lambdas/core/events/validation';
import {
  MAX_BAKE_SECONDS,
  MAX_ROLLOUT_STEPS,
  MAX_TOTAL_BAKE_SECONDS,
  rolloutSteps,
  stepWeight,
} from '../../lambdas/core/rollouts/rollout-steps';
import { functionArnSubstitution, functions } from '../../lib/topology/functions';
import { productWorkflowDirectory } from '../../lib/topology/workflows';

const request = (strategy: unknown) => ({
  rolloutId: 'r-1',
  functionName: 'checkout',
  alias: 'live',
  targetVersion: '2',
  strategy,
});

function parsed(strategy: unknown) {
  return parseDetail(ServiceRolloutRequested, request(strategy));
}

/** Percents a fuzzer would try: the extremes the fuzz harness found, and ordinary ones. */
const percent = fc.oneof(
  fc.constantFrom(1e-7, 1e-200, 5e-324, 99.9999999, 99.99999, 99.999999, 2 ** 53 + 2, 1e308, 0.0001, 33.3333),
  fc.double({ min: -1, max: 101, noNaN: true }),
  fc.integer({ min: 1, max: 99 }),
);
const seconds = fc.oneof(
  fc.constantFrom(0, 1, MAX_BAKE_SECONDS, MAX_BAKE_SECONDS + 1, 2 ** 53 + 2, 1e308),
  fc.integer({ min: 0, max: 2 * MAX_BAKE_SECONDS }),
);
const strategy = fc.oneof(
  fc.record({ type: fc.constant('canary'), percent, bakeSeconds: seconds }),
  fc.record({ type: fc.constant('linear'), stepPercent: percent, intervalSeconds: seconds }),
  fc.constant({ type: 'allAtOnce' }),
  fc.record({
    type: fc.constant('steps'),
    steps: fc.array(fc.record({ percent, bakeSeconds: seconds }), { minLength: 1, maxLength: 120 }),
  }),
  fc.tuple(fc.constantFrom('canary', 'linear'), percent, seconds).map(([type, p, s]) => `${type}:${p}:${s}`),
  fc
    .array(fc.tuple(percent, seconds), { minLength: 1, maxLength: 120 })
    .map((steps) => `steps:${steps.map(([p, s]) => `${p}@${s}`).join(',')}`),
);

describe('rollout strategies', () => {
  it('expand, when accepted, to at most the step limit, with weights above 0, below 1 and increasing, and a bounded bake', () => {
    fc.assert(
      fc.property(strategy, (candidate) => {
        const result = parsed(candidate);
        if (!result.ok) return;
        const steps = rolloutSteps(result.value.strategy);
        expect(steps.length).toBeLessThanOrEqual(MAX_ROLLOUT_STEPS + 1);
        const weights = steps.map((step) => stepWeight(step.percent));
        expect(weights.at(-1)).toBe(1);
        for (const [index, weight] of weights.slice(0, -1).entries()) {
          expect(weight).toBeGreaterThan(0);
          expect(weight).toBeLessThan(1);
          if (index > 0) expect(weight).toBeGreaterThan(weights[index - 1] ?? 1);
        }
        const bake = steps.reduce((total, step) => total + step.bakeSeconds, 0);
        expect(bake).toBeLessThanOrEqual(MAX_TOTAL_BAKE_SECONDS);
      }),
      { numRuns: 2000 },
    );
  });

  it.each([
    [
      'a linear step of 1e-7 % (once: the heap died building its steps)',
      { type: 'linear', stepPercent: 1e-7, intervalSeconds: 1 },
      /which Lambda would route as weight 0; a step's share rounded to a millionth must be above 0/,
    ],
    ['a linear step of 0.5 %, 199 steps', 'linear:0.5:60', /takes 199 steps; a rollout takes at most 100/],
    [
      'a canary of 99.9999999 % (once: a full cutover with no bake)',
      { type: 'canary', percent: 99.9999999, bakeSeconds: 60 },
      /as weight 1 \(a full cutover, with no bake and no alarm gate\)/,
    ],
    [
      'steps of 99.99999 % then 99.999999 % (once: both rounded to weight 1)',
      {
        type: 'steps',
        steps: [
          { percent: 99.99999, bakeSeconds: 60 },
          { percent: 99.999999, bakeSeconds: 60 },
        ],
      },
      /step 1 shifts 99.99999 %, which Lambda would route as weight 1 \(a full cutover/,
    ],
    [
      'steps of 99.9999 % then 99.99991 %: the same weight twice',
      'steps:99.9999@60,99.99991@60',
      /steps must increase as Lambda routes them; 99.99991 % \(weight 0.999999\) follows 99.9999 % \(weight 0.999999\)/,
    ],
    [
      'a linear step below a millionth of the traffic',
      'linear:0.00007:1',
      /moves less than a millionth of the traffic/,
    ],
    [
      '100 steps of a week (once: longer than the workflow may run)',
      {
        type: 'steps',
        steps: Array.from({ length: 100 }, (_, i) => ({ percent: i + 0.5, bakeSeconds: MAX_BAKE_SECONDS })),
      },
      /bakes add up to 60480000 s; a rollout bakes at most 2592000 s/,
    ],
    ['a bake of 2^53 + 2 s', { type: 'canary', percent: 10, bakeSeconds: 2 ** 53 + 2 }, /<=604800/],
    ['the shorthand of an endless linear', 'linear:0.0001:1', /takes 999999 steps/],
  ])('refuses %s, naming the bound', (_, candidate, message) => {
    const result = parsed(candidate);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.errors.map((error) => error.message).join('; ')).toMatch(message);
  });

  it('accepts 48 equal linear steps of 100/48 %, each weight above the one before, the last below 1', () => {
    const result = parsed({ type: 'linear', stepPercent: 100 / 48, intervalSeconds: 60 });
    expect(result.ok).toBe(true);
    if (result.ok) {
      const weights = rolloutSteps(result.value.strategy).map((step) => stepWeight(step.percent));
      expect(weights).toHaveLength(48);
      expect(weights.slice(0, 3)).toEqual([0.020833, 0.041667, 0.0625]);
      expect(weights.slice(-2)).toEqual([0.979167, 1]);
    }
  });

  it('keeps the finest accepted steps distinct: 99.9998 % and 99.9999 % are weights 0.999998 and 0.999999', () => {
    const result = parsed('steps:99.9998@60,99.9999@60');
    expect(result.ok).toBe(true);
    if (result.ok) {
      expect(rolloutSteps(result.value.strategy).map((step) => stepWeight(step.percent))).toEqual([
        0.999998, 0.999999, 1,
      ]);
    }
  });
});

describe('roll-out-service within its timeout', () => {
  type Retrier = {
    ErrorEquals: string[];
    IntervalSeconds?: number;
    MaxAttempts?: number;
    BackoffRate?: number;
    MaxDelaySeconds?: number;
  };
  type TaskState = {
    Type: string;
    Parameters?: { FunctionName?: string };
    Retry?: Retrier[];
    TimeoutSeconds?: number;
  };
  const asl = JSON.parse(
    readFileSync(join(productWorkflowDirectory, 'roll-out-service.asl.json'), 'utf8'),
  ) as { TimeoutSeconds: number; States: Record<string, TaskState> };

  /** A task state's worst time: every try of every retrier up to its function's timeout, and every delay between. */
  function worstSeconds(stateName: string): number {
    const state = asl.States[stateName];
    if (!state) throw new Error(`no state ${stateName}`);
    const fn = functions.find(
      (definition) => state.Parameters?.FunctionName === `\${${functionArnSubstitution(definition.id)}}`,
    );
    if (!fn) throw new Error(`${stateName} invokes no known function`);
    let tries = 1;
    let delays = 0;
    for (const retrier of state.Retry ?? []) {
      const attempts = retrier.MaxAttempts ?? 3;
      tries += attempts;
      for (let k = 0; k < attempts; k++) {
        const delay = (retrier.IntervalSeconds ?? 1) * (retrier.BackoffRate ?? 2) ** k;
        delays += Math.min(delay, retrier.MaxDelaySeconds ?? Number.POSITIVE_INFINITY);
      }
    }
    return tries * fn.timeoutSeconds + delays;
  }

  /** How many week-long pauses (each followed by its step's bake again, after drift a shift) the timeout leaves room for. */
  const PAUSES = 20;

  it(`fits the worst accepted strategy, every task at its worst and ${PAUSES} pauses of a week`, () => {
    const pause = asl.States.Pause?.TimeoutSeconds ?? Number.POSITIVE_INFINITY;
    const shifts = MAX_ROLLOUT_STEPS + 1;
    const worst =
      worstSeconds('Start') +
      worstSeconds('PreTrafficHook') +
      shifts * (worstSeconds('Shift') + worstSeconds('Bake')) +
      MAX_TOTAL_BAKE_SECONDS +
      worstSeconds('PostTrafficHook') +
      worstSeconds('Succeed') +
      worstSeconds('CouldNotFinish') +
      PAUSES *
        (worstSeconds('Pause') + pause + worstSeconds('Bake') + MAX_BAKE_SECONDS + worstSeconds('Shift'));
    expect(pause).toBe(MAX_BAKE_SECONDS);
    expect(worst).toBeLessThanOrEqual(asl.TimeoutSeconds);
  });

  it('could not fit the strategies it accepted before (100 steps of a week each)', () => {
    expect(MAX_ROLLOUT_STEPS * MAX_BAKE_SECONDS).toBeGreaterThan(asl.TimeoutSeconds);
  });
});

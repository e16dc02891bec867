/** The rollout state as the tasks of `roll-out-service` receive it, checked where it arrives. */
import * as z from 'zod/mini';
import { identifier } from '../events/primitives';
import { MAX_BAKE_SECONDS, MAX_ROLLOUT_STEPS } from './rollout-steps';

/** Names, versions and the strategy's shorthand as the first task checked them. */
const name = z.string().check(z.maxLength(2048));

export const rolloutState = z.object({
  rolloutId: identifier,
  functionName: name,
  alias: name,
  fromVersion: name,
  toVersion: name,
  strategy: name,
  steps: z
    .array(
      z.object({
        percent: z.number().check(z.gt(0), z.lte(100)),
        bakeSeconds: z.int().check(z.nonnegative(), z.maximum(MAX_BAKE_SECONDS)),
      }),
    )
    .check(z.minLength(1), z.maxLength(MAX_ROLLOUT_STEPS + 1)),
  step: z.int().check(z.nonnegative(), z.maximum(MAX_ROLLOUT_STEPS + 1)),
  weight: z.number().check(z.gte(0), z.lte(1)),
  revisionId: z.optional(name),
  alarms: z.array(name).check(z.maxLength(10)),
  hooks: z.optional(z.object({ preTraffic: z.optional(name), postTraffic: z.optional(name) })),
  bakeSeconds: z.int().check(z.nonnegative(), z.maximum(MAX_BAKE_SECONDS)),
  done: z.boolean(),
  drift: z.boolean(),
  promote: z.boolean(),
});

/**
 * Why a step failed, as a Catch hands it on. Not bounded here: Step Functions bounds a cause
 * (32 KB), and refusing one would turn a rollback into a failure.
 */
export const stepFailure = z.object({ Error: z.string(), Cause: z.optional(z.string()) });

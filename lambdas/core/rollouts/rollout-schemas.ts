/** The rollout state as the tasks of `roll-out-service` receive it, checked where it arrives. */
import * as z from 'zod/mini';
import { identifier } from '../events/primitives';
import { MAX_BAKE_SECONDS, MAX_ROLLOUT_STEPS } from './rollout-steps';

/** Names, versions and the strategy's shorthand as the first task checked them. */
const name = z.string().check(z.maxLength(2048));

/** The rollout state between the workflow's steps (the type `RolloutState`). */
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
  /** Steps taken so far (0 before the first shift). */
  step: z.int().check(z.nonnegative(), z.maximum(MAX_ROLLOUT_STEPS + 1)),
  /** The target version's share now, 0–1. */
  weight: z.number().check(z.gte(0), z.lte(1)),
  /** The alias revision the last shift left; absent after drift, until the alias is adopted again. */
  revisionId: z.optional(name),
  alarms: z.array(name).check(z.maxLength(10)),
  hooks: z.optional(z.object({ preTraffic: z.optional(name), postTraffic: z.optional(name) })),
  /** How long the step just taken bakes. */
  bakeSeconds: z.int().check(z.nonnegative(), z.maximum(MAX_BAKE_SECONDS)),
  /** All traffic is on the target version. */
  done: z.boolean(),
  /** The alias changed outside the rollout: it pauses. */
  drift: z.boolean(),
  /** Jump to 100 % at the next shift. */
  promote: z.boolean(),
});

/** The rollout state as the tasks of `roll-out-service` receive it, checked where it arrives. */
import * as z from 'zod/mini';
import { identifier } from '../events/primitives';

export const rolloutState = z.object({
  rolloutId: identifier,
  functionName: z.string(),
  alias: z.string(),
  fromVersion: z.string(),
  toVersion: z.string(),
  strategy: z.string(),
  steps: z.array(z.object({ percent: z.number(), bakeSeconds: z.int() })),
  step: z.int(),
  weight: z.number(),
  revisionId: z.optional(z.string()),
  alarms: z.array(z.string()),
  hooks: z.optional(z.object({ preTraffic: z.optional(z.string()), postTraffic: z.optional(z.string()) })),
  bakeSeconds: z.int(),
  done: z.boolean(),
  drift: z.boolean(),
  promote: z.boolean(),
});

/** Why a step failed, as a Catch hands it on. */
export const stepFailure = z.object({ Error: z.string(), Cause: z.optional(z.string()) });

/**
 * The rollout state as the tasks of `roll-out-service` receive it, checked where it arrives, and the
 * rollout's record as the ledger keeps it (the state and what the ledger adds), against which a
 * stored item is parsed.
 */
import * as z from 'zod/mini';
import { identifier } from '../events/primitives';
import { ENDING_SIGNALS } from './errors';
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

/** How a rollout may end; once it has, nothing changes its status again. */
export const endedStatus = z.enum(['SUCCEEDED', 'ROLLED_BACK', 'ABORTED', 'REJECTED', 'FAILED']);

export const rolloutStatus = z.enum(['RUNNING', 'PAUSED', ...endedStatus.options]);

const evidence = z.optional(z.record(z.string(), z.unknown()));

/** Something that must reach the rollout at the gate it waits at (now, or at its next one). */
export const rolloutSignal = z.object({
  signalId: z.string(),
  kind: z.enum(['pause', 'resume', 'promote', ...ENDING_SIGNALS]),
  evidence,
});

/** How a rollout ended, as its record keeps it. */
export const rolloutEnding = z.object({
  status: endedStatus,
  reason: z.optional(z.string()),
  evidence,
  explanation: z.optional(z.string()),
});

/** Any ending but success — which only `succeed` records, and the ledger refuses once a rollback has begun. */
export const unsuccessfulEnding = z.extend(rolloutEnding, {
  status: z.enum(['ROLLED_BACK', 'ABORTED', 'REJECTED', 'FAILED']),
});

/** A rollout's record: the workflow's state and what the ledger adds to it. */
export const rolloutRecord = z.extend(rolloutState, {
  status: rolloutStatus,
  /** The workflow execution that runs it. */
  executionId: z.string(),
  gate: z.optional(z.object({ token: z.string(), kind: z.enum(['bake', 'pause']) })),
  signal: z.optional(rolloutSignal),
  /** The last signal taken at a gate: a retried control finds it delivered. */
  lastSignalId: z.optional(z.string()),
  reason: z.optional(z.string()),
  /** What an ending announces with its reason: the evidence of a rollback, the explanation of a refusal or failure. */
  evidence,
  explanation: z.optional(z.string()),
  /** Set once the ending's fact is published: until then every finish, retry or recovery announces it. */
  endingAnnounced: z.optional(z.boolean()),
  /**
   * A rollback has begun, and the ending it records: from then on the rollout takes no step and
   * cannot succeed — whoever finds the mark (a retry, a recovery, a success arriving late) finishes
   * that rollback, since the alias may be on its way back already.
   */
  rollingBack: z.optional(unsuccessfulEnding),
  updatedAt: z.string(),
});

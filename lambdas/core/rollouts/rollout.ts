/**
 * A rollout as it travels through the `roll-out-service` workflow and as the ledger keeps it,
 * and the two ports its steps work through: the ledger (the alias lock, the rollout record, the
 * gate a step waits at and the signal waiting for it) and the alias traffic (Lambda's control
 * plane).
 */
import type * as z from 'zod/mini';
import {
  endedStatus,
  type rolloutEnding,
  type rolloutRecord,
  type rolloutSignal,
  type rolloutState,
  type rolloutStatus,
  type unsuccessfulEnding,
} from './rollout-schemas';

export type RolloutStatus = z.output<typeof rolloutStatus>;

export const ENDED_STATUSES: ReadonlySet<RolloutStatus> = new Set(endedStatus.options);

/** The workflow's state between steps, as its tasks hand it on (see `rolloutState`). */
export type RolloutState = Readonly<z.output<typeof rolloutState>>;

/** Something that must reach the rollout at the gate it waits at (see `rolloutSignal`). */
export type RolloutSignal = Readonly<z.output<typeof rolloutSignal>>;

export type SignalKind = RolloutSignal['kind'];

/** A rollout's record as the ledger keeps it (see `rolloutRecord`). */
export type RolloutRecord = Readonly<z.output<typeof rolloutRecord>>;

export type Gate = NonNullable<RolloutRecord['gate']>;

/** How a rollout ended, as its record keeps it. */
export type RolloutEnding = Readonly<z.output<typeof rolloutEnding>>;

/** Any ending but success — which only `succeed` records, and the ledger refuses once a rollback has begun. */
export type UnsuccessfulEnding = Readonly<z.output<typeof unsuccessfulEnding>>;

export interface RolloutLedger {
  /**
   * Takes the alias for a rollout — from `replacing` only, if given (a holder that has ended);
   * the holder's id when another rollout has it.
   */
  lockAlias(
    functionName: string,
    alias: string,
    rolloutId: string,
    at: Date,
    replacing?: string,
  ): Promise<{ holder: string }>;
  /** Frees the alias, if this rollout holds it. */
  unlockAlias(functionName: string, alias: string, rolloutId: string): Promise<void>;
  /** The rollout holding the alias's lock, if any. */
  aliasHolder(functionName: string, alias: string): Promise<string | undefined>;
  /** Records a new rollout; `false` if the id is taken. */
  createRollout(record: RolloutRecord): Promise<boolean>;
  rollout(rolloutId: string): Promise<RolloutRecord | undefined>;
  /**
   * Brings the record of a rollout still under way up to date with the workflow's state, status and
   * reason, and closes its gate; `false` if the rollout has ended or is rolling back (its record is
   * left as it is).
   */
  saveRollout(state: RolloutState, status: 'RUNNING' | 'PAUSED', at: Date, reason?: string): Promise<boolean>;
  /**
   * Marks the rollout as rolling back, with the ending its rollback records — unless it has ended or
   * a rollback has begun already (that one's mark stands). The record as it now is.
   */
  beginRollback(rolloutId: string, ending: UnsuccessfulEnding, at: Date): Promise<RolloutRecord>;
  /**
   * Ends the rollout with the workflow's state — unless it has ended already (an ending is never
   * overwritten), or the ending is SUCCEEDED and a rollback has begun (it must end as that
   * rollback). The record as it now is: ended, by this call or an earlier one, or rolling back.
   */
  endRollout(state: RolloutState, ending: RolloutEnding, at: Date): Promise<RolloutRecord>;
  /** Notes that the ending's fact went out. */
  markEndingAnnounced(rolloutId: string): Promise<void>;
  watchAlarms(rolloutId: string, alarms: readonly string[]): Promise<void>;
  unwatchAlarms(rolloutId: string, alarms: readonly string[]): Promise<void>;
  rolloutsWatching(alarmName: string): Promise<string[]>;
  /**
   * Notes the gate the rollout waits at (PAUSED at a pause gate, RUNNING at a bake); the record as
   * it now is, or `undefined` if the rollout has ended or is rolling back.
   */
  openGate(rolloutId: string, gate: Gate, at: Date): Promise<RolloutRecord | undefined>;
  /**
   * Leaves a signal for the rollout — refused (`left: false`) for a pause, resume or promote while an
   * ending signal (abort, alarm, supersede) waits; the record as it now is (with its open gate, if any).
   */
  leaveSignal(rolloutId: string, signal: RolloutSignal): Promise<{ left: boolean; record: RolloutRecord }>;
  /** Takes the signal, if it is still this one: only one taker delivers it (and it is noted as the last). */
  takeSignal(rolloutId: string, signalId: string): Promise<boolean>;
}

export interface AliasRouting {
  readonly functionVersion: string;
  /** Additional versions and their weights (at most one in Lambda). */
  readonly weights: Readonly<Record<string, number>>;
  readonly revisionId: string;
}

export interface AliasTraffic {
  /** The alias's routing; `undefined` if the function or the alias does not exist. */
  alias(functionName: string, alias: string): Promise<AliasRouting | undefined>;
  /** Whether the function has this published version. */
  hasVersion(functionName: string, version: string): Promise<boolean>;
  /**
   * Routes the alias: all to `primary`, or `weight` of it to `additional`; only if its revision is
   * still `revisionId` (AliasDrift otherwise). Returns the new revision.
   */
  route(
    functionName: string,
    alias: string,
    routing: { primary: string; additional?: { version: string; weight: number } | undefined },
    revisionId: string,
  ): Promise<string>;
}

/** Runs the Lambda functions a rollout calls before and after it shifts traffic. */
export interface TrafficHooks {
  /** Invokes the hook with the rollout's details; HookFailed when it reports an error. */
  run(functionName: string, payload: Readonly<Record<string, unknown>>): Promise<void>;
}

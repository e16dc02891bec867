/**
 * The ports the allocation aspect writes through, in its own words: the capacity holders (pools
 * and tenants' quotas), the requests' claims, and the allocation records. Every write is a
 * single-item conditional write, so the ledger never over-commits a pool or a quota even under
 * contention.
 *
 * A holder's usage is its total `used`, plus a mark per allocation that lives there only while an
 * operation on that allocation is in flight, so a holder stays the same size however many
 * allocations are live:
 * - a **hold** while the saga is undecided, so that reserving and giving back are idempotent; once
 *   the request's outcome is recorded (which says for good that the usage is counted) the saga
 *   settles: the hold is dropped, leaving `used` as it is;
 * - a **return mark** while a release is in flight, so that a retried release gives back once; it
 *   is forgotten once the allocation is RELEASED.
 */

import type {
  AllocatedOutcome,
  Allocation,
  AllocationOutcome,
  Attempt,
  Claim,
  ReleaseCause,
  RequestRecord,
} from './allocation';
import type { Amounts } from './amounts';
import type { PoolView, QuotaView } from './choose-pool';

/** What holds capacity for allocations: a pool, or a tenant's quota (`id` is the pool's or the tenant's). */
export interface CapacityHolder {
  readonly kind: 'pool' | 'quota';
  readonly id: string;
}

export function poolHolder(poolId: string): CapacityHolder {
  return { kind: 'pool', id: poolId };
}

export function quotaHolder(tenantId: string): CapacityHolder {
  return { kind: 'quota', id: tenantId };
}

/** A holder's usage and its bound (a pool's capacity, a quota's limits). */
export interface Holding {
  readonly used: Amounts;
  readonly bound: Amounts;
}

/**
 * `conflict`: the bound, state or room changed since it was read (another request took it);
 * `heldAlready`: an earlier try for the same allocation holds it (its answer was lost); otherwise
 * held now, and the holder as this write left it.
 */
export type Reservation = Holding | 'heldAlready' | 'conflict';

/**
 * `returned`: the usage is back, now or by an earlier attempt (its return is marked);
 * `unheld`: there was nothing to give back — no hold, no return mark, and the allocation's outcome
 * not recorded.
 */
export type Return = 'returned' | 'unheld';

/** Pools and quotas: what they hold, and each allocation's hold on them and return to them. */
export interface CapacityHolders {
  poolsOfKind(kind: string): Promise<PoolView[]>;
  quota(tenantId: string): Promise<QuotaView | undefined>;
  /**
   * Holds `amount` of the holder for `allocationId`, if its bound is still the one seen, the
   * amount still fits, and (a pool) it is still active. Idempotent: holding again for the same
   * allocation changes nothing. Answers with the holder as the hold left it, so that nothing
   * needs reading it back.
   */
  reserve(
    holder: CapacityHolder,
    allocationId: string,
    amount: Amounts,
    boundSeen: Amounts,
  ): Promise<Reservation>;
  /** Gives back what `allocationId` holds of the holder; nothing if it holds nothing (saga compensation). */
  returnHold(holder: CapacityHolder, allocationId: string, amount: Amounts): Promise<void>;
  /** Drops the allocation's hold, leaving `used` as it is; nothing if it has none. */
  settle(holder: CapacityHolder, allocationId: string): Promise<void>;
  /**
   * Gives the allocation's usage back and marks its return, in one write: from its hold if it
   * still has one; without a hold only if `settled` — the request's outcome is recorded (a release
   * reads it), so its hold may have been dropped; never if its return is marked already.
   */
  release(holder: CapacityHolder, allocationId: string, amount: Amounts, settled: boolean): Promise<Return>;
  /** Forgets the allocation's return mark (its release is over); nothing if none. */
  forgetReturn(holder: CapacityHolder, allocationId: string): Promise<void>;
}

/** Allocation requests: who decides each (its claim), what it is about to reserve, what it decided. */
export interface RequestClaims {
  /**
   * Claims a request id, in the same write noting what the claim decided before it was taken:
   * the attempt it is about to reserve, or its outcome (a refusal). `false` when another delivery
   * claimed it first.
   */
  claim(
    requestId: string,
    claim: Claim,
    at: Date,
    decided?: { readonly attempt: Attempt } | { readonly outcome: AllocationOutcome },
  ): Promise<boolean>;
  /** What the ledger knows of a request: its claim, its current attempt, its outcome. */
  read(requestId: string): Promise<RequestRecord | undefined>;
  /** Takes a stale claim over from `staleClaimId`; `false` if someone else changed it first. */
  takeOver(requestId: string, staleClaimId: string, claim: Claim, at: Date): Promise<boolean>;
  /** Notes what the claim holder is about to reserve; `false` if the claim is no longer its own. */
  recordAttempt(requestId: string, claimId: string, attempt: Attempt): Promise<boolean>;
  /**
   * Records the request's outcome. With `claimId`, only while that claim still holds the request
   * (`false` otherwise); without, unconditionally (a cancelled provisioning's PROVISIONING_FAILED).
   */
  recordOutcome(requestId: string, outcome: AllocationOutcome, claimId?: string): Promise<boolean>;
  /**
   * Records a confirmed provisioning's outcome, not announced yet, only while the outcome still
   * says this allocation is provisioning; `false` otherwise (confirmed already, or cancelled). The
   * claim is stamped `at` again: the confirmation announces it, and another delivery takes over
   * only once that stamp is stale.
   */
  confirmOutcome(requestId: string, confirmed: AllocatedOutcome, at: Date): Promise<boolean>;
  /** Notes that the outcome's fact is out. */
  markAnnounced(requestId: string): Promise<void>;
  /** Gives a request id back after a failed attempt, so a retry may claim it again. */
  unclaim(requestId: string, claimId: string): Promise<void>;
}

/** The allocations: made, activated, released (claimed, completed, closed, announced), expired. */
export interface AllocationRecords {
  create(allocation: Allocation): Promise<void>;
  /** Undoes `create` (saga compensation only). */
  remove(allocationId: string): Promise<void>;
  read(allocationId: string): Promise<Allocation | undefined>;
  /**
   * Up to `limit` allocations in the lease index whose lease ended at or before `now`, oldest
   * first: unreleased ones, and released ones whose return marks may not all be forgotten yet.
   */
  expired(now: Date, limit: number): Promise<Allocation[]>;
  /** RESERVED → ACTIVE with the provisioner's attributes, its lease starting now; `false` if not RESERVED. */
  activate(
    allocationId: string,
    attributes: Readonly<Record<string, unknown>>,
    expiresAt: string | undefined,
  ): Promise<boolean>;
  /**
   * Takes the release of an allocation, stamped `at`, for `cause`: `from` → RELEASING, or a
   * RELEASING one whose release gave up or was claimed before `staleBefore`; `false` if neither.
   */
  claimRelease(
    allocationId: string,
    from: 'ACTIVE' | 'RESERVED',
    at: Date,
    staleBefore: Date,
    cause: ReleaseCause,
  ): Promise<boolean>;
  /** Gives up the release stamped `claimedAt` after a failure, so that releasing again takes it at once. */
  unclaimRelease(allocationId: string, claimedAt: Date): Promise<void>;
  /** RELEASING → RELEASED, while the release stamped `claimedAt` still holds it; `false` otherwise. */
  completeRelease(allocationId: string, claimedAt: Date): Promise<boolean>;
  /**
   * Once its return marks are forgotten: drops a RELEASED allocation's release stamp (and its
   * lease entry, if its release is announced too).
   */
  closeRelease(allocationId: string): Promise<void>;
  /** Notes that a RELEASED allocation's fact went out (and drops its lease entry, if its release is closed). */
  markReleaseAnnounced(allocationId: string): Promise<void>;
}

/** The allocation ledger: its three ports, one for each thing it keeps. */
export interface AllocationLedger {
  readonly holders: CapacityHolders;
  readonly claims: RequestClaims;
  readonly records: AllocationRecords;
}

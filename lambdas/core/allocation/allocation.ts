/**
 * Allocation records and the ledger port the allocation saga writes through. Every write is a
 * single-item conditional write, so the ledger never over-commits a pool or a quota even under
 * contention. Usage is the total `used` on the pool and quota items plus a marker per allocation
 * that only lives there while an operation on it is in flight, so the hot items stay the same
 * size however many allocations are live:
 * - a hold (`holds.<id>`) while the saga is undecided, so that taking and compensating are
 *   idempotent; once the outcome is recorded (which says for good that the usage is counted) the
 *   saga settles: the holds are dropped, leaving `used` as it is;
 * - a return marker (`returns.<id>`) while a release is in flight, so that a retried release
 *   gives back once; it is removed when the allocation is RELEASED.
 */
import type * as z from 'zod/mini';
import type { allocatedOutcome } from './allocation-outcome';
import type { Amounts } from './amounts';
import type { PoolView, QuotaView, RejectionReason } from './choose-pool';

/**
 * RESERVED: capacity held, provisioning under way; ACTIVE: provisioned; RELEASING: being given
 * back (a pool or quota whose `returns` marks it has had its share back); RELEASED: returned.
 */
export type AllocationStatus = 'RESERVED' | 'ACTIVE' | 'RELEASING' | 'RELEASED';

/** What took an allocation back: a release request, its lease's end, or a provisioning that failed. */
export type ReleaseCause = 'request' | 'expiry' | 'cancel';

export interface Allocation {
  readonly allocationId: string;
  readonly requestId: string;
  readonly tenantId: string;
  readonly poolId: string;
  readonly kind: string;
  readonly amount: Amounts;
  readonly status: AllocationStatus;
  readonly createdAt: string;
  /** When the lease ends; a callback allocation's lease starts once it is provisioned. */
  readonly expiresAt?: string | undefined;
  readonly leaseSeconds?: number | undefined;
  readonly attributes?: Readonly<Record<string, unknown>> | undefined;
  /**
   * When the release under way took the allocation (RELEASING), which names that release; kept on
   * a RELEASED allocation until its return markers are removed.
   */
  readonly releaseClaimedAt?: string | undefined;
  /** What the release under way (or done) answers; its fact says so. */
  readonly releaseCause?: ReleaseCause | undefined;
  /**
   * Set once the release's fact is published. Until then whoever finds the allocation RELEASED —
   * a retried release, a cancellation, the lease sweep — announces it (a leased one stays in the
   * lease index for the sweep to find).
   */
  readonly releaseAnnounced?: boolean | undefined;
}

/** The capacity is the tenant's (see `allocatedOutcome`). */
export type AllocatedOutcome = Readonly<z.output<typeof allocatedOutcome>>;

export type AllocationOutcome =
  | AllocatedOutcome
  | {
      readonly status: 'REJECTED';
      readonly requestId: string;
      readonly tenantId: string;
      readonly reason: RejectionReason;
      readonly explanation: string;
    }
  | {
      /** A callback provisioning failed or timed out; the reservation was returned. */
      readonly status: 'PROVISIONING_FAILED';
      readonly allocationId: string;
      readonly requestId: string;
      readonly tenantId: string;
    };

/** What a claim holder is reserving: enough for whoever takes a stale claim over to undo it. */
export interface Attempt {
  readonly allocationId: string;
  readonly tenantId: string;
  readonly poolId: string;
  readonly amount: Amounts;
}

/** A delivery's hold on a request id, and the workflow execution it runs in. */
export interface Claim {
  readonly claimId: string;
  /** The execution deciding the request; only its abnormal end may undo what it left. */
  readonly executionId: string;
}

export interface RequestRecord {
  readonly claimId: string;
  readonly claimedAt: string;
  /** The execution of the claim (absent on requests claimed before claims named one). */
  readonly executionId?: string | undefined;
  readonly attempt?: Attempt | undefined;
  readonly outcome?: AllocationOutcome | undefined;
  /**
   * Set once the outcome's fact is out (a confirmed provisioning's, once its `ResourceAllocated`
   * is). Until then whoever finds it unset may announce it — the deciding execution at once, any
   * other delivery or the reconciler once the claim is stale — so a fact may go out twice, never
   * not at all.
   */
  readonly announced?: boolean | undefined;
}

/** A pool's or quota's usage and its bound (a pool's capacity, a quota's limits). */
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
 * `returned`: the usage is back, now or by an earlier attempt (its return marker is there);
 * `unheld`: there was nothing to give back — no hold, no marker, and the allocation's outcome not
 * recorded.
 */
export type Return = 'returned' | 'unheld';

export interface AllocationLedger {
  /**
   * Claims a request id, in the same write noting what the claim decided before it was taken:
   * the attempt it is about to reserve, or its outcome (a refusal). `false` when another delivery
   * claimed it first.
   */
  claimRequest(
    requestId: string,
    claim: Claim,
    at: Date,
    decided?: { readonly attempt: Attempt } | { readonly outcome: AllocationOutcome },
  ): Promise<boolean>;
  /** What the ledger knows of a request: its claim, its current attempt, its outcome. */
  request(requestId: string): Promise<RequestRecord | undefined>;
  /** Takes a stale claim over from `staleClaimId`; `false` if someone else changed it first. */
  takeOverClaim(requestId: string, staleClaimId: string, claim: Claim, at: Date): Promise<boolean>;
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
  confirmOutcome(
    requestId: string,
    confirmed: AllocationOutcome & { status: 'ALLOCATED' },
    at: Date,
  ): Promise<boolean>;
  /** Notes that the outcome's fact is out. */
  markOutcomeAnnounced(requestId: string): Promise<void>;
  /** Gives a request id back after a failed attempt, so a retry may claim it again. */
  unclaimRequest(requestId: string, claimId: string): Promise<void>;
  poolsOfKind(kind: string): Promise<PoolView[]>;
  quota(tenantId: string): Promise<QuotaView | undefined>;
  /**
   * Holds `amount` of the tenant's quota for `allocationId`, if its limits are still those seen
   * and the amount still fits. Idempotent: holding again for the same allocation changes nothing.
   * Answers with the quota as the hold left it, so that nothing needs reading it back.
   */
  reserveQuota(
    tenantId: string,
    allocationId: string,
    amount: Amounts,
    limitsSeen: Amounts,
  ): Promise<Reservation>;
  /** The same on a pool, which must also still be active. */
  reservePool(
    poolId: string,
    allocationId: string,
    amount: Amounts,
    capacitySeen: Amounts,
  ): Promise<Reservation>;
  /** Gives back what `allocationId` holds of the quota; nothing if it holds nothing (saga compensation). */
  returnQuota(tenantId: string, allocationId: string, amount: Amounts): Promise<void>;
  returnPool(poolId: string, allocationId: string, amount: Amounts): Promise<void>;
  /** Drops the allocation's hold on the quota, leaving `used` as it is; nothing if it has none. */
  settleQuota(tenantId: string, allocationId: string): Promise<void>;
  settlePool(poolId: string, allocationId: string): Promise<void>;
  /**
   * Gives the allocation's usage of the quota back and marks it returned (`returns.<id>`), in one
   * write: from its hold if it still has one; without a hold only if `settled` — the request's
   * outcome is recorded (a release reads it), so its holds may have been dropped; never if the marker is already there.
   */
  releaseQuota(tenantId: string, allocationId: string, amount: Amounts, settled: boolean): Promise<Return>;
  releasePool(poolId: string, allocationId: string, amount: Amounts, settled: boolean): Promise<Return>;
  /** Removes the allocation's return marker from the quota (its release is over); nothing if none. */
  forgetQuotaReturn(tenantId: string, allocationId: string): Promise<void>;
  forgetPoolReturn(poolId: string, allocationId: string): Promise<void>;
  createAllocation(allocation: Allocation): Promise<void>;
  /** Undoes `createAllocation` (saga compensation only). */
  removeAllocation(allocationId: string): Promise<void>;
  allocation(allocationId: string): Promise<Allocation | undefined>;
  /**
   * Up to `limit` allocations in the lease index whose lease ended at or before `now`, oldest
   * first: unreleased ones, and released ones whose return markers may not all be removed yet.
   */
  expiredAllocations(now: Date, limit: number): Promise<Allocation[]>;
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
   * Once its return markers are gone: drops a RELEASED allocation's release stamp (and its lease
   * entry, if its release is announced too).
   */
  closeRelease(allocationId: string): Promise<void>;
  /** Notes that a RELEASED allocation's fact went out (and drops its lease entry, if its release is closed). */
  markReleaseAnnounced(allocationId: string): Promise<void>;
  /** RESERVED → ACTIVE with the provisioner's attributes, its lease starting now; `false` if not RESERVED. */
  activateAllocation(
    allocationId: string,
    attributes: Readonly<Record<string, unknown>>,
    expiresAt: string | undefined,
  ): Promise<boolean>;
}

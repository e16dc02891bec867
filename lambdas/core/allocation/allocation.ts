/**
 * Allocation records and the ledger port the allocation saga writes through. Every write is a
 * single-item conditional write, so the ledger never over-commits a pool or a quota even under
 * contention. Usage is kept as per-allocation holds beside the total, so taking and giving back
 * are idempotent: a retried or ambiguous write can neither count twice nor return twice, and a
 * failed saga can always compensate every step it attempted.
 */
import type { Amounts } from './amounts';
import type { PoolView, QuotaView, RejectionReason } from './choose-pool';

/** RESERVED: capacity held, provisioning under way; ACTIVE: provisioned; RELEASED: returned. */
export type AllocationStatus = 'RESERVED' | 'ACTIVE' | 'RELEASED';

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
}

export type AllocationOutcome =
  | (Pick<
      Allocation,
      'allocationId' | 'requestId' | 'tenantId' | 'poolId' | 'kind' | 'amount' | 'expiresAt'
    > & {
      readonly status: 'ALLOCATED';
      /** True while a callback provisioner still has to make the capacity real. */
      readonly provisioning: boolean;
    })
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

export interface RequestRecord {
  readonly claimId: string;
  readonly claimedAt: string;
  readonly attempt?: Attempt | undefined;
  readonly outcome?: AllocationOutcome | undefined;
  /** Set once a delivery has taken the publishing of the outcome's facts. */
  readonly announced?: boolean | undefined;
}

/** `conflict`: the bound, state or room changed since it was read (another request took it). */
export type Reservation = 'reserved' | 'conflict';

export interface AllocationLedger {
  /** Claims a request id for `claimId`; `false` when another delivery claimed it first. */
  claimRequest(requestId: string, claimId: string, at: Date): Promise<boolean>;
  /** What the ledger knows of a request: its claim, its current attempt, its outcome. */
  request(requestId: string): Promise<RequestRecord | undefined>;
  /** Takes a stale claim over from `staleClaimId`; `false` if someone else changed it first. */
  takeOverClaim(requestId: string, staleClaimId: string, claimId: string, at: Date): Promise<boolean>;
  /** Notes what the claim holder is about to reserve; `false` if the claim is no longer its own. */
  recordAttempt(requestId: string, claimId: string, attempt: Attempt): Promise<boolean>;
  /**
   * Records the request's outcome. With `claimId`, only while that claim still holds the request
   * (`false` otherwise); without, unconditionally (a provisioning bringing the outcome up to date).
   */
  recordOutcome(requestId: string, outcome: AllocationOutcome, claimId?: string): Promise<boolean>;
  /** Takes the announcing of the outcome; `false` if another delivery already has. */
  claimAnnouncement(requestId: string): Promise<boolean>;
  /** Gives the announcing back after publishing failed, for the next delivery to do. */
  releaseAnnouncement(requestId: string): Promise<void>;
  /** Gives a request id back after a failed attempt, so a retry may claim it again. */
  unclaimRequest(requestId: string, claimId: string): Promise<void>;
  poolsOfKind(kind: string): Promise<PoolView[]>;
  quota(tenantId: string): Promise<QuotaView | undefined>;
  /**
   * Holds `amount` of the tenant's quota for `allocationId`, if its limits are still those seen
   * and the amount still fits. Idempotent: holding again for the same allocation changes nothing.
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
  /** Gives back what `allocationId` holds of the quota; nothing if it holds nothing (idempotent). */
  returnQuota(tenantId: string, allocationId: string, amount: Amounts): Promise<void>;
  returnPool(poolId: string, allocationId: string, amount: Amounts): Promise<void>;
  createAllocation(allocation: Allocation): Promise<void>;
  /** Undoes `createAllocation` (saga compensation only). */
  removeAllocation(allocationId: string): Promise<void>;
  allocation(allocationId: string): Promise<Allocation | undefined>;
  /** Up to `limit` unreleased allocations whose lease ended at or before `now`, oldest first. */
  expiredAllocations(now: Date, limit: number): Promise<Allocation[]>;
  /** Moves an allocation from one status to another; `false` if it was not in `from`. */
  transitionAllocation(allocationId: string, from: AllocationStatus, to: AllocationStatus): Promise<boolean>;
  /** RESERVED → ACTIVE with the provisioner's attributes, its lease starting now; `false` if not RESERVED. */
  activateAllocation(
    allocationId: string,
    attributes: Readonly<Record<string, unknown>>,
    expiresAt: string | undefined,
  ): Promise<boolean>;
}

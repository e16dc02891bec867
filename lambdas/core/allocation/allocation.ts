/**
 * Allocation records and the ledger port the allocation saga writes through. Every write is a
 * single-item conditional write, so the ledger never over-commits a pool or a quota even under
 * contention; a failed saga compensates in reverse, so no reservation leaks.
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
  | {
      readonly status: 'ALLOCATED';
      readonly allocationId: string;
      readonly requestId: string;
      readonly tenantId: string;
      readonly poolId: string;
      readonly kind: string;
      readonly amount: Amounts;
      readonly expiresAt?: string | undefined;
      /** True while a callback provisioner still has to make the capacity real. */
      readonly provisioning: boolean;
    }
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

/** A conditional write lost to a concurrent one (DynamoDB's ConditionalCheckFailedException). */
export type Reservation = 'reserved' | 'conflict';

export interface AllocationLedger {
  /** Claims a request id; `false` when another delivery of the same request claimed it first. */
  claimRequest(requestId: string, at: Date): Promise<boolean>;
  /** The outcome recorded for a claimed request, once its first delivery has one. */
  requestOutcome(requestId: string): Promise<AllocationOutcome | undefined>;
  recordOutcome(requestId: string, outcome: AllocationOutcome): Promise<void>;
  /** Gives a request id back after a failed attempt, so a retry may claim it again. */
  unclaimRequest(requestId: string): Promise<void>;
  poolsOfKind(kind: string): Promise<PoolView[]>;
  quota(tenantId: string): Promise<QuotaView | undefined>;
  /** Adds to the tenant's usage if its limits are still those seen and the amount still fits. */
  reserveQuota(tenantId: string, amount: Amounts, limitsSeen: Amounts): Promise<Reservation>;
  /** Adds to the pool's usage if it is still active, its capacity unchanged and the amount fits. */
  reservePool(poolId: string, amount: Amounts, capacitySeen: Amounts): Promise<Reservation>;
  returnQuota(tenantId: string, amount: Amounts): Promise<void>;
  returnPool(poolId: string, amount: Amounts): Promise<void>;
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

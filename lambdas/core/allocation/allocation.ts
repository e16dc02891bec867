/**
 * Allocations and the requests that make them, as the allocation ledger records them: each
 * record's schema, from which its type is derived and against which a stored item is parsed.
 */
import * as z from 'zod/mini';
import { allocatedOutcome } from './allocation-outcome';
import { storedAmounts } from './amounts';
import { rejectionReason } from './choose-pool';

/**
 * RESERVED: capacity held, provisioning under way; ACTIVE: provisioned; RELEASING: being given
 * back (a pool or quota that has marked its return has had its share back); RELEASED: returned.
 */
const allocationStatus = z.enum(['RESERVED', 'ACTIVE', 'RELEASING', 'RELEASED']);
export type AllocationStatus = z.output<typeof allocationStatus>;

/** What took an allocation back: a release request, its lease's end, or a provisioning that failed. */
const releaseCause = z.enum(['request', 'expiry', 'cancel']);
export type ReleaseCause = z.output<typeof releaseCause>;

export const allocationRecord = z.object({
  allocationId: z.string(),
  requestId: z.string(),
  tenantId: z.string(),
  poolId: z.string(),
  kind: z.string(),
  amount: storedAmounts,
  status: allocationStatus,
  createdAt: z.string(),
  /** When the lease ends; a callback allocation's lease starts once it is provisioned. */
  expiresAt: z.optional(z.string()),
  leaseSeconds: z.optional(z.number()),
  attributes: z.optional(z.record(z.string(), z.unknown())),
  /**
   * When the release under way took the allocation (RELEASING), which names that release; kept on
   * a RELEASED allocation until its return markers are removed.
   */
  releaseClaimedAt: z.optional(z.string()),
  /** What the release under way (or done) answers; its fact says so. */
  releaseCause: z.optional(releaseCause),
  /**
   * Set once the release's fact is published. Until then whoever finds the allocation RELEASED —
   * a retried release, a cancellation, the lease sweep — announces it (a leased one stays in the
   * lease index for the sweep to find).
   */
  releaseAnnounced: z.optional(z.boolean()),
});
export type Allocation = Readonly<z.output<typeof allocationRecord>>;

/** The capacity is the tenant's (see `allocatedOutcome`). */
export type AllocatedOutcome = Readonly<z.output<typeof allocatedOutcome>>;

export const allocationOutcome = z.discriminatedUnion('status', [
  allocatedOutcome,
  z.object({
    status: z.literal('REJECTED'),
    requestId: z.string(),
    tenantId: z.string(),
    reason: rejectionReason,
    explanation: z.string(),
  }),
  /** A callback provisioning failed or timed out; the reservation was returned. */
  z.object({
    status: z.literal('PROVISIONING_FAILED'),
    allocationId: z.string(),
    requestId: z.string(),
    tenantId: z.string(),
  }),
]);
export type AllocationOutcome = Readonly<z.output<typeof allocationOutcome>>;

/** What a claim holder is reserving: enough for whoever takes a stale claim over to undo it. */
const attempt = z.object({
  allocationId: z.string(),
  tenantId: z.string(),
  poolId: z.string(),
  amount: storedAmounts,
});
export type Attempt = Readonly<z.output<typeof attempt>>;

/** A delivery's hold on a request id, and the workflow execution it runs in. */
export interface Claim {
  readonly claimId: string;
  /** The execution deciding the request; only its abnormal end may undo what it left. */
  readonly executionId: string;
}

export const requestRecord = z.object({
  requestId: z.string(),
  claimId: z.string(),
  claimedAt: z.string(),
  /** The execution of the claim (absent on requests claimed before claims named one). */
  executionId: z.optional(z.string()),
  attempt: z.optional(attempt),
  outcome: z.optional(allocationOutcome),
  /**
   * Set once the outcome's fact is out (a confirmed provisioning's, once its `ResourceAllocated`
   * is). Until then whoever finds it unset may announce it — the deciding execution at once, any
   * other delivery or the reconciler once the claim is stale — so a fact may go out twice, never
   * not at all.
   */
  announced: z.optional(z.boolean()),
});
export type RequestRecord = Readonly<z.output<typeof requestRecord>>;

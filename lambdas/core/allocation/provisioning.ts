/**
 * The end of a `callback` provisioning: confirmed (the allocation becomes ACTIVE with the
 * provisioner's attributes) or cancelled (its reservation is returned, as a release returns it). Either way the request's
 * recorded outcome is brought up to date, so a later duplicate delivery reads the final result.
 */
import { leaseEnd } from './allocate';
import type { AllocationLedger, AllocationOutcome } from './allocation';
import { ReleaseInterrupted, releaseFrom } from './release';

type Allocated = AllocationOutcome & { status: 'ALLOCATED' };

/** Raised when a provisioned allocation is no longer RESERVED (released meanwhile). */
export class AllocationNotReserved extends Error {
  override readonly name = 'AllocationNotReserved';
}

export async function confirmProvisioning(
  ledger: AllocationLedger,
  outcome: Allocated,
  attributes: Readonly<Record<string, unknown>>,
  now: Date,
): Promise<Allocated> {
  const allocation = await ledger.allocation(outcome.allocationId);
  if (allocation?.status === 'ACTIVE') {
    // A retry of a confirmation that went through.
    const confirmed: Allocated = { ...outcome, provisioning: false, expiresAt: allocation.expiresAt };
    await ledger.recordOutcome(outcome.requestId, confirmed);
    return confirmed;
  }
  const expiresAt = allocation?.leaseSeconds ? leaseEnd(now, allocation.leaseSeconds) : undefined;
  if (!allocation || !(await ledger.activateAllocation(outcome.allocationId, attributes, expiresAt))) {
    throw new AllocationNotReserved(`allocation ${outcome.allocationId} is no longer reserved`);
  }
  const confirmed: Allocated = { ...outcome, provisioning: false, expiresAt };
  await ledger.recordOutcome(outcome.requestId, confirmed);
  return confirmed;
}

/**
 * Returns the reservation if it is still RESERVED (or finishes an interrupted cancellation), the
 * way a release does; `false` when this call completed nothing (it was confirmed or returned
 * already). Another cancellation under way is `ReleaseInterrupted`: cancel again to finish.
 */
export async function cancelProvisioning(
  ledger: AllocationLedger,
  outcome: Allocated,
  now: Date = new Date(),
): Promise<boolean> {
  const { allocationId, requestId, tenantId } = outcome;
  const cancelled = await releaseFrom(ledger, allocationId, 'RESERVED', now);
  if (cancelled === 'under-way') {
    throw new ReleaseInterrupted(`the reservation of ${allocationId} is being returned by another request`);
  }
  await ledger.recordOutcome(requestId, { status: 'PROVISIONING_FAILED', allocationId, requestId, tenantId });
  return cancelled !== 'refused' && cancelled.released;
}

/**
 * The `allocate-resources` execution ended abnormally (stopped, timed out, or the runtime running
 * it died) while a callback provisioning was pending: nothing will ever confirm or cancel it, so
 * the reservation goes back now — if that execution is the one that decided the request (a
 * duplicate's end changes nothing). Returns the outcome whose reservation was returned, if any.
 */
export async function abandonProvisioning(
  ledger: AllocationLedger,
  requestId: string,
  endedExecutionId: string,
  now: Date = new Date(),
): Promise<Allocated | undefined> {
  const record = await ledger.request(requestId);
  if (record?.executionId !== endedExecutionId) return undefined;
  const outcome = record.outcome;
  if (outcome?.status !== 'ALLOCATED' || !outcome.provisioning) return undefined;
  // Not yet ACTIVE: RESERVED, or a cancellation left half-way (RELEASING, or RELEASED before
  // its outcome was recorded), which cancelling again finishes.
  const allocation = await ledger.allocation(outcome.allocationId);
  if (!allocation || allocation.status === 'ACTIVE') return undefined;
  return (await cancelProvisioning(ledger, outcome, now)) ? outcome : undefined;
}

/**
 * The end of a `callback` provisioning: confirmed (the allocation becomes ACTIVE with the
 * provisioner's attributes) or cancelled (its reservation is returned, as a release returns it).
 * Either way the request's recorded outcome is brought up to date, so a later duplicate delivery
 * reads the final result.
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
 * Returns the capacity the way a release does, and records the request as PROVISIONING_FAILED:
 * the reservation if it is still RESERVED — or the allocation if it is ACTIVE already, because its
 * confirmation went through but could not finish (recording its outcome or announcing it failed
 * for good): the workflow reports the provisioning failed, so the ledger must not keep it live.
 * Finishes an interrupted cancellation; harmless once done. Another cancellation or release
 * under way is `ReleaseInterrupted`: cancel again to finish.
 */
export async function cancelProvisioning(
  ledger: AllocationLedger,
  outcome: Allocated,
  now: Date = new Date(),
): Promise<void> {
  const { allocationId, requestId, tenantId } = outcome;
  let cancelled = await releaseFrom(ledger, allocationId, 'RESERVED', now, 'cancel');
  if (cancelled === 'refused') cancelled = await releaseFrom(ledger, allocationId, 'ACTIVE', now, 'cancel');
  if (cancelled === 'under-way' || cancelled === 'refused') {
    throw new ReleaseInterrupted(`the capacity of ${allocationId} is being returned by another request`);
  }
  await ledger.recordOutcome(requestId, { status: 'PROVISIONING_FAILED', allocationId, requestId, tenantId });
}

/**
 * The `allocate-resources` execution ended abnormally (stopped, timed out, or the runtime running
 * it died) while a callback provisioning was pending: nothing will ever confirm or cancel it, so
 * the capacity goes back now — also when a confirmation died after activating it, since the
 * execution reports no allocation — if that execution is the one that decided the request (a
 * duplicate's end changes nothing). Returns the allocation whose provisioning failed, if any, for
 * its release to be announced (the cancellation may have returned it without announcing it).
 */
export async function abandonProvisioning(
  ledger: AllocationLedger,
  requestId: string,
  endedExecutionId: string,
  now: Date = new Date(),
): Promise<string | undefined> {
  const record = await ledger.request(requestId);
  if (record?.executionId !== endedExecutionId) return undefined;
  const outcome = record.outcome;
  if (outcome?.status === 'PROVISIONING_FAILED') return outcome.allocationId;
  if (outcome?.status !== 'ALLOCATED' || !outcome.provisioning) return undefined;
  if (!(await ledger.allocation(outcome.allocationId))) return undefined;
  await cancelProvisioning(ledger, outcome, now);
  return outcome.allocationId;
}

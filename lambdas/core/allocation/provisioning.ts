/**
 * The end of a `callback` provisioning: confirmed (the allocation becomes ACTIVE with the
 * provisioner's attributes) or cancelled (its reservation is returned). Either way the request's
 * recorded outcome is brought up to date, so a later duplicate delivery reads the final result.
 */
import { leaseEnd } from './allocate';
import type { AllocationLedger, AllocationOutcome } from './allocation';

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

/** Returns the reservation if it is still RESERVED; `false` when there was nothing left to return. */
export async function cancelProvisioning(ledger: AllocationLedger, outcome: Allocated): Promise<boolean> {
  const cancelled = await ledger.transitionAllocation(outcome.allocationId, 'RESERVED', 'RELEASED');
  if (cancelled) {
    await ledger.returnPool(outcome.poolId, outcome.allocationId, outcome.amount);
    await ledger.returnQuota(outcome.tenantId, outcome.allocationId, outcome.amount);
  }
  const { allocationId, requestId, tenantId } = outcome;
  await ledger.recordOutcome(requestId, { status: 'PROVISIONING_FAILED', allocationId, requestId, tenantId });
  return cancelled;
}

/**
 * The end of a `callback` provisioning: confirmed (the allocation becomes ACTIVE with the
 * provisioner's attributes) or cancelled (its reservation is returned).
 */
import type { Allocation, AllocationLedger, AllocationOutcome } from './allocation';
import { release } from './release';

/** Raised when a provisioned allocation is no longer RESERVED (released meanwhile). */
export class AllocationNotReserved extends Error {
  override readonly name = 'AllocationNotReserved';
}

export async function confirmProvisioning(
  ledger: AllocationLedger,
  outcome: AllocationOutcome & { status: 'ALLOCATED' },
  attributes: Readonly<Record<string, unknown>>,
): Promise<AllocationOutcome & { status: 'ALLOCATED' }> {
  if (!(await ledger.transitionAllocation(outcome.allocationId, 'RESERVED', 'ACTIVE', attributes))) {
    throw new AllocationNotReserved(`allocation ${outcome.allocationId} is no longer reserved`);
  }
  return { ...outcome, provisioning: false };
}

export async function cancelProvisioning(
  ledger: AllocationLedger,
  allocationId: string,
): Promise<Allocation> {
  return (await release(ledger, allocationId)).allocation;
}

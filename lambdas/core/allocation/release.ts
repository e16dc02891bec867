/**
 * Returning an allocation's capacity: the allocation is marked RELEASED first (so a second,
 * concurrent release finds nothing to do), then the pool's and the tenant's usage go down.
 */
import { InvalidRequest } from '../errors';
import type { Allocation, AllocationLedger } from './allocation';

/** Raised when the allocation is released but usage could not be returned: `baton audit` shows it. */
export class ReleaseInterrupted extends Error {
  override readonly name = 'ReleaseInterrupted';
}

export interface Released {
  readonly allocation: Allocation;
  /** False when the allocation had already been released: nothing changed this time. */
  readonly released: boolean;
}

export async function release(ledger: AllocationLedger, allocationId: string): Promise<Released> {
  for (;;) {
    const allocation = await ledger.allocation(allocationId);
    if (!allocation) throw new InvalidRequest(`allocationId: no allocation ${allocationId}`);
    if (allocation.status === 'RELEASED') return { allocation, released: false };
    if (allocation.status === 'RESERVED') {
      throw new InvalidRequest(
        `allocationId: ${allocationId} is still being provisioned; release it once it is allocated`,
      );
    }
    if (!(await ledger.transitionAllocation(allocationId, allocation.status, 'RELEASED'))) continue;
    try {
      await ledger.returnPool(allocation.poolId, allocation.amount);
      await ledger.returnQuota(allocation.tenantId, allocation.amount);
    } catch (error) {
      throw new ReleaseInterrupted(
        `allocation ${allocationId} is released but its usage was not all returned: ${(error as Error).message}`,
      );
    }
    return { allocation: { ...allocation, status: 'RELEASED' }, released: true };
  }
}

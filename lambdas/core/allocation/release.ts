/**
 * Returning an allocation's capacity: the allocation is marked RELEASED first (so only one
 * release announces it), then its holds on the pool and the tenant are given back — idempotently,
 * so releasing again completes a release that was interrupted half-way.
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
    if (allocation.status === 'RESERVED') {
      throw new InvalidRequest(
        `allocationId: ${allocationId} is still being provisioned; release it once it is allocated`,
      );
    }
    const released =
      allocation.status === 'ACTIVE' &&
      (await ledger.transitionAllocation(allocationId, 'ACTIVE', 'RELEASED'));
    if (allocation.status === 'ACTIVE' && !released) continue;
    // Giving back is idempotent, so a second release finishes one that was interrupted.
    try {
      await ledger.returnPool(allocation.poolId, allocationId, allocation.amount);
      await ledger.returnQuota(allocation.tenantId, allocationId, allocation.amount);
    } catch (error) {
      throw new ReleaseInterrupted(
        `allocation ${allocationId} is released but its usage was not all returned (release it again): ${(error as Error).message}`,
      );
    }
    return { allocation: { ...allocation, status: 'RELEASED' }, released };
  }
}

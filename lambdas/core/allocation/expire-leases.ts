/**
 * Leases: an allocation whose `expiresAt` has passed is released, and announced as expired. The
 * lease index also holds releases left half-way (RELEASING, or RELEASED with markers still to
 * remove): the sweep finishes them, unless another release is still at work on one.
 */

import { ResourceLeaseExpired } from '../events/allocation-events';
import { type Fact, fact } from '../events/define-event';
import type { Allocation, AllocationLedger } from './allocation';
import { releaseFrom } from './release';

/** Expired allocations read per page; a sweep goes on page after page until none is left. */
export const LEASES_PER_PAGE = 100;

/** Releases every allocation whose lease has ended, until none is left or `hasTime` says stop. */
export async function expireLeases(
  ledger: AllocationLedger,
  now: Date,
  hasTime: () => boolean = () => true,
): Promise<Fact[]> {
  const facts: Fact[] = [];
  for (;;) {
    const page = await ledger.expiredAllocations(now, LEASES_PER_PAGE);
    const { expired, underWay } = await expirePage(ledger, page, now);
    facts.push(...expired);
    // Releases under way stay in the index until their owners finish: a page of only those is the end.
    if (page.length < LEASES_PER_PAGE || underWay === page.length || !hasTime()) return facts;
  }
}

async function expirePage(
  ledger: AllocationLedger,
  page: readonly Allocation[],
  now: Date,
): Promise<{ expired: Fact[]; underWay: number }> {
  const expired: Fact[] = [];
  let underWay = 0;
  for (const lease of page) {
    const result = await releaseFrom(ledger, lease.allocationId, 'ACTIVE', now);
    if (result === 'under-way') underWay++;
    if (typeof result === 'string' || !result.released) continue;
    const { allocationId, tenantId, poolId, amount, expiresAt } = result.allocation;
    expired.push(
      fact(ResourceLeaseExpired, {
        allocationId,
        tenantId,
        poolId,
        amount: { ...amount },
        expiredAt: expiresAt ?? now.toISOString(),
      }),
    );
  }
  return { expired, underWay };
}

/** Leases: an allocation whose `expiresAt` has passed is released, and announced as expired. */

import { ResourceLeaseExpired } from '../events/allocation-events';
import { type Fact, fact } from '../events/define-event';
import type { Allocation, AllocationLedger } from './allocation';
import { release } from './release';

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
    facts.push(...(await expirePage(ledger, page, now)));
    if (page.length < LEASES_PER_PAGE || !hasTime()) return facts;
  }
}

async function expirePage(ledger: AllocationLedger, page: readonly Allocation[], now: Date): Promise<Fact[]> {
  const facts: Fact[] = [];
  for (const expired of page) {
    const { allocation, released } = await release(ledger, expired.allocationId);
    if (!released) continue;
    const { allocationId, tenantId, poolId, amount, expiresAt } = allocation;
    facts.push(
      fact(ResourceLeaseExpired, {
        allocationId,
        tenantId,
        poolId,
        amount: { ...amount },
        expiredAt: expiresAt ?? now.toISOString(),
      }),
    );
  }
  return facts;
}

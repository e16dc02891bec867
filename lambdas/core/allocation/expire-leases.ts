/** Leases: an allocation whose `expiresAt` has passed is released, and announced as expired. */

import { ResourceLeaseExpired } from '../events/allocation-events';
import { type Fact, fact } from '../events/define-event';
import type { AllocationLedger } from './allocation';
import { release } from './release';

/** How many expired allocations one sweep takes; the next sweep takes the rest. */
export const LEASES_PER_SWEEP = 100;

export async function expireLeases(ledger: AllocationLedger, now: Date): Promise<Fact[]> {
  const facts: Fact[] = [];
  for (const expired of await ledger.expiredAllocations(now, LEASES_PER_SWEEP)) {
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

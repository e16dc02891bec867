/** The facts an allocation outcome announces. */

import {
  ResourceAllocated,
  ResourceAllocationRejected,
  ResourceLeaseExpired,
  ResourceReleased,
} from '../events/allocation-events';
import { type Fact, fact } from '../events/define-event';
import type { Allocation, AllocationOutcome } from './allocation';

/** `ResourceAllocated` once capacity is usable (a callback provisioner announces it later), or the rejection. */
export function outcomeFacts(outcome: AllocationOutcome): Fact[] {
  if (outcome.status === 'REJECTED') {
    const { requestId, tenantId, reason, explanation } = outcome;
    return [fact(ResourceAllocationRejected, { requestId, tenantId, reason, explanation })];
  }
  if (outcome.status === 'PROVISIONING_FAILED' || outcome.provisioning) return [];
  const { allocationId, requestId, tenantId, poolId, amount, expiresAt } = outcome;
  return [
    fact(ResourceAllocated, { allocationId, requestId, tenantId, poolId, amount: { ...amount }, expiresAt }),
  ];
}

export function releasedFact(
  allocation: Pick<Allocation, 'allocationId' | 'tenantId' | 'poolId' | 'amount'>,
): Fact {
  const { allocationId, tenantId, poolId, amount } = allocation;
  return fact(ResourceReleased, { allocationId, tenantId, poolId, amount: { ...amount } });
}

/** What a released allocation announces: its lease's end, or its release (on request, or a failed provisioning). */
export function releaseFact(allocation: Allocation): Fact {
  const { allocationId, tenantId, poolId, amount, expiresAt } = allocation;
  if (allocation.releaseCause !== 'expiry' || !expiresAt) return releasedFact(allocation);
  return fact(ResourceLeaseExpired, {
    allocationId,
    tenantId,
    poolId,
    amount: { ...amount },
    expiredAt: expiresAt,
  });
}

/** The facts an allocation outcome announces. */

import {
  ResourceAllocated,
  ResourceAllocationRejected,
  ResourceLeaseExpired,
  ResourceReleased,
} from '../events/allocation-events';
import { type Fact, fact } from '../events/define-event';
import type { EndedExecution } from '../recovery/executions';
import type { AllocatedOutcome, Allocation, AllocationOutcome } from './allocation';

/** `ResourceAllocated` once capacity is usable (a callback provisioner announces it later), or the rejection. */
export function outcomeFacts(outcome: AllocationOutcome): Fact[] {
  if (outcome.status === 'REJECTED') {
    const { requestId, tenantId, reason, explanation } = outcome;
    return [fact(ResourceAllocationRejected, { requestId, tenantId, reason, explanation })];
  }
  if (outcome.status === 'PROVISIONING_FAILED' || outcome.provisioning) return [];
  return [allocatedFact(outcome)];
}

/** `ResourceAllocated` for an allocation usable now, with its provisioner's attributes if it had one. */
export function allocatedFact(
  outcome: AllocatedOutcome,
  attributes?: Readonly<Record<string, unknown>>,
): Fact {
  const { allocationId, requestId, tenantId, poolId, amount, expiresAt } = outcome;
  return fact(ResourceAllocated, {
    allocationId,
    requestId,
    tenantId,
    poolId,
    amount: { ...amount },
    expiresAt,
    ...(attributes ? { attributes: { ...attributes } } : {}),
  });
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

/**
 * The request's execution ended before deciding it (stopped, timed out, failed, or the runtime
 * running it died): what it held is given back, and the request may be sent again.
 */
export function abandonedFact(
  requestId: string,
  tenantId: string | undefined,
  ended: Pick<EndedExecution, 'executionArn' | 'ending'>,
): Fact {
  const how = ended.ending === 'NOT_FOUND' ? 'no longer exists' : `ended ${ended.ending}`;
  return fact(ResourceAllocationRejected, {
    requestId,
    ...(tenantId ? { tenantId } : {}),
    reason: 'RequestAbandoned',
    explanation: `its execution ${ended.executionArn} ${how} before deciding it; nothing is held — request it again`,
  });
}

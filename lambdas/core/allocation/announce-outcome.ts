/**
 * Announcing a request's outcome at least once: its fact goes out first, then the request notes it
 * announced. A process killed between the two leaves the outcome unannounced for whoever comes
 * next — a retry of the deciding execution, a later delivery once the claim is stale, the
 * reconciler — so the fact may go out twice, never not at all.
 */
import type { Fact, FactPublisher } from '../ports';
import type { AllocationOutcome } from './allocation';
import { allocatedFact, outcomeFacts } from './allocation-facts';
import type { AllocationRecords, RequestClaims } from './allocation-ledger';

export async function announceOutcome(
  claims: Pick<RequestClaims, 'markAnnounced'>,
  publisher: FactPublisher,
  requestId: string,
  facts: readonly Fact[],
): Promise<void> {
  if (facts.length > 0) await publisher.publish(facts);
  await claims.markAnnounced(requestId);
}

/**
 * The facts of an outcome recorded earlier, as the ledger holds it now: `ResourceAllocated` (with
 * the provisioner's attributes) only while the allocation is ACTIVE — one taken back since is
 * announced by its release, and allocated-after-released would read as live.
 */
export async function recordedOutcomeFacts(
  records: Pick<AllocationRecords, 'read'>,
  outcome: AllocationOutcome,
): Promise<Fact[]> {
  if (outcome.status !== 'ALLOCATED' || outcome.provisioning) return outcomeFacts(outcome);
  const allocation = await records.read(outcome.allocationId);
  if (allocation?.status !== 'ACTIVE') return [];
  return [allocatedFact(outcome, allocation.attributes)];
}

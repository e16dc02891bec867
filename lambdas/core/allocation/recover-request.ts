/**
 * What an `allocate-resources` execution left of its request when it ended abnormally (stopped,
 * timed out, failed, or the runtime running it died) is undone: a claim with no outcome (its
 * attempt given back, the id freed) or a callback provisioning not yet ACTIVE (its reservation
 * returned, announced). Nothing unless that execution is the one the request names: a duplicate's
 * end changes nothing.
 */
import type { Fact } from '../events/define-event';
import { abandonClaim } from './allocate';
import type { AllocationLedger } from './allocation';
import { releasedFact } from './allocation-facts';
import { abandonProvisioning } from './provisioning';

export async function recoverRequest(
  ledger: AllocationLedger,
  requestId: string,
  endedExecutionId: string,
  /** The recovery's own claim, if it takes the request over. */
  claimId: string,
  now: Date,
): Promise<Fact[]> {
  if (await abandonClaim(ledger, requestId, endedExecutionId, claimId, now)) return [];
  const returned = await abandonProvisioning(ledger, requestId, endedExecutionId, now);
  return returned ? [releasedFact(returned)] : [];
}

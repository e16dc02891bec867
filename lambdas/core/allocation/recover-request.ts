/**
 * What an `allocate-resources` execution left of its request when it ended abnormally (stopped,
 * timed out, failed, or the runtime running it died) is undone: a claim with no outcome (its
 * attempt given back, the id freed) or a callback provisioning left unfinished (its capacity
 * returned). Nothing unless that execution is the one the request names: a duplicate's end changes
 * nothing.
 */
import { abandonClaim } from './allocate';
import type { AllocationLedger } from './allocation';
import { abandonProvisioning } from './provisioning';

/** The allocations whose capacity went back, for their release to be announced (`announceReleases`). */
export async function recoverRequest(
  ledger: AllocationLedger,
  requestId: string,
  endedExecutionId: string,
  /** The recovery's own claim, if it takes the request over. */
  claimId: string,
  now: Date,
): Promise<string[]> {
  if (await abandonClaim(ledger, requestId, endedExecutionId, claimId, now)) return [];
  const returned = await abandonProvisioning(ledger, requestId, endedExecutionId, now);
  return returned ? [returned] : [];
}

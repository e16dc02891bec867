/**
 * What an `allocate-resources` execution left of its request when it ended abnormally (stopped,
 * timed out, failed, or the runtime running it died) is undone and announced: a claim with no
 * outcome (its attempt given back, `ResourceAllocationRejected` with `RequestAbandoned`, the id
 * freed) or a callback provisioning left unfinished (its capacity returned, `ResourceReleased`).
 * Nothing unless that execution is the one the request names: a duplicate's end changes nothing.
 */
import { executionInputField } from '../execution-input';
import type { FactPublisher } from '../ports';
import type { EndedExecution } from '../recovery/executions';
import { abandonedFact } from './allocation-facts';
import type { AllocationLedger } from './allocation-ledger';
import { abandonProvisioning } from './provisioning';
import { announceReleases } from './release';
import { abandonClaim } from './request-claims';

export async function recoverRequest(
  ledger: AllocationLedger,
  publisher: FactPublisher,
  requestId: string,
  ended: EndedExecution,
  /** The recovery's own claim, if it takes the request over. */
  claimId: string,
  now: Date,
): Promise<void> {
  const abandoned = await abandonClaim(ledger, requestId, ended.executionArn, claimId, now, (record) => {
    const tenantId = record.attempt?.tenantId ?? executionInputField(ended.input, 'tenantId');
    return publisher.publish([abandonedFact(requestId, tenantId, ended)]);
  });
  if (abandoned) return;
  const returned = await abandonProvisioning(ledger, requestId, ended.executionArn, now);
  if (returned) await announceReleases(ledger, publisher, [returned]);
}

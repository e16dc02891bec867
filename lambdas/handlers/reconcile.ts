/**
 * Scheduled (every 5 minutes in the cloud; at start and on a timer in the embedded runtime):
 * finds every record in flight whose execution is no longer running — the status-change event
 * that should have recovered it was lost — and recovers it as that route would have. A run that
 * could not recover everything fails after recovering (and announcing) the rest: Lambda retries
 * the scheduled (asynchronous) invocation, then hands it to the function's on-failure destination,
 * whose queue alarms; the next run tries again.
 */
import { randomUUID } from 'node:crypto';
import { wireReconciliation } from '../adapters/runtime-wiring';
import { ReconciliationIncomplete } from '../core/errors';
import { type Reconciliation, reconcile } from '../core/recovery/reconcile';
import { batonHandler } from '../middleware/baton-handler';
import { logger } from '../observability/logger';

const { allocations, rollouts, workloads, traffic, records, executions, publisher } = wireReconciliation();

export const handler = batonHandler<unknown, Reconciliation>(async () => {
  const reconciliation = await reconcile(
    { records, workloads, allocations: allocations.records, executions },
    { allocations, rollouts, traffic, workloads, publisher, newClaimId: () => `recovery-${randomUUID()}` },
    new Date(),
  );
  if (reconciliation.orphans.length > 0) logger.warn('orphans recovered', { ...reconciliation });
  if (reconciliation.failures.length > 0) {
    throw new ReconciliationIncomplete(reconciliation.failures.join('; '));
  }
  return reconciliation;
});

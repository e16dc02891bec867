/**
 * Scheduled (every minute in the cloud; a timer in the embedded runtime): releases allocations
 * whose lease has ended and announces `ResourceLeaseExpired` for each.
 */
import { wireAllocations } from '../adapters/runtime-wiring';
import { expireLeases } from '../core/allocation/expire-leases';
import { batonHandler } from '../middleware/baton-handler';

const { ledger, publisher } = wireAllocations();

export const handler = batonHandler<unknown, { expired: number }>(async () => {
  const facts = await expireLeases(ledger, new Date());
  await publisher.publish(facts);
  return { expired: facts.length };
});

/**
 * Scheduled (every minute in the cloud; a timer in the embedded runtime): releases allocations
 * whose lease has ended and announces `ResourceLeaseExpired` for each.
 */
import { wireAllocations } from '../adapters/runtime-wiring';
import { expireLeases } from '../core/allocation/expire-leases';
import { batonHandler } from '../middleware/baton-handler';

const { ledger, publisher } = wireAllocations();

/** Stop taking new pages with this much of the invocation left, to finish the page under way. */
const RESERVE_MS = 5_000;

export const handler = batonHandler<unknown, { expired: number }>(async (_event, context) => {
  const facts = await expireLeases(
    ledger,
    publisher,
    new Date(),
    () => context.getRemainingTimeInMillis() > RESERVE_MS,
  );
  return { expired: facts.length };
});

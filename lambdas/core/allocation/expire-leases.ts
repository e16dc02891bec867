/**
 * Leases: an allocation whose `expiresAt` has passed is released, and announced as expired. The
 * lease index also holds releases left half-way (RELEASING, or RELEASED with markers still to
 * remove, or with their fact not out yet): the sweep finishes them, unless another release is
 * still at work on one, and announces each page before it reads the next.
 */
import type { Fact, FactPublisher } from '../ports';
import type { Allocation } from './allocation';
import type { AllocationLedger } from './allocation-ledger';
import { announceReleases, releaseFrom } from './release';

/** Expired allocations read per page; a sweep goes on page after page until none is left. */
export const LEASES_PER_PAGE = 100;

/**
 * Releases every allocation whose lease has ended, until none is left or `hasTime` says stop; the
 * facts it announced.
 */
export async function expireLeases(
  ledger: AllocationLedger,
  publisher: FactPublisher,
  now: Date,
  hasTime: () => boolean = () => true,
): Promise<Fact[]> {
  const facts: Fact[] = [];
  for (;;) {
    const page = await ledger.records.expired(now, LEASES_PER_PAGE);
    const { released, underWay } = await expirePage(ledger, page, now);
    // Announced before the next page is read: an announced release leaves the index.
    facts.push(...(await announceReleases(ledger, publisher, released)));
    // Releases under way stay in the index until their owners finish: a page of only those is the end.
    if (page.length < LEASES_PER_PAGE || underWay === page.length || !hasTime()) return facts;
  }
}

/** Releases (or finishes releasing) a page of leases; the ones now RELEASED, and how many another release holds. */
async function expirePage(
  ledger: AllocationLedger,
  page: readonly Allocation[],
  now: Date,
): Promise<{ released: string[]; underWay: number }> {
  const released: string[] = [];
  let underWay = 0;
  for (const lease of page) {
    const result = await releaseFrom(ledger, lease.allocationId, 'ACTIVE', now, 'expiry');
    if (result === 'under-way') underWay++;
    if (typeof result === 'string') continue;
    released.push(lease.allocationId);
    // Announced and closed, yet still in the index (its two last writes crossed): out it goes.
    if (result.allocation.releaseAnnounced) await ledger.records.closeRelease(lease.allocationId);
  }
  return { released, underWay };
}

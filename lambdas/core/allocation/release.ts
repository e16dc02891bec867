/**
 * Returning an allocation's capacity. An allocation whose saga settled (its outcome recorded, its
 * holds dropped) has no hold left to give back, so a release marks its return on each item
 * instead, and the mark lives only while it is in flight:
 * 1. the allocation goes ACTIVE (RESERVED for a cancelled provisioning) → RELEASING, stamped with
 *    the release that took it — only that release gives anything back;
 * 2. the pool gives the usage back and marks the allocation's return in one write (taking a hold
 *    the saga had not settled yet with it), skipped if its return is marked already; the same on
 *    the quota;
 * 3. RELEASING → RELEASED; 4. the return marks are forgotten, then the stamp removed.
 * A release that fails gives its stamp up, so releasing again finishes it at once; one whose
 * function died is taken over once its stamp is stale. The stamp is what makes removing a marker
 * safe: without it, a second release acting on an older read of RELEASING would find no marker
 * and give back twice.
 */

import { publishNoting } from '../announcements';
import { InvalidRequest, LedgerItemMalformed } from '../errors';
import type { Fact, FactPublisher } from '../ports';
import type { Allocation, ReleaseCause } from './allocation';
import { releaseFact } from './allocation-facts';
import {
  type AllocationLedger,
  type CapacityHolder,
  poolHolder,
  quotaHolder,
  type Return,
} from './allocation-ledger';
import { ReleaseInterrupted } from './errors';
import { staleBefore as staleReleasesBefore } from './policy';
import { isCommitted } from './request-claims';

export interface Released {
  readonly allocation: Allocation;
  /** False when this call did not complete the release (it was complete already): nothing to announce. */
  readonly released: boolean;
}

/** Releases an ACTIVE allocation; releasing again finishes an interrupted release, and is harmless after. */
export async function release(
  ledger: AllocationLedger,
  allocationId: string,
  now: Date = new Date(),
): Promise<Released> {
  const result = await releaseFrom(ledger, allocationId, 'ACTIVE', now, 'request');
  if (result === 'under-way') {
    throw new ReleaseInterrupted(
      `allocation ${allocationId} is being released by another request; release it again to see it finished`,
    );
  }
  if (result === 'refused') {
    throw new InvalidRequest(
      `allocationId: ${allocationId} is still being provisioned; release it once it is allocated`,
    );
  }
  return result;
}

/**
 * Releases an allocation that is `from`, for `cause`, or finishes the release of a RELEASING one,
 * for the cause it was taken for.
 * `under-way` when another release holds it and is still within its time (it will finish it);
 * `refused` when the allocation is in another live status.
 */
export async function releaseFrom(
  ledger: AllocationLedger,
  allocationId: string,
  from: 'ACTIVE' | 'RESERVED',
  now: Date,
  cause: ReleaseCause,
): Promise<Released | 'under-way' | 'refused'> {
  const staleBefore = staleReleasesBefore(now);
  for (;;) {
    const allocation = await ledger.records.read(allocationId);
    if (!allocation) throw new InvalidRequest(`allocationId: no allocation ${allocationId}`);
    if (allocation.status === 'RELEASED') {
      // A stamp left on a RELEASED allocation says its markers may not all be removed yet.
      if (allocation.releaseClaimedAt)
        await interruptible(allocation, () => forgetReturns(ledger, allocation));
      return { allocation, released: false };
    }
    if (allocation.status !== from && allocation.status !== 'RELEASING') return 'refused';
    if (
      allocation.status === 'RELEASING' &&
      allocation.releaseClaimedAt &&
      allocation.releaseClaimedAt >= staleBefore.toISOString()
    ) {
      return 'under-way';
    }
    // A stalled release finished by another keeps the cause its first taker recorded: a release
    // requested, then finished by the lease sweep, is still a release, not an expiry.
    const takenFor = allocation.status === 'RELEASING' ? (allocation.releaseCause ?? cause) : cause;
    const claimed = await interruptible(allocation, async () => {
      try {
        return await ledger.records.claimRelease(allocationId, from, now, staleBefore, takenFor);
      } catch (error) {
        // The claim may have gone through with only its answer lost.
        await ledger.records.unclaimRelease(allocationId, now).catch(() => undefined);
        throw error;
      }
    });
    // Not claimed: the allocation changed since it was read; read it again.
    if (!claimed) continue;
    return {
      allocation: { ...allocation, status: 'RELEASED', releaseCause: takenFor },
      released: await returnCapacity(ledger, allocation, now),
    };
  }
}

/**
 * Announces the allocations found RELEASED whose release has not been announced yet — by whoever
 * finds them so: the call that released them, or one that finds the release done but its fact not
 * out (the first failed to publish) — then notes that they are. Read afresh, so the fact is what
 * the ledger holds. A fact may thus go out twice, never not at all. The facts announced.
 */
export async function announceReleases(
  ledger: AllocationLedger,
  publisher: FactPublisher,
  allocationIds: readonly string[],
): Promise<Fact[]> {
  const unannounced: Allocation[] = [];
  for (const allocationId of allocationIds) {
    const allocation = await ledger.records.read(allocationId);
    if (allocation?.status === 'RELEASED' && !allocation.releaseAnnounced) unannounced.push(allocation);
  }
  const announcements = unannounced.map((allocation) => ({
    fact: releaseFact(allocation),
    subject: allocation,
  }));
  await publishNoting(publisher, announcements, ({ allocationId }) =>
    ledger.records.markReleaseAnnounced(allocationId),
  );
  return announcements.map(({ fact }) => fact);
}

/** Steps 2 to 4 for the release stamped `claimedAt`; whether this call completed the release. */
async function returnCapacity(
  ledger: AllocationLedger,
  allocation: Allocation,
  claimedAt: Date,
): Promise<boolean> {
  const { allocationId } = allocation;
  const completed = await interruptible(allocation, async () => {
    try {
      const committed = await isCommitted(ledger.claims, allocation);
      for (const holder of holdersOf(allocation)) await returnOnce(ledger, allocation, holder, committed);
      return await completeRelease(ledger, allocationId, claimedAt);
    } catch (error) {
      await ledger.records.unclaimRelease(allocationId, claimedAt).catch(() => undefined);
      throw error;
    }
  });
  // Once RELEASED the capacity is back: markers left by a failure here are harmless, and the stamp
  // kept on the allocation lets the next release (or the lease sweep) remove them. Not completed
  // because the allocation is gone (a takeover undid the dead saga that made it): nothing can
  // release it again, so its markers go now.
  const over =
    completed || (await ledger.records.read(allocation.allocationId).catch(() => null)) === undefined;
  if (over) await forgetReturns(ledger, allocation).catch(() => undefined);
  return completed;
}

/**
 * One give-back, knowing whether the allocation's outcome was `committed` when the release looked.
 * A hold that vanished without a return marker was dropped by a settle since then (which comes
 * after the outcome is recorded): then the usage is still counted, and is given back as settled.
 * Still not committed means a failed saga gave it back already.
 */
async function returnOnce(
  ledger: AllocationLedger,
  allocation: Allocation,
  holder: CapacityHolder,
  committed: boolean,
): Promise<void> {
  const give = (settled: boolean): Promise<Return> =>
    ledger.holders.release(holder, allocation.allocationId, allocation.amount, settled);
  if (committed) {
    await give(true);
    return;
  }
  if ((await give(false)) === 'returned') return;
  if (await isCommitted(ledger.claims, allocation)) await give(true);
}

/** What an allocation holds capacity of, in the order a release gives it back: its pool, then its tenant's quota. */
function holdersOf({ poolId, tenantId }: Allocation): CapacityHolder[] {
  return [poolHolder(poolId), quotaHolder(tenantId)];
}

/** RELEASING → RELEASED, also when the write went through and only its answer was lost. */
async function completeRelease(
  ledger: AllocationLedger,
  allocationId: string,
  claimedAt: Date,
): Promise<boolean> {
  try {
    return await ledger.records.completeRelease(allocationId, claimedAt);
  } catch (error) {
    const current = await ledger.records.read(allocationId).catch(() => undefined);
    if (current?.status !== 'RELEASED' || current.releaseClaimedAt !== claimedAt.toISOString()) throw error;
    return true;
  }
}

async function forgetReturns(ledger: AllocationLedger, allocation: Allocation): Promise<void> {
  for (const holder of holdersOf(allocation))
    await ledger.holders.forgetReturn(holder, allocation.allocationId);
  await ledger.records.closeRelease(allocation.allocationId);
}

/** Store failures become `ReleaseInterrupted`, which says what to do next. */
async function interruptible<T>(allocation: Allocation, step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (error) {
    // A malformed item stays so until it is repaired: passed on by its name, not retried.
    if (error instanceof LedgerItemMalformed) throw error;
    throw new ReleaseInterrupted(
      `the release of allocation ${allocation.allocationId} was interrupted (release it again to finish it): ${(error as Error).message}`,
      { cause: error },
    );
  }
}

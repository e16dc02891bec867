/**
 * The end of a `callback` provisioning: confirmed (the allocation becomes ACTIVE with the
 * provisioner's attributes) or cancelled (its reservation is returned, as a release returns it).
 * Either way the request's recorded outcome is brought up to date, so a later duplicate delivery
 * reads the final result.
 */
import type { AllocatedOutcome } from './allocation';
import type { AllocationLedger } from './allocation-ledger';
import { AllocationNotReserved, ReleaseInterrupted } from './errors';
import { leaseEnd } from './policy';
import { releaseFrom } from './release';

/** A confirmed provisioning, and whether its `ResourceAllocated` is out already (a retry's). */
export interface Confirmed {
  readonly outcome: AllocatedOutcome;
  readonly announced: boolean;
}

/**
 * Activates the allocation and records the confirmed outcome — only while the outcome still says
 * it is provisioning: a cancellation (the recovery of a stopped execution) that recorded
 * PROVISIONING_FAILED meanwhile stands. The allocation is read again last, so that one taken back
 * since it was activated is not announced.
 */
export async function confirmProvisioning(
  ledger: AllocationLedger,
  outcome: AllocatedOutcome,
  attributes: Readonly<Record<string, unknown>>,
  now: Date,
): Promise<Confirmed> {
  const { allocationId, requestId } = outcome;
  const allocation = await ledger.records.read(allocationId);
  // ACTIVE already: a retry of a confirmation that activated it.
  let expiresAt = allocation?.expiresAt;
  if (allocation?.status !== 'ACTIVE') {
    expiresAt = allocation?.leaseSeconds ? leaseEnd(now, allocation.leaseSeconds) : undefined;
    if (!allocation || !(await ledger.records.activate(allocationId, attributes, expiresAt))) {
      throw new AllocationNotReserved(`allocation ${allocationId} is no longer reserved`);
    }
  }
  const confirmed: AllocatedOutcome = { ...outcome, provisioning: false, expiresAt };
  let announced = false;
  if (!(await ledger.claims.confirmOutcome(requestId, confirmed, now))) {
    const record = await ledger.claims.read(requestId);
    const recorded = record?.outcome;
    if (recorded?.status !== 'ALLOCATED' || recorded.allocationId !== allocationId || recorded.provisioning) {
      throw new AllocationNotReserved(
        `allocation ${allocationId} was cancelled while it was being confirmed (its request is ${recorded?.status ?? 'gone'})`,
      );
    }
    // Recorded by an earlier try of this confirmation.
    announced = record?.announced === true;
  }
  if ((await ledger.records.read(allocationId))?.status !== 'ACTIVE') {
    throw new AllocationNotReserved(`allocation ${allocationId} was taken back while it was being confirmed`);
  }
  return { outcome: confirmed, announced };
}

/**
 * Returns the capacity the way a release does, and records the request as PROVISIONING_FAILED:
 * the reservation if it is still RESERVED — or the allocation if it is ACTIVE already, because its
 * confirmation went through but could not finish (recording its outcome or announcing it failed
 * for good): the workflow reports the provisioning failed, so the ledger must not keep it live.
 * Finishes an interrupted cancellation; harmless once done. Another cancellation or release
 * under way is `ReleaseInterrupted`: cancel again to finish.
 */
export async function cancelProvisioning(
  ledger: AllocationLedger,
  outcome: AllocatedOutcome,
  now: Date = new Date(),
): Promise<void> {
  if ((await takeBack(ledger, outcome, now)) === 'under-way') {
    throw new ReleaseInterrupted(
      `the capacity of ${outcome.allocationId} is being returned by another request`,
    );
  }
}

/** The cancellation's work; `under-way` (nothing done) when another holds the allocation's release. */
async function takeBack(
  ledger: AllocationLedger,
  outcome: AllocatedOutcome,
  now: Date,
): Promise<'done' | 'under-way'> {
  const { allocationId, requestId, tenantId } = outcome;
  let cancelled = await releaseFrom(ledger, allocationId, 'RESERVED', now, 'cancel');
  if (cancelled === 'refused') cancelled = await releaseFrom(ledger, allocationId, 'ACTIVE', now, 'cancel');
  if (cancelled === 'under-way' || cancelled === 'refused') return 'under-way';
  await ledger.claims.recordOutcome(requestId, {
    status: 'PROVISIONING_FAILED',
    allocationId,
    requestId,
    tenantId,
  });
  return 'done';
}

/**
 * The `allocate-resources` execution ended abnormally (stopped, timed out, or the runtime running
 * it died) while a callback provisioning was pending: nothing will ever confirm or cancel it, so
 * the capacity goes back now — also when a confirmation died after activating it, since the
 * execution reports no allocation — if that execution is the one that decided the request (a
 * duplicate's end changes nothing). Returns the allocation whose provisioning failed, if any, for
 * its release to be announced (the cancellation may have returned it without announcing it).
 * Another cancellation under way (the route and the reconciler racing, or the workflow's own) is
 * left to finish and announce it: recovery has nothing to add — and if that one dies, its stale
 * release and the outcome still provisioning are found again.
 */
export async function abandonProvisioning(
  ledger: AllocationLedger,
  requestId: string,
  endedExecutionId: string,
  now: Date = new Date(),
): Promise<string | undefined> {
  const record = await ledger.claims.read(requestId);
  if (record?.executionId !== endedExecutionId) return undefined;
  const outcome = record.outcome;
  if (outcome?.status === 'PROVISIONING_FAILED') return outcome.allocationId;
  if (outcome?.status !== 'ALLOCATED' || !outcome.provisioning) return undefined;
  if (!(await ledger.records.read(outcome.allocationId))) return undefined;
  if ((await takeBack(ledger, outcome, now)) === 'under-way') return undefined;
  return outcome.allocationId;
}

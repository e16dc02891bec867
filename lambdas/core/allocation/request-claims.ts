/**
 * An allocation request's claim, past the saga that made it: a claim whose delivery died is taken
 * over and what its attempt may hold given back, an abandoned one is freed, and whether a saga's
 * outcome was recorded (its usage counted for good) is read from the request.
 */
import type { Allocation, Claim, RequestRecord } from './allocation';
import { type AllocationLedger, poolHolder, quotaHolder, type RequestClaims } from './allocation-ledger';
import { CompensationFailed } from './errors';
import { isStale } from './policy';

/**
 * Undoes the reservations taken so far, newest first. Every undo is tried even if one fails, so
 * a failure leaves as little behind as possible; what is left is named, and the audit finds it.
 */
export async function compensate(taken: (() => Promise<void>)[]): Promise<void> {
  const failures: unknown[] = [];
  for (const undo of taken.reverse()) {
    try {
      await undo();
    } catch (error) {
      failures.push(error);
    }
  }
  if (failures.length > 0) {
    throw new CompensationFailed(
      `could not return every reservation: ${failures.map((error) => (error as Error).message).join('; ')}`,
      { cause: failures.length === 1 ? failures[0] : new AggregateError(failures, 'every undo that failed') },
    );
  }
}

/**
 * A claim with no outcome that is older than any delivery can run belongs to a delivery that
 * crashed: take it over and undo what it had started (idempotently), so that the taker decides
 * afresh. Whether it was taken over.
 */
export async function takeOverIfStale(
  ledger: AllocationLedger,
  requestId: string,
  claim: Claim,
  now: Date,
): Promise<boolean> {
  const record = await ledger.claims.read(requestId);
  if (!record || record.outcome || !isStale(record.claimedAt, now)) return false;
  return takeOver(ledger, requestId, record, claim, now);
}

/** Takes the claim `record` shows, and gives back what its attempt may hold (idempotently). */
export async function takeOver(
  ledger: AllocationLedger,
  requestId: string,
  record: RequestRecord,
  claim: Claim,
  at: Date,
): Promise<boolean> {
  if (!(await ledger.claims.takeOver(requestId, record.claimId, claim, at))) return false;
  const attempt = record.attempt;
  if (attempt) {
    await compensate([
      () => ledger.holders.returnHold(quotaHolder(attempt.tenantId), attempt.allocationId, attempt.amount),
      () => ledger.holders.returnHold(poolHolder(attempt.poolId), attempt.allocationId, attempt.amount),
      () => ledger.records.remove(attempt.allocationId),
    ]);
  }
  return true;
}

/**
 * The execution deciding a request ended before it recorded an outcome (stopped, timed out, or
 * the runtime running it died): the claim is taken over, what its attempt may hold is given back,
 * the abandonment is announced (`announce`, given the record as it was), and the request id is
 * freed, so that a later delivery decides afresh. Nothing happens unless that execution is still
 * the one the claim names. Whether a claim was abandoned.
 */
export async function abandonClaim(
  ledger: AllocationLedger,
  requestId: string,
  endedExecutionId: string,
  claimId: string,
  now: Date,
  announce: (record: RequestRecord) => Promise<void>,
): Promise<boolean> {
  const record = await ledger.claims.read(requestId);
  if (!record || record.outcome || record.executionId !== endedExecutionId) return false;
  // The claim keeps naming the ended execution: if this stops half-way (or announcing fails), the
  // next try finds it again — and announces it again, before the id is freed.
  const claim = { claimId, executionId: endedExecutionId };
  if (!(await takeOver(ledger, requestId, record, claim, now))) return false;
  await announce(record);
  await ledger.claims.unclaim(requestId, claimId);
  return true;
}

/**
 * Whether the saga that made `allocation` recorded its outcome: then its usage is counted for good,
 * whether its holds are still there or dropped by the settle. An outcome names its allocation from
 * the moment it is recorded (ALLOCATED) through a cancelled provisioning (PROVISIONING_FAILED).
 */
export async function isCommitted(
  claims: Pick<RequestClaims, 'read'>,
  allocation: Pick<Allocation, 'allocationId' | 'requestId'>,
): Promise<boolean> {
  const outcome = (await claims.read(allocation.requestId))?.outcome;
  return (
    outcome !== undefined && 'allocationId' in outcome && outcome.allocationId === allocation.allocationId
  );
}

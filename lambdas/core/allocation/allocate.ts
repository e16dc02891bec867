/**
 * The allocation saga: read the pools and the quota and choose, then claim the request id (with an
 * owner) together with what the choice decided — the attempt about to be reserved, or the refusal —
 * hold the tenant's quota and the pool at once (both settle before any undo), then write the
 * allocation and the outcome — each a single-item conditional write. A lost race re-chooses (a bounded number of times); any failure
 * before the outcome is recorded gives back what was held, newest first (holds make that
 * idempotent); a claim whose owner died is taken over once stale. Once the outcome is recorded the
 * saga settles: the recorded outcome is what says the allocation's usage is counted for good (a
 * release reads it), and the holds are dropped, so the pool and quota items carry no mark of the
 * allocations that are merely live.
 */
import type * as z from 'zod/mini';
import { InvalidRequest, LedgerItemMalformed } from '../errors';
import type { ResourceAllocationRequested } from '../events/allocation-events';
import type { Allocation, AllocationOutcome, Attempt } from './allocation';
import { type AllocationLedger, poolHolder, quotaHolder } from './allocation-ledger';
import type { Amounts } from './amounts';
import { choosePool, type PoolView, type QuotaView, type RejectionReason } from './choose-pool';
import { AllocationInterrupted, CompensationFailed, OutcomeUnknown, RequestInProgress } from './errors';
import { isStale, leaseEnd } from './policy';
import { compensate, takeOverIfStale } from './request-claims';

export type AllocationRequest = Readonly<z.output<typeof ResourceAllocationRequested.schema>>;

/** How many times a request re-chooses after losing a reservation race. */
export const MAX_PLACEMENT_ATTEMPTS = 5;
/** How long a duplicate delivery waits for the first one's outcome. */
const DUPLICATE_WAIT = { looks: 50, pauseMs: 100 };

export interface AllocateDependencies {
  readonly ledger: AllocationLedger;
  readonly now: () => Date;
  readonly newAllocationId: () => string;
  /** Names this delivery's claim on a request id. */
  readonly newClaimId: () => string;
  /** Waits between looks at a duplicate request's outcome. */
  readonly pause: (ms: number) => Promise<void>;
}

/**
 * The outcome; whether this delivery decided it (a duplicate only reads the first's); and whether
 * it is this delivery's to announce now: the deciding one's, a retry of its execution's (the first
 * try may have died before announcing), or any delivery's once the claim is stale and the outcome
 * still unannounced. Other duplicates leave it to the decider, so concurrent deliveries of one
 * request announce one fact.
 */
export interface Allocated {
  readonly outcome: AllocationOutcome;
  readonly decided: boolean;
  readonly announce: boolean;
  /**
   * The pool and the quota as this delivery's reservations left them (the ledger's answers to
   * them), when it reserved both itself: what their utilisation is measured from, with no read.
   */
  readonly reserved?: ReservedHolders | undefined;
}

export interface ReservedHolders {
  readonly pool: Pick<PoolView, 'poolId' | 'used' | 'capacity'>;
  readonly quota: Pick<QuotaView, 'tenantId' | 'used' | 'limits'>;
}

/** A pool chosen for the request, the quota limits the choice saw, and the allocation it would make. */
interface Placement {
  readonly pool: PoolView;
  readonly limitsSeen: Amounts;
  readonly allocation: Allocation;
}

export async function allocate(
  deps: AllocateDependencies,
  request: AllocationRequest,
  /** The workflow execution deciding the request: its claim names it, for recovery to check. */
  executionId: string,
): Promise<Allocated> {
  const { ledger } = deps;
  const claimId = deps.newClaimId();
  const claim = { claimId, executionId };
  let claimed: boolean;
  let first: Placement | AllocationOutcome | undefined;
  try {
    // Chosen before claiming, so that the claim carries what it decided: one write, not two. A
    // request the pools show to be wrong writes nothing — unless it was claimed before, when it
    // is a duplicate and gets the first delivery's result.
    const look = await lookAndChoose(deps, request).catch((error: unknown) => {
      if (error instanceof InvalidRequest) return error;
      throw error;
    });
    if (look instanceof InvalidRequest) {
      if (!(await ledger.claims.read(request.requestId))) throw look;
      claimed = false;
    } else {
      first = look;
      const decided = 'allocation' in look ? { attempt: attemptOf(request, look) } : { outcome: look };
      claimed = await ledger.claims.claim(request.requestId, claim, deps.now(), decided);
    }
    // A takeover decides afresh: giving back the dead attempt's holds changed what the look saw.
    if (!claimed && (await takeOverIfStale(ledger, request.requestId, claim, deps.now()))) {
      claimed = true;
      first = undefined;
    }
  } catch (error) {
    throw error instanceof CompensationFailed || error instanceof InvalidRequest
      ? error
      : interrupted(request, error);
  }
  if (!claimed) return { ...(await firstOutcome(deps, request.requestId, executionId)), decided: false };
  if (first && !('allocation' in first)) return { outcome: first, decided: true, announce: true };
  try {
    return { ...(await placeAndReserve(deps, request, claimId, first)), decided: true, announce: true };
  } catch (error) {
    if (error instanceof OutcomeUnknown) throw error;
    await ledger.claims.unclaim(request.requestId, claimId).catch(() => undefined);
    throw error instanceof InvalidRequest || error instanceof CompensationFailed
      ? error
      : interrupted(request, error);
  }
}

/** The claim was taken over while this delivery ran (it was thought dead): it must stop. */
function claimLost(request: AllocationRequest): AllocationInterrupted {
  return new AllocationInterrupted(
    `request ${request.requestId} was taken over by another delivery; this one stops`,
  );
}

/**
 * Any other store failure is transient for the caller: nothing is held, so a retry is safe. A
 * malformed ledger item is not: it stays as it is until an operator repairs it, so it is passed on
 * by its own name instead of being retried as an interruption.
 */
function interrupted(request: AllocationRequest, error: unknown): Error {
  if (error instanceof AllocationInterrupted || error instanceof LedgerItemMalformed) return error;
  return new AllocationInterrupted(
    `the ledger failed while deciding ${request.requestId}; nothing is held: ${(error as Error).message}`,
    { cause: error },
  );
}

/**
 * Reads the pools of the request's kind and the tenant's quota, and chooses: a placement, or the
 * refusal (not recorded yet).
 */
async function lookAndChoose(
  deps: AllocateDependencies,
  request: AllocationRequest,
): Promise<Placement | AllocationOutcome> {
  const [pools, quota] = await Promise.all([
    deps.ledger.holders.poolsOfKind(request.kind),
    deps.ledger.holders.quota(request.tenantId),
  ]);
  refuseUnknownDimensions(request, pools);
  const choice = choosePool(request, pools, quota);
  if (!choice.ok) return rejected(request, choice.reason, choice.explanation);
  // A choice is only made with a quota: choosePool refuses a tenant without one.
  const limitsSeen = quota?.limits ?? {};
  return { pool: choice.pool, limitsSeen, allocation: newAllocation(deps, request, choice.pool.poolId) };
}

/**
 * Reserves `first` (whose attempt the claim recorded), or what a fresh look chooses, re-choosing
 * after each lost race; records the outcome.
 */
async function placeAndReserve(
  deps: AllocateDependencies,
  request: AllocationRequest,
  claimId: string,
  first: Placement | undefined,
): Promise<{ outcome: AllocationOutcome; reserved?: ReservedHolders }> {
  const { ledger } = deps;
  for (let attempt = 1; attempt <= MAX_PLACEMENT_ATTEMPTS; attempt++) {
    const look = attempt === 1 && first ? first : await lookAndChoose(deps, request);
    if (!('allocation' in look)) {
      if (!(await ledger.claims.recordOutcome(request.requestId, look, claimId))) throw claimLost(request);
      return { outcome: look };
    }
    const recorded = look === first;
    if (
      !recorded &&
      !(await ledger.claims.recordAttempt(request.requestId, claimId, attemptOf(request, look)))
    )
      throw claimLost(request);
    const reserved = await reserveAndRecord(deps, request, claimId, look);
    if (reserved === 'conflict') continue;
    await settle(ledger, reserved.outcome);
    return reserved;
  }
  const contended = rejected(
    request,
    'InsufficientCapacity',
    `gave up after ${MAX_PLACEMENT_ATTEMPTS} attempts: other requests took the room first each time`,
  );
  if (!(await ledger.claims.recordOutcome(request.requestId, contended, claimId))) throw claimLost(request);
  return { outcome: contended };
}

/** What the claim holder is about to reserve, for whoever takes a stale claim over to undo it. */
function attemptOf(request: AllocationRequest, { allocation }: Placement): Attempt {
  return {
    allocationId: allocation.allocationId,
    tenantId: request.tenantId,
    poolId: allocation.poolId,
    amount: request.amount,
  };
}

/**
 * Holds the quota and the pool, then writes the allocation and the outcome; `conflict` when a
 * hold lost a race (given back already). Any failure gives back what was taken, unless the outcome
 * may have been recorded: from then on nothing may take the saga back.
 */
async function reserveAndRecord(
  deps: AllocateDependencies,
  request: AllocationRequest,
  claimId: string,
  { pool, limitsSeen, allocation }: Placement,
): Promise<{ outcome: AllocationOutcome; reserved?: ReservedHolders } | 'conflict'> {
  const { holders, claims, records } = deps.ledger;
  const { allocationId } = allocation;
  const quotaOf = quotaHolder(request.tenantId);
  const poolOf = poolHolder(pool.poolId);
  // Each undo is registered before its step: a step whose answer is lost may have gone
  // through, and giving back is idempotent, so undoing a step that did not happen is harmless.
  const taken: (() => Promise<void>)[] = [];
  try {
    taken.push(
      () => holders.returnHold(quotaOf, allocationId, request.amount),
      () => holders.returnHold(poolOf, allocationId, request.amount),
    );
    // Two items, neither hold waiting for the other; both are settled before anything is given
    // back, so that no hold can land after its undo.
    const [quotaHold, poolHold] = await Promise.allSettled([
      holders.reserve(quotaOf, allocationId, request.amount, limitsSeen),
      holders.reserve(poolOf, allocationId, request.amount, pool.capacity),
    ]);
    if (quotaHold.status === 'rejected') throw quotaHold.reason;
    if (poolHold.status === 'rejected') throw poolHold.reason;
    const quota = quotaHold.value;
    const held = poolHold.value;
    if (quota === 'conflict' || held === 'conflict') {
      await compensate(taken);
      return 'conflict';
    }
    taken.push(() => records.remove(allocationId));
    await records.create(allocation);
    const outcome: AllocationOutcome = {
      status: 'ALLOCATED',
      allocationId: allocation.allocationId,
      requestId: request.requestId,
      tenantId: request.tenantId,
      poolId: allocation.poolId,
      kind: request.kind,
      amount: request.amount,
      expiresAt: allocation.expiresAt,
      provisioning: allocation.status === 'RESERVED',
    };
    // Recorded inside the saga: an outcome that cannot be recorded is taken back with the rest —
    // unless the write went through and only its answer was lost.
    let recorded: boolean;
    try {
      recorded = await claims.recordOutcome(request.requestId, outcome, claimId);
    } catch (error) {
      const record = await claims.read(request.requestId).catch((readError: Error) => {
        throw new OutcomeUnknown(
          `request ${request.requestId}: recording its outcome failed and reading it back failed too; a later delivery will finish it: ${readError.message}`,
          { cause: readError },
        );
      });
      if (record?.outcome?.status !== 'ALLOCATED' || record.outcome.allocationId !== allocationId)
        throw error;
      recorded = true;
    }
    if (!recorded) throw claimLost(request);
    if (quota === 'heldAlready' || held === 'heldAlready') return { outcome };
    return {
      outcome,
      reserved: {
        pool: { poolId: pool.poolId, used: held.used, capacity: held.bound },
        quota: { tenantId: request.tenantId, used: quota.used, limits: quota.bound },
      },
    };
  } catch (error) {
    if (error instanceof CompensationFailed || error instanceof OutcomeUnknown) throw error;
    await compensate(taken);
    throw interrupted(request, error);
  }
}

/**
 * Drops the holds of an allocation whose outcome is recorded, leaving its usage counted in `used`.
 * Safe because nothing takes a saga back once its outcome is recorded: a takeover needs a claim
 * with no outcome, compensation runs only before the outcome is recorded (or when it is known not
 * to be), and a release gives usage back through its own return markers. The recorded outcome is
 * what tells a release that finds no hold that the usage is still counted (`isCommitted`). Best
 * effort: a hold left behind is harmless — a release gives it back with the usage, and the next
 * delivery of the request settles again.
 */
async function settle({ holders }: AllocationLedger, outcome: AllocationOutcome): Promise<void> {
  if (outcome.status !== 'ALLOCATED') return;
  const { allocationId, poolId, tenantId } = outcome;
  // Two items, neither waiting for the other.
  await Promise.all([
    holders.settle(poolHolder(poolId), allocationId),
    holders.settle(quotaHolder(tenantId), allocationId),
  ]).catch(() => {
    // Left for the release or the next delivery, as above.
  });
}

/** A dimension no pool of the kind has is a typo, not a shortage: the caller must fix it. */
function refuseUnknownDimensions(request: AllocationRequest, pools: readonly PoolView[]): void {
  if (pools.length === 0) return;
  const known = new Set(pools.flatMap((pool) => Object.keys(pool.capacity)));
  const unknown = Object.keys(request.amount).filter((dimension) => !known.has(dimension));
  if (unknown.length > 0) {
    throw new InvalidRequest(
      `amount: unknown dimension ${unknown.join(', ')} (pools of kind ${request.kind} have ${[...known].sort().join(', ')})`,
    );
  }
}

function newAllocation(deps: AllocateDependencies, request: AllocationRequest, poolId: string): Allocation {
  const now = deps.now();
  const callback = request.provisioner === 'callback';
  return {
    allocationId: deps.newAllocationId(),
    requestId: request.requestId,
    tenantId: request.tenantId,
    poolId,
    kind: request.kind,
    amount: request.amount,
    status: callback ? 'RESERVED' : 'ACTIVE',
    createdAt: now.toISOString(),
    // A callback allocation's lease starts when it is provisioned, not while it is being built.
    expiresAt: request.leaseSeconds && !callback ? leaseEnd(now, request.leaseSeconds) : undefined,
    leaseSeconds: request.leaseSeconds,
  };
}

function rejected(
  request: AllocationRequest,
  reason: RejectionReason,
  explanation: string,
): AllocationOutcome {
  return {
    status: 'REJECTED',
    requestId: request.requestId,
    tenantId: request.tenantId,
    reason,
    explanation,
  };
}

/** A duplicate delivery: the outcome of the first, waiting for it while it is still being decided. */
async function firstOutcome(
  deps: AllocateDependencies,
  requestId: string,
  executionId: string,
): Promise<{ outcome: AllocationOutcome; announce: boolean }> {
  for (let look = 0; look < DUPLICATE_WAIT.looks; look++) {
    const record = await deps.ledger.claims.read(requestId);
    if (record?.outcome) {
      // The first delivery may have stopped between recording its outcome and settling.
      await settle(deps.ledger, record.outcome);
      const itsDecider = record.executionId === executionId;
      const stale = isStale(record.claimedAt, deps.now());
      return { outcome: record.outcome, announce: !record.announced && (itsDecider || stale) };
    }
    await deps.pause(DUPLICATE_WAIT.pauseMs);
  }
  throw new RequestInProgress(
    `request ${requestId} is still being decided by its first delivery; retry later`,
  );
}

/**
 * Orphans: records in flight that nothing will finish. A rollout RUNNING or PAUSED, an allocation
 * request claimed with no outcome or still provisioning, a workload move — each names the
 * execution that drives it, and is an orphan once that execution is no longer running (or never
 * existed). A release left RELEASING, a placement note, and what was done but never announced (a
 * request's outcome, a rollout's ending, a release, a placement) name no execution that could
 * still finish them: each is an orphan once older than anything that could. The reconciler
 * recovers them, `baton audit` names them; both find them here.
 */

import type { Allocation, AllocationOutcome, RequestRecord } from '../allocation/allocation';
import type { AllocationRecords } from '../allocation/allocation-ledger';
import { staleBefore as staleClaimsBefore } from '../allocation/policy';
import type { LedgerItemMalformed } from '../errors';
import { ENDED_STATUSES, type RolloutRecord } from '../rollouts/rollout';
import { abandonedPlacing } from '../workloads/place-pending-workloads';
import { STALE_PLACING_MS } from '../workloads/policy';
import type { MoveInFlight, WorkloadLedger, WorkloadRecord } from '../workloads/workload-ledger';
import { type EndedExecution, type ExecutionLookup, endedExecution } from './executions';

/** The ledger's records in flight, wherever they live; each kind is read as it is stored. */
export interface UnsettledRecords {
  /**
   * Rollouts RUNNING or PAUSED, or ended and not announced; requests claimed with no outcome,
   * still provisioning, or not announced; allocations RELEASING, or RELEASED and not announced.
   */
  unsettled(): Promise<{
    readonly rollouts: readonly RolloutRecord[];
    readonly requests: readonly RequestRecord[];
    readonly releases: readonly Allocation[];
    /** Records in flight that do not parse: left out, so that the others are still recovered. */
    readonly malformed: readonly LedgerItemMalformed[];
  }>;
}

export interface OrphanSources {
  readonly records: UnsettledRecords;
  readonly workloads: Pick<WorkloadLedger, 'workloadsInFlight'>;
  readonly allocations: Pick<AllocationRecords, 'read'>;
  readonly executions: ExecutionLookup;
}

export type Orphan =
  | {
      readonly kind: 'rollout';
      readonly rolloutId: string;
      readonly status: string;
      readonly execution: EndedExecution;
    }
  | {
      readonly kind: 'request';
      readonly requestId: string;
      /** Claimed with no outcome, or its callback provisioning (this allocation) never finished. */
      readonly provisioning?: string | undefined;
      readonly execution: EndedExecution;
    }
  | {
      readonly kind: 'move';
      readonly tenantId: string;
      readonly workloadId: string;
      readonly move: MoveInFlight;
      readonly execution: EndedExecution;
    }
  | {
      /** Decided, and its decider gone without announcing it. */
      readonly kind: 'announcement';
      readonly requestId: string;
      readonly outcome: AllocationOutcome;
    }
  | {
      /** Ended, and whoever ended it gone without announcing it. */
      readonly kind: 'ending';
      readonly rolloutId: string;
      readonly status: string;
    }
  | {
      /** RELEASING with its release stopped, or RELEASED and its release never announced. */
      readonly kind: 'release';
      readonly allocation: Allocation;
    }
  | { readonly kind: 'placement'; readonly workload: WorkloadRecord }
  | {
      /** Placed, and its announcer silent for longer than any placer runs. */
      readonly kind: 'unannounced placement';
      readonly workload: WorkloadRecord;
    };

/** How many executions are described at once: DescribeExecution is throttled per account. */
export const DESCRIBE_CONCURRENCY = 8;

/** The orphans found, and the records that could not be judged this time (with why). */
export interface OrphanSearch {
  readonly orphans: readonly Orphan[];
  readonly failures: readonly string[];
}

/**
 * Every orphan, judged record by record: one that cannot be judged (its execution cannot be
 * described) is named in `failures` and the others are still found. With `endedBefore`, an
 * execution that ended after it is left out (its status-change route is still recovering it);
 * one that does not exist is always in.
 */
export async function findOrphans(
  sources: OrphanSources,
  now: Date,
  endedBefore?: Date,
): Promise<OrphanSearch> {
  const [{ rollouts, requests, releases, malformed }, workloads] = await Promise.all([
    sources.records.unsettled(),
    sources.workloads.workloadsInFlight(),
  ]);
  // Each execution is asked about once, however many records name it.
  const asked = new Map<string, Promise<EndedExecution | undefined>>();
  const ended = async (executionArn: string) => {
    let answer = asked.get(executionArn);
    if (!answer) {
      answer = endedExecution(sources.executions, executionArn);
      asked.set(executionArn, answer);
    }
    const execution = await answer;
    const recent = execution?.stopDate && endedBefore && execution.stopDate > endedBefore;
    return recent ? undefined : execution;
  };
  const staleBefore = staleClaimsBefore(now).toISOString();
  const checks: { readonly record: string; readonly judge: () => Promise<Orphan | undefined> }[] = [
    ...rollouts.map(({ rolloutId, status, executionId, updatedAt }) => ({
      record: `rollout ${rolloutId}`,
      judge: async (): Promise<Orphan | undefined> => {
        if (ENDED_STATUSES.has(status)) {
          return updatedAt < staleBefore ? { kind: 'ending', rolloutId, status } : undefined;
        }
        const execution = await ended(executionId);
        return execution && { kind: 'rollout', rolloutId, status, execution };
      },
    })),
    ...requests.map((request) => ({
      record: `allocation request ${request.requestId}`,
      judge: () => judgeRequest(sources, request, staleBefore, ended),
    })),
    ...workloads.map(({ tenantId, workloadId, move }) => ({
      record: `workload ${workloadId} of ${tenantId}`,
      judge: async () => {
        if (!move?.executionId) return undefined;
        const execution = await ended(move.executionId);
        return execution && ({ kind: 'move', tenantId, workloadId, move, execution } as const);
      },
    })),
  ];
  const failures = malformed.map((item) => `${item.message}: it could not be judged`);
  const judged = await inBatches(checks, DESCRIBE_CONCURRENCY, async ({ record, judge }) => {
    try {
      return await judge();
    } catch (error) {
      const failure = error instanceof Error ? error : new Error(String(error));
      failures.push(`${record} could not be judged: ${failure.name}: ${failure.message}`);
      return undefined;
    }
  });
  return {
    orphans: [
      ...judged.filter((orphan) => orphan !== undefined),
      // A RELEASED one keeps its stamp until its markers are gone; one without is closed, and its
      // announcement is all that is left (its releaser may be announcing it this very moment:
      // then it goes out twice).
      ...releases
        .filter((allocation) => (allocation.releaseClaimedAt ?? '') < staleBefore)
        .map((allocation) => ({ kind: 'release', allocation }) as const),
      ...workloads
        .filter((workload) => abandonedPlacing(workload, now))
        .map((workload) => ({ kind: 'placement', workload }) as const),
      ...workloads
        .filter((workload) => silentAnnouncer(workload, now))
        .map((workload) => ({ kind: 'unannounced placement', workload }) as const),
    ],
    failures,
  };
}

/**
 * A request is an orphan when its execution ended with it claimed and undecided or still
 * provisioning, or when its outcome was decided long enough ago that its decider is gone, and
 * was never announced.
 */
async function judgeRequest(
  sources: OrphanSources,
  request: RequestRecord,
  staleBefore: string,
  ended: (executionArn: string) => Promise<EndedExecution | undefined>,
): Promise<Orphan | undefined> {
  const { requestId, outcome } = request;
  const decided = outcome && !(outcome.status === 'ALLOCATED' && outcome.provisioning);
  if (decided) {
    return !request.announced && request.claimedAt < staleBefore
      ? { kind: 'announcement', requestId, outcome }
      : undefined;
  }
  // A request claimed before claims named their execution cannot be judged: it is left alone.
  if (!request.executionId) return undefined;
  const provisioning = await stillProvisioning(sources.allocations, request);
  if (outcome && !provisioning) return undefined;
  const execution = await ended(request.executionId);
  return execution && { kind: 'request', requestId, provisioning, execution };
}

/** `each` over `items`, at most `concurrency` at once, the results in the items' order. */
async function inBatches<T, R>(
  items: readonly T[],
  concurrency: number,
  each: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await each(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  return results;
}

/** A placed workload whose announcer has been silent for longer than any placer runs. */
function silentAnnouncer(workload: WorkloadRecord, now: Date): boolean {
  const staleBefore = new Date(now.getTime() - STALE_PLACING_MS).toISOString();
  const announcer = workload.placementUnannounced;
  return workload.resourceId !== undefined && announcer !== undefined && announcer.at < staleBefore;
}

/**
 * The allocation of a request whose callback provisioning has not finished: its outcome still says
 * provisioning — RESERVED, or ACTIVE by a confirmation that died before recording its outcome, or
 * a cancellation left half-way; recovery cancels each.
 */
async function stillProvisioning(
  allocations: Pick<AllocationRecords, 'read'>,
  request: RequestRecord,
): Promise<string | undefined> {
  const outcome = request.outcome;
  if (outcome?.status !== 'ALLOCATED' || !outcome.provisioning) return undefined;
  const allocation = await allocations.read(outcome.allocationId);
  return allocation?.allocationId;
}

/** An orphan in words: what it is, and why nothing will finish it. */
export function describeOrphan(orphan: Orphan): string {
  switch (orphan.kind) {
    case 'rollout':
      return `rollout ${orphan.rolloutId} ${orphan.status}, its execution ${endedIn(orphan.execution)}`;
    case 'request':
      return `allocation request ${orphan.requestId} ${
        orphan.provisioning ? `provisioning ${orphan.provisioning}` : 'claimed with no outcome'
      }, its execution ${endedIn(orphan.execution)}`;
    case 'move':
      return `workload ${orphan.workloadId} of ${orphan.tenantId} moving ${orphan.move.from} → ${orphan.move.to}, its execution ${endedIn(orphan.execution)}`;
    case 'announcement':
      return `allocation request ${orphan.requestId} ${orphan.outcome.status}, its fact never announced`;
    case 'ending':
      return `rollout ${orphan.rolloutId} ${orphan.status}, its ending never announced`;
    case 'release':
      return orphan.allocation.status === 'RELEASED'
        ? `allocation ${orphan.allocation.allocationId} RELEASED, its release never announced`
        : `allocation ${orphan.allocation.allocationId} RELEASING since ${orphan.allocation.releaseClaimedAt ?? 'an unknown time'}, its release stopped`;
    case 'placement':
      return `workload ${orphan.workload.workloadId} of ${orphan.workload.tenantId} being placed on ${orphan.workload.placing?.resourceId} since ${orphan.workload.placing?.at}, its placer stopped`;
    case 'unannounced placement':
      return `workload ${orphan.workload.workloadId} of ${orphan.workload.tenantId} placed on ${orphan.workload.resourceId}, its placement not announced since ${orphan.workload.placementUnannounced?.at}`;
  }
}

function endedIn(execution: EndedExecution): string {
  return execution.ending === 'NOT_FOUND'
    ? `${execution.executionArn} does not exist`
    : `${execution.executionArn} ${execution.ending}`;
}

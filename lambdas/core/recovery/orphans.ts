/**
 * Orphans: records in flight that nothing will finish. A rollout RUNNING or PAUSED, an allocation
 * request claimed with no outcome or still provisioning, a workload move — each names the
 * execution that drives it, and is an orphan once that execution is no longer running (or never
 * existed). A release left RELEASING or a placement note names no execution: each is an orphan
 * once older than anything that could still finish it. The reconciler recovers them, `baton
 * audit` names them; both find them here.
 */
import { STALE_CLAIM_MS } from '../allocation/allocate';
import type { Allocation, AllocationLedger, RequestRecord } from '../allocation/allocation';
import type { RolloutRecord } from '../rollouts/rollout';
import { abandonedPlacing } from '../workloads/place-pending-workloads';
import type { MoveInFlight, WorkloadLedger, WorkloadRecord } from '../workloads/workload-ledger';
import { type EndedExecution, type ExecutionLookup, endedExecution } from './executions';

/** The ledger's records in flight, wherever they live; each kind is read as it is stored. */
export interface UnsettledRecords {
  /** Rollouts RUNNING or PAUSED, requests claimed with no outcome or still provisioning, allocations RELEASING. */
  unsettled(): Promise<{
    readonly rollouts: readonly RolloutRecord[];
    readonly requests: readonly (RequestRecord & { readonly requestId: string })[];
    readonly releases: readonly Allocation[];
  }>;
}

export interface OrphanSources {
  readonly records: UnsettledRecords;
  readonly workloads: Pick<WorkloadLedger, 'workloadsInFlight'>;
  readonly allocations: Pick<AllocationLedger, 'allocation'>;
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
  | { readonly kind: 'release'; readonly allocation: Allocation }
  | { readonly kind: 'placement'; readonly workload: WorkloadRecord };

export async function findOrphans(sources: OrphanSources, now: Date): Promise<Orphan[]> {
  const [{ rollouts, requests, releases }, workloads] = await Promise.all([
    sources.records.unsettled(),
    sources.workloads.workloadsInFlight(),
  ]);
  // Each execution is asked about once, however many records name it.
  const asked = new Map<string, Promise<EndedExecution | undefined>>();
  const ended = (executionArn: string) => {
    let answer = asked.get(executionArn);
    if (!answer) {
      answer = endedExecution(sources.executions, executionArn);
      asked.set(executionArn, answer);
    }
    return answer;
  };
  const orphans = await Promise.all([
    ...rollouts.map(async ({ rolloutId, status, executionId }) => {
      const execution = await ended(executionId);
      return execution && ({ kind: 'rollout', rolloutId, status, execution } as const);
    }),
    ...requests.map(async (request) => {
      // A request claimed before claims named their execution cannot be judged: it is left alone.
      if (!request.executionId) return undefined;
      const provisioning = await stillProvisioning(sources.allocations, request);
      if (request.outcome && !provisioning) return undefined;
      const execution = await ended(request.executionId);
      return (
        execution && ({ kind: 'request', requestId: request.requestId, provisioning, execution } as const)
      );
    }),
    ...workloads.map(async ({ tenantId, workloadId, move }) => {
      if (!move?.executionId) return undefined;
      const execution = await ended(move.executionId);
      return execution && ({ kind: 'move', tenantId, workloadId, move, execution } as const);
    }),
  ]);
  const staleBefore = new Date(now.getTime() - STALE_CLAIM_MS).toISOString();
  return [
    ...orphans.filter((orphan) => orphan !== undefined),
    ...releases
      .filter((allocation) => (allocation.releaseClaimedAt ?? '') < staleBefore)
      .map((allocation) => ({ kind: 'release', allocation }) as const),
    ...workloads
      .filter((workload) => abandonedPlacing(workload, now))
      .map((workload) => ({ kind: 'placement', workload }) as const),
  ];
}

/**
 * The allocation of a request whose callback provisioning has not finished: its outcome still says
 * provisioning — RESERVED, or ACTIVE by a confirmation that died before recording its outcome, or
 * a cancellation left half-way; recovery cancels each.
 */
async function stillProvisioning(
  allocations: Pick<AllocationLedger, 'allocation'>,
  request: RequestRecord,
): Promise<string | undefined> {
  const outcome = request.outcome;
  if (outcome?.status !== 'ALLOCATED' || !outcome.provisioning) return undefined;
  const allocation = await allocations.allocation(outcome.allocationId);
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
    case 'release':
      return `allocation ${orphan.allocation.allocationId} RELEASING since ${orphan.allocation.releaseClaimedAt ?? 'an unknown time'}, its release stopped`;
    case 'placement':
      return `workload ${orphan.workload.workloadId} of ${orphan.workload.tenantId} being placed on ${orphan.workload.placing?.resourceId} since ${orphan.workload.placing?.at}, its placer stopped`;
  }
}

function endedIn(execution: EndedExecution): string {
  return execution.ending === 'NOT_FOUND'
    ? `${execution.executionArn} does not exist`
    : `${execution.executionArn} ${execution.ending}`;
}

/**
 * The reconciler: every orphan found (see `orphans.ts`) is recovered with the very code the
 * status-change routes run for its kind — an allocation's claim or reservation given back
 * (`recoverRequest`), a rollout's alias put back (`recoverRollout`), a move reverted (`revertMove`) — and
 * what a dead release or placer left is finished. Every step re-reads what it changes and is
 * idempotent, so the routes and the reconciler may race, and repeat, harmlessly.
 */
import type { AllocationLedger } from '../allocation/allocation';
import { recoverRequest } from '../allocation/recover-request';
import { announceReleases, releaseFrom } from '../allocation/release';
import type { FactPublisher } from '../ports';
import { recoverRollout } from '../rollouts/finish-rollout';
import type { AliasTraffic, RolloutLedger } from '../rollouts/rollout';
import { abandonedPlacing, placePendingWorkloads } from '../workloads/place-pending-workloads';
import { endedMoveReason, revertMove } from '../workloads/rebalance-workloads';
import { announcePlacement } from '../workloads/workload-facts';
import type { WorkloadLedger } from '../workloads/workload-ledger';
import { EVENT_PLACEMENT_STRATEGY } from '../workloads/workload-requests';
import { describeOrphan, findOrphans, type Orphan, type OrphanSources } from './orphans';

export interface RecoveryDependencies {
  readonly allocations: AllocationLedger;
  readonly rollouts: RolloutLedger;
  readonly traffic: AliasTraffic;
  readonly workloads: WorkloadLedger;
  /** Names the recovery's own claim on a request it takes over. */
  readonly newClaimId: () => string;
  /** Announces what a recovery did, noting on the ledger what went out (as the routes do). */
  readonly publisher: FactPublisher;
}

/** Recovers one orphan as the route for its kind would have, and announces it. */
async function recoverOrphan(deps: RecoveryDependencies, orphan: Orphan, now: Date): Promise<void> {
  switch (orphan.kind) {
    case 'rollout':
      await recoverRollout(deps, orphan.rolloutId, orphan.execution, now);
      return;
    case 'request': {
      const { executionArn } = orphan.execution;
      const claimId = deps.newClaimId();
      const returned = await recoverRequest(deps.allocations, orphan.requestId, executionArn, claimId, now);
      await announceReleases(deps.allocations, deps.publisher, returned);
      return;
    }
    case 'move': {
      const { tenantId, workloadId, move, execution } = orphan;
      await revertMove(deps.workloads, { tenantId, workloadId, ...move }, endedMoveReason(execution));
      return;
    }
    case 'release': {
      // A stale release is taken over and finished, as the lease sweep finishes one; its cause is
      // the one its first taker recorded.
      const { allocationId, releaseCause } = orphan.allocation;
      await releaseFrom(deps.allocations, allocationId, 'ACTIVE', now, releaseCause ?? 'request');
      await announceReleases(deps.allocations, deps.publisher, [allocationId]);
      return;
    }
    case 'placement':
      await recoverAbandonedPlacement(deps, orphan.workload.tenantId, orphan.workload.workloadId, now);
  }
}

/**
 * A placer died between noting a placement and finishing it, and nothing has placed the tenant's
 * workloads since: the room it may have taken is given back, its note dropped, and the workload
 * placed again. Re-read first: a note gone or fresh by now is someone else's.
 */
async function recoverAbandonedPlacement(
  { workloads: ledger, publisher }: RecoveryDependencies,
  tenantId: string,
  workloadId: string,
  now: Date,
): Promise<void> {
  const workload = await ledger.workload(tenantId, workloadId);
  const abandoned = workload && abandonedPlacing(workload, now);
  if (!workload || !abandoned) return;
  // Room first, note last: interrupted, it is found again by its note.
  await ledger.vacate(tenantId, abandoned.resourceId, workload, abandoned.token);
  await ledger.forgetPlacing(tenantId, workloadId, abandoned.token);
  const only = new Set([workloadId]);
  const placement = await placePendingWorkloads(ledger, tenantId, EVENT_PLACEMENT_STRATEGY, only, now);
  await announcePlacement(ledger, publisher, tenantId, placement, only);
}

export interface Reconciliation {
  /** Each orphan found, in words. */
  readonly orphans: readonly string[];
  /** The orphans whose recovery failed, with why: the next run tries again. */
  readonly failures: readonly string[];
}

/** Finds every orphan and recovers each, one failure not stopping the others. */
export async function reconcile(
  sources: OrphanSources,
  deps: RecoveryDependencies,
  now: Date,
): Promise<Reconciliation> {
  const orphans = await findOrphans(sources, now);
  const failures: string[] = [];
  for (const orphan of orphans) {
    try {
      await recoverOrphan(deps, orphan, now);
    } catch (error) {
      const failure = error instanceof Error ? error : new Error(String(error));
      failures.push(`${describeOrphan(orphan)}: ${failure.name}: ${failure.message}`);
    }
  }
  return { orphans: orphans.map(describeOrphan), failures };
}

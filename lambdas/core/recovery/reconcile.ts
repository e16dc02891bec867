/**
 * The reconciler: every orphan found (see `orphans.ts`) is recovered with the very code the
 * status-change routes run for its kind — an allocation's claim or reservation given back
 * (`recoverRequest`), a rollout's alias put back (`recover`), a move reverted (`revertMove`) — and
 * what a dead release or placer left is finished. Every step re-reads what it changes and is
 * idempotent, so the routes and the reconciler may race, and repeat, harmlessly.
 */
import type { AllocationLedger } from '../allocation/allocation';
import { releasedFact } from '../allocation/allocation-facts';
import { recoverRequest } from '../allocation/recover-request';
import { releaseFrom } from '../allocation/release';
import type { Fact } from '../events/define-event';
import { recover } from '../rollouts/finish-rollout';
import type { AliasTraffic, RolloutLedger } from '../rollouts/rollout';
import { abandonedPlacing, placePendingWorkloads } from '../workloads/place-pending-workloads';
import { endedMoveReason, revertMove } from '../workloads/rebalance-workloads';
import { placementFacts } from '../workloads/workload-facts';
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
}

/** Recovers one orphan as the route for its kind would have; the facts to announce. */
async function recoverOrphan(deps: RecoveryDependencies, orphan: Orphan, now: Date): Promise<Fact[]> {
  switch (orphan.kind) {
    case 'rollout': {
      const { executionArn, ending } = orphan.execution;
      return recover(deps.rollouts, deps.traffic, orphan.rolloutId, executionArn, ending, now);
    }
    case 'request': {
      const { executionArn } = orphan.execution;
      return recoverRequest(deps.allocations, orphan.requestId, executionArn, deps.newClaimId(), now);
    }
    case 'move': {
      const { tenantId, workloadId, move, execution } = orphan;
      await revertMove(deps.workloads, { tenantId, workloadId, ...move }, endedMoveReason(execution));
      return [];
    }
    case 'release': {
      // A stale release is taken over and finished, as the lease sweep finishes one.
      const released = await releaseFrom(deps.allocations, orphan.allocation.allocationId, 'ACTIVE', now);
      return typeof released !== 'string' && released.released ? [releasedFact(released.allocation)] : [];
    }
    case 'placement':
      return recoverAbandonedPlacement(
        deps.workloads,
        orphan.workload.tenantId,
        orphan.workload.workloadId,
        now,
      );
  }
}

/**
 * A placer died between noting a placement and finishing it, and nothing has placed the tenant's
 * workloads since: the room it may have taken is given back, its note dropped, and the workload
 * placed again. Re-read first: a note gone or fresh by now is someone else's.
 */
async function recoverAbandonedPlacement(
  ledger: WorkloadLedger,
  tenantId: string,
  workloadId: string,
  now: Date,
): Promise<Fact[]> {
  const workload = await ledger.workload(tenantId, workloadId);
  const abandoned = workload && abandonedPlacing(workload, now);
  if (!workload || !abandoned) return [];
  // Room first, note last: interrupted, it is found again by its note.
  await ledger.vacate(tenantId, abandoned.resourceId, workload, abandoned.token);
  await ledger.forgetPlacing(tenantId, workloadId, abandoned.token);
  const only = new Set([workloadId]);
  const placement = await placePendingWorkloads(ledger, tenantId, EVENT_PLACEMENT_STRATEGY, only, now);
  return placementFacts(tenantId, placement, only);
}

export interface Reconciliation {
  /** Each orphan found, in words. */
  readonly orphans: readonly string[];
  readonly facts: readonly Fact[];
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
  const facts: Fact[] = [];
  const failures: string[] = [];
  for (const orphan of orphans) {
    try {
      facts.push(...(await recoverOrphan(deps, orphan, now)));
    } catch (error) {
      const failure = error instanceof Error ? error : new Error(String(error));
      failures.push(`${describeOrphan(orphan)}: ${failure.name}: ${failure.message}`);
    }
  }
  return { orphans: orphans.map(describeOrphan), facts, failures };
}

/**
 * Recovery: what an execution that ended abnormally left in flight is undone, the way the
 * workflow itself would have undone it — an allocation's claim or reservation given back, a
 * rollout's alias put back, a rebalance's moves reverted — and what a dead release or placer left
 * is finished. One piece of code serves the status-change routes (an execution just ended) and the
 * reconciler (whatever those routes missed); every step re-reads what it changes and is idempotent,
 * so the two may race, and repeat, harmlessly.
 */
import { abandonClaim } from '../allocation/allocate';
import type { AllocationLedger } from '../allocation/allocation';
import { releasedFact } from '../allocation/allocation-facts';
import { abandonProvisioning } from '../allocation/provisioning';
import { releaseFrom } from '../allocation/release';
import type { Fact } from '../events/define-event';
import { EXECUTION_ENDINGS, recover } from '../rollouts/finish-rollout';
import type { AliasTraffic, RolloutLedger } from '../rollouts/rollout';
import { abandonedPlacing, placePendingWorkloads } from '../workloads/place-pending-workloads';
import { revertMove } from '../workloads/rebalance-workloads';
import { placementFacts } from '../workloads/workload-facts';
import type { WorkloadLedger } from '../workloads/workload-ledger';
import { EVENT_PLACEMENT_STRATEGY } from '../workloads/workload-requests';
import type { EndedExecution } from './executions';
import { describeOrphan, findOrphans, type Orphan, type OrphanSources } from './orphans';

/**
 * What `allocate-resources` left of a request when its execution ended: a claim with no outcome
 * (its attempt given back, the id freed) or a callback provisioning still pending (its
 * reservation returned, announced). Nothing unless that execution is the one the request names.
 */
export async function recoverAllocationRequest(
  ledger: AllocationLedger,
  requestId: string,
  execution: EndedExecution,
  claimId: string,
  now: Date,
): Promise<Fact[]> {
  if (await abandonClaim(ledger, requestId, execution.executionArn, claimId, now)) return [];
  const returned = await abandonProvisioning(ledger, requestId, execution.executionArn, now);
  return returned ? [releasedFact(returned)] : [];
}

/** What `roll-out-service` left: the alias put back and the lock freed, unless the rollout has ended. */
export function recoverRollout(
  ledger: RolloutLedger,
  traffic: AliasTraffic,
  rolloutId: string,
  execution: EndedExecution,
  now: Date,
): Promise<Fact[]> {
  return recover(ledger, traffic, rolloutId, execution.executionArn, execution.ending, now);
}

/** Why a move is reverted after its execution ended, in the words a rollout's recovery uses. */
export function endedMoveReason(execution: EndedExecution): string {
  return `${EXECUTION_ENDINGS[execution.ending]}: the rebalance execution ${execution.executionArn} ended before this move did`;
}

export interface RecoveryDependencies {
  readonly allocations: AllocationLedger;
  readonly rollouts: RolloutLedger;
  readonly traffic: AliasTraffic;
  readonly workloads: WorkloadLedger;
  /** Names the recovery's own claim on a request it takes over. */
  readonly newClaimId: () => string;
}

/** Recovers one orphan as the route for its kind would have; the facts to announce. */
export async function recoverOrphan(deps: RecoveryDependencies, orphan: Orphan, now: Date): Promise<Fact[]> {
  switch (orphan.kind) {
    case 'rollout':
      return recoverRollout(deps.rollouts, deps.traffic, orphan.rolloutId, orphan.execution, now);
    case 'request':
      return recoverAllocationRequest(
        deps.allocations,
        orphan.requestId,
        orphan.execution,
        deps.newClaimId(),
        now,
      );
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

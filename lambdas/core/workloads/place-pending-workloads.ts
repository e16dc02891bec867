/**
 * Placing a tenant's pending workloads: the planner chooses, the ledger takes the room with a
 * conditional write per workload, and a placement that lost a race (another placement took the
 * room first) is chosen again from a fresh read, a bounded number of times.
 */
import type { PlacementStrategy } from '../allocation/choose-pool';
import { type Placement, placeWorkloads, type Unschedulable } from './place-workloads';
import { loadTenantCluster } from './tenant-cluster';
import type { WorkloadLedger } from './workload-ledger';

/** Rounds of choosing again after losing a race; each round places what it can. */
const MAX_ROUNDS = 5;

export interface PendingPlacement {
  readonly placed: Placement[];
  /** Still pending after the last round, with why. */
  readonly unschedulable: Unschedulable[];
}

export async function placePendingWorkloads(
  ledger: WorkloadLedger,
  tenantId: string,
  strategy: PlacementStrategy,
  /** Only these workloads (a submission places its own, not every pending one of the tenant). */
  only?: ReadonlySet<string>,
): Promise<PendingPlacement> {
  const placed: Placement[] = [];
  // Most events find nothing pending: that is one small read, not the tenant's whole partition.
  const waiting = await ledger.pendingWorkloads(tenantId);
  if (!waiting.some((workload) => !only || only.has(workload.workloadId)))
    return { placed, unschedulable: [] };
  for (let round = 1; ; round++) {
    const tenant = await loadTenantCluster(ledger, tenantId);
    const pending = tenant.cluster.workloads.filter(
      (workload) => workload.resourceId === undefined && (!only || only.has(workload.workloadId)),
    );
    const plan = placeWorkloads(tenant.cluster, pending, strategy);
    let contended = false;
    // This placer's mark on the room it takes, so that it never gives back another's.
    const token = crypto.randomUUID();
    for (const placement of plan.placements) {
      const resource = tenant.resources.get(placement.resourceId);
      const workload = tenant.workloads.get(placement.workloadId);
      if (!resource || !workload) continue;
      if ((await ledger.occupy(tenantId, resource, workload, token)) === 'conflict') {
        contended = true;
      } else if (await ledger.assign(tenantId, workload.workloadId, resource.resourceId)) {
        placed.push(placement);
      } else {
        // Removed or placed elsewhere meanwhile: give the room back.
        await ledger.vacate(tenantId, resource.resourceId, workload, token);
      }
    }
    if (!contended || round === MAX_ROUNDS) {
      for (const { workloadId, explanation } of plan.unschedulable) {
        if (tenant.workloads.get(workloadId)?.pendingReason !== explanation) {
          await ledger.explainPending(tenantId, workloadId, explanation);
        }
      }
      return { placed, unschedulable: plan.unschedulable };
    }
  }
}

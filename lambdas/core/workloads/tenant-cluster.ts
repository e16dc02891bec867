/**
 * A tenant's workloads and resources as the planner sees them. A resource's labels are its
 * pool's; it is `draining` while its pool is not active and `released` once its allocation is
 * gone. A workload whose move is in flight counts on both ends (make-before-break): on its
 * target as itself, on its source as a stand-in; neither may be moved by a plan.
 */
import type { PoolView } from '../allocation/choose-pool';
import type { Cluster, ResourceState, ResourceView, WorkloadView } from './cluster';
import type { ResourceRecord, WorkloadLedger, WorkloadRecord } from './workload-ledger';

export interface TenantCluster {
  readonly tenantId: string;
  readonly cluster: Cluster;
  readonly resources: ReadonlyMap<string, ResourceRecord>;
  readonly workloads: ReadonlyMap<string, WorkloadRecord>;
}

/** The id of the stand-in for a moving workload on its source; no identifier can start with it. */
const STAND_IN_PREFIX = '~';

export async function loadTenantCluster(
  ledger: WorkloadLedger,
  tenantId: string,
  pools?: readonly PoolView[],
): Promise<TenantCluster> {
  const [{ resources, workloads }, poolList] = await Promise.all([
    ledger.tenantWorkloads(tenantId),
    pools ? Promise.resolve(pools) : ledger.pools(),
  ]);
  const poolsById = new Map(poolList.map((pool) => [pool.poolId, pool]));
  const resourceViews: ResourceView[] = resources.map((resource) => {
    const pool = poolsById.get(resource.poolId);
    return {
      resourceId: resource.resourceId,
      labels: pool?.labels ?? {},
      capacity: resource.capacity,
      state: resourceState(resource, pool),
    };
  });
  const workloadViews: WorkloadView[] = [];
  for (const workload of workloads) {
    const { workloadId, demand, constraints, move } = workload;
    // A workload in flight stays where it is until its move ends: no plan may move it again.
    const pinned = move !== undefined;
    workloadViews.push({
      workloadId,
      demand,
      constraints,
      resourceId: move ? move.to : workload.resourceId,
      pinned,
    });
    if (move) {
      workloadViews.push({
        workloadId: STAND_IN_PREFIX + workloadId,
        demand,
        constraints,
        resourceId: move.from,
        pinned,
      });
    }
  }
  return {
    tenantId,
    cluster: { resources: resourceViews, workloads: workloadViews },
    resources: new Map(resources.map((resource) => [resource.resourceId, resource])),
    workloads: new Map(workloads.map((workload) => [workload.workloadId, workload])),
  };
}

function resourceState(resource: ResourceRecord, pool: PoolView | undefined): ResourceState {
  if (resource.released) return 'released';
  return pool?.state === 'active' ? 'active' : 'draining';
}

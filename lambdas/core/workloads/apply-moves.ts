/** A plan's moves applied to a cluster, as the ledger applies them. */
import type { Cluster } from './cluster';
import type { PlannedMove } from './rebalance-moves';

/**
 * The cluster after `moves`, in order. A move whose `from` is not where its workload is (or whose
 * workload is gone) is skipped, as the ledger's conditional write skips it; so applying a plan
 * twice is applying it once.
 */
export function applyMoves(cluster: Cluster, moves: readonly PlannedMove[]): Cluster {
  const location = new Map(cluster.workloads.map((workload) => [workload.workloadId, workload.resourceId]));
  for (const { workloadId, from, to } of moves) {
    if (location.has(workloadId) && location.get(workloadId) === from) location.set(workloadId, to);
  }
  return {
    resources: cluster.resources,
    workloads: cluster.workloads.map((workload) => {
      const resourceId = location.get(workload.workloadId);
      return resourceId === workload.resourceId ? workload : { ...workload, resourceId };
    }),
  };
}

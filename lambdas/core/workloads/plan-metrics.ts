/** The figures a rebalance is judged by, measured before and after. */
import type { ClusterUsage } from './cluster-usage';

export interface ClusterFigures {
  /** Max utilisation over the active resources. */
  readonly peakUtilisation: number;
  /** Resources running at least one workload, whatever their state. */
  readonly resourcesUsed: number;
  /** Workloads on a draining or released resource. */
  readonly workloadsOnDraining: number;
}

export function measureCluster(usage: ClusterUsage): ClusterFigures {
  let resourcesUsed = 0;
  let workloadsOnDraining = 0;
  usage.resources.forEach((_, r) => {
    const occupants = usage.occupantsOf(r).size;
    if (occupants > 0) resourcesUsed++;
    if (!usage.isActive(r)) workloadsOnDraining += occupants;
  });
  return { peakUtilisation: usage.peakUtilisation(), resourcesUsed, workloadsOnDraining };
}

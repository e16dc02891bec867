/**
 * Placing a batch of pending workloads: the larger first (they have the fewest places to go),
 * each where its strategy prefers given the placements decided before it.
 */
import type { PlacementStrategy } from '../allocation/choose-pool';
import { chooseResource, summariseRefusals } from './choose-resource';
import type { Cluster, WorkloadView } from './cluster';
import { ClusterUsage, NOWHERE } from './cluster-usage';

export interface Unschedulable {
  readonly workloadId: string;
  /** "0/40 resources: 25 insufficient memoryGiB, 9 label mismatch, 6 anti-affinity" */
  readonly explanation: string;
  /** Resources refused, by reason, as in the explanation. */
  readonly reasons: Readonly<Record<string, number>>;
}

export interface Placement {
  readonly workloadId: string;
  readonly resourceId: string;
}

export interface PlacementDecisions {
  /** In the order decided: the largest workloads first. */
  placements: Placement[];
  unschedulable: Unschedulable[];
}

/**
 * A placement or an explanation for every workload of `pending`, on top of the cluster's placed
 * workloads. A pending workload that the cluster already shows placed stays where it is, reported
 * as unschedulable.
 */
export function placeWorkloads(
  cluster: Cluster,
  pending: readonly WorkloadView[],
  strategy: PlacementStrategy,
): PlacementDecisions {
  const placed = cluster.workloads.filter((workload) => workload.resourceId !== undefined);
  const usage = new ClusterUsage(cluster.resources, [...placed, ...pending]);
  const largestFirst = pending
    .map((_, i) => placed.length + i)
    .sort((a, b) => usage.sizeOf(b) - usage.sizeOf(a) || 0);
  const decisions: PlacementDecisions = { placements: [], unschedulable: [] };
  for (const w of largestFirst) {
    const workloadId = usage.workloadId(w);
    const already = usage.locationOf(usage.workloadSlot(workloadId) ?? w);
    if (already !== NOWHERE) {
      decisions.unschedulable.push({
        workloadId,
        explanation: `already placed on ${usage.resourceId(already)}`,
        reasons: {},
      });
      continue;
    }
    const r = chooseResource(usage, w, strategy);
    if (r === NOWHERE) {
      decisions.unschedulable.push({ workloadId, ...summariseRefusals(usage, w) });
    } else {
      usage.place(w, r);
      decisions.placements.push({ workloadId, resourceId: usage.resourceId(r) });
    }
  }
  return decisions;
}

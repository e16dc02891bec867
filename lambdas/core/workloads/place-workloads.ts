/**
 * Placing a batch of pending workloads, the larger first (they have the fewest places to go).
 * `spread` places each where it leaves the lowest utilisation given the placements decided before
 * it; `binpack` fills one resource at a time (`packWorkloads`).
 */
import type { PlacementStrategy } from '../allocation/choose-pool';
import { chooseResource, summariseRefusals } from './choose-resource';
import type { Cluster, WorkloadView } from './cluster';
import { NOWHERE } from './cluster-figures';
import { ClusterUsage } from './cluster-usage';
import { packWorkloads } from './pack-workloads';

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
  /** The largest workloads first. */
  placements: Placement[];
  unschedulable: Unschedulable[];
}

/**
 * A placement or an explanation for every workload of `pending`, on top of the cluster's placed
 * workloads. A pending workload that the cluster already shows placed stays where it is, reported
 * as unschedulable; one that no resource takes is explained as the cluster is once the others are
 * placed.
 */
export function placeWorkloads(
  cluster: Cluster,
  pending: readonly WorkloadView[],
  strategy: PlacementStrategy,
): PlacementDecisions {
  // Placed workloads stay where they are: pinned, so that no repair of a packing moves them.
  const placed = cluster.workloads.flatMap((workload) =>
    workload.resourceId === undefined ? [] : [{ ...workload, pinned: true }],
  );
  const fresh = () => new ClusterUsage(cluster.resources, [...placed, ...pending]);
  let usage = fresh();
  const largestFirst = pending
    .map((_, i) => placed.length + i)
    .sort((a, b) => usage.sizeOf(b) - usage.sizeOf(a) || 0);
  // A workload listed twice is placed once: the later listing is told where the first went.
  const [toPlace, listedBefore] = partition(
    largestFirst,
    (w) => usage.workloadSlot(usage.workloadId(w)) === w,
  );
  if (strategy === 'binpack') usage = packWorkloads(fresh, toPlace);
  else {
    for (const w of toPlace) {
      const r = chooseResource(usage, w, strategy);
      if (r !== NOWHERE) usage.place(w, r);
    }
  }
  const decisions: PlacementDecisions = { placements: [], unschedulable: [] };
  for (const w of toPlace) {
    const workloadId = usage.workloadId(w);
    const r = usage.locationOf(w);
    if (r === NOWHERE) decisions.unschedulable.push({ workloadId, ...summariseRefusals(usage, w) });
    else decisions.placements.push({ workloadId, resourceId: usage.resourceId(r) });
  }
  for (const w of listedBefore) {
    const workloadId = usage.workloadId(w);
    const first = usage.workloadSlot(workloadId) ?? w;
    const r = usage.locationOf(first);
    decisions.unschedulable.push(
      r === NOWHERE
        ? { workloadId, ...summariseRefusals(usage, first) }
        : { workloadId, explanation: `already placed on ${usage.resourceId(r)}`, reasons: {} },
    );
  }
  return decisions;
}

function partition<T>(items: readonly T[], test: (item: T) => boolean): [T[], T[]] {
  const passed: T[] = [];
  const failed: T[] = [];
  for (const item of items) (test(item) ? passed : failed).push(item);
  return [passed, failed];
}

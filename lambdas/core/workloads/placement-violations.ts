/**
 * An audit of a placement, recounted from scratch and independent of the planner's bookkeeping:
 * what over-fills a resource, misses a label or breaks anti-affinity. Each entry of
 * `cluster.workloads` counts where it says, so a move in flight can be shown on both ends.
 */
import { amountOf, dimensionsShort } from '../allocation/amounts';
import { applyMoves } from './apply-moves';
import type { Cluster, WorkloadView } from './cluster';
import type { PlannedMove } from './rebalance-moves';

/** One sentence per violation; none for a valid placement. */
export function placementViolations(cluster: Cluster): string[] {
  const violations: string[] = [];
  const resources = new Map(cluster.resources.map((resource) => [resource.resourceId, resource]));
  const residents = new Map<string, WorkloadView[]>();
  for (const workload of cluster.workloads) {
    if (workload.resourceId === undefined) continue;
    const resource = resources.get(workload.resourceId);
    if (!resource) {
      violations.push(`${workload.workloadId} is on ${workload.resourceId}, which the cluster does not list`);
      continue;
    }
    const here = residents.get(resource.resourceId) ?? [];
    here.push(workload);
    residents.set(resource.resourceId, here);
    for (const [label, value] of Object.entries(workload.constraints?.labels ?? {})) {
      if (resource.labels[label] !== value) {
        violations.push(`${workload.workloadId} is on ${resource.resourceId}, which lacks ${label}=${value}`);
      }
    }
  }
  for (const [resourceId, workloads] of residents) {
    const capacity = resources.get(resourceId)?.capacity ?? {};
    const used: Record<string, number> = {};
    for (const { demand } of workloads) {
      for (const dimension of Object.keys(demand)) {
        used[dimension] = amountOf(used, dimension) + amountOf(demand, dimension);
      }
    }
    for (const dimension of dimensionsShort(used, {}, capacity)) {
      violations.push(
        `${resourceId} is over capacity in ${dimension}: ${used[dimension]}/${amountOf(capacity, dimension)}`,
      );
    }
    violations.push(...sharedGroups(resourceId, workloads));
  }
  return violations;
}

/**
 * The violations of every state a plan's waves go through — each wave begun make-before-break,
 * its moving workloads counted on both ends — and of the state they end in.
 */
export function waveViolations(cluster: Cluster, waves: readonly (readonly PlannedMove[])[]): string[] {
  const violations: string[] = [];
  let state = cluster;
  for (const wave of waves) {
    const current = new Map(state.workloads.map((workload) => [workload.workloadId, workload]));
    const inFlight: WorkloadView[] = [];
    for (const { workloadId, from, to } of wave) {
      const moving = current.get(workloadId);
      if (moving?.resourceId === from) inFlight.push({ ...moving, resourceId: to });
      else violations.push(`${workloadId} is not on ${from} when its wave starts`);
    }
    violations.push(...placementViolations({ ...state, workloads: [...state.workloads, ...inFlight] }));
    state = applyMoves(state, wave);
  }
  return [...violations, ...placementViolations(state)];
}

function sharedGroups(resourceId: string, workloads: readonly WorkloadView[]): string[] {
  const members = new Map<string, string[]>();
  for (const { workloadId, constraints } of workloads) {
    const group = constraints?.antiAffinityGroup;
    if (group === undefined) continue;
    const ids = members.get(group) ?? [];
    ids.push(workloadId);
    members.set(group, ids);
  }
  return [...members]
    .filter(([, ids]) => ids.length > 1)
    .map(([group, ids]) => `${ids.join(', ')} share ${resourceId} despite anti-affinity group ${group}`);
}

/**
 * Placing a tenant's pending workloads: the planner chooses; for each workload the placer notes
 * that it is placing it (so only one placer at a time does), takes the room with a conditional
 * write, then points the workload at it. A placement that lost a race (another took the room
 * first) is chosen again from a fresh read, a bounded number of times; the room of a placer that
 * died half-way is given back once its note is stale. Each round also takes over announcing the
 * tenant's earlier placements whose announcer fell silent, so that one round at a time announces
 * each placement.
 */
import type { PlacementStrategy } from '../allocation/choose-pool';
import { type Placement, placeWorkloads, type Unschedulable } from './place-workloads';
import { STALE_PLACING_MS } from './policy';
import { loadTenantCluster } from './tenant-cluster';
import type { Announcer, Placing, WorkloadLedger, WorkloadRecord } from './workload-ledger';

/** Rounds of choosing again after losing a race; each round places what it can. */
const MAX_ROUNDS = 5;

export interface PendingPlacement {
  readonly placed: Placement[];
  /** Still pending after the last round, with why. */
  readonly unschedulable: Unschedulable[];
  /**
   * Placed before (a placement whose announcement failed, or whose placer died before announcing
   * it), not announced yet, and taken over by this round to announce.
   */
  readonly unannounced: Placement[];
  /** The token under which this round announces `placed` and `unannounced`. */
  readonly announcer: string;
}

export async function placePendingWorkloads(
  ledger: WorkloadLedger,
  tenantId: string,
  strategy: PlacementStrategy,
  /** Only these workloads (a submission places its own, not every pending one of the tenant). */
  only?: ReadonlySet<string>,
  now: Date = new Date(),
): Promise<PendingPlacement> {
  const placed: Placement[] = [];
  const announcer = { token: crypto.randomUUID(), at: now.toISOString() };
  const staleBefore = new Date(now.getTime() - STALE_PLACING_MS).toISOString();
  // Most events find nothing pending: that is one small read, not the tenant's whole partition.
  const waiting = await ledger.pendingWorkloads(tenantId);
  const unannounced = await takeOverAnnouncements(ledger, tenantId, waiting, announcer, staleBefore);
  const pending = (workload: { workloadId: string; resourceId?: string | undefined }) =>
    workload.resourceId === undefined && (!only || only.has(workload.workloadId));
  const result = () => ({ placed, unschedulable: [], unannounced, announcer: announcer.token });
  if (!waiting.some(pending)) return result();
  for (let round = 1; ; round++) {
    const tenant = await loadTenantCluster(ledger, tenantId);
    const plan = placeWorkloads(tenant.cluster, tenant.cluster.workloads.filter(pending), strategy);
    let contended = false;
    // This placer's mark on the room it takes, so that it never gives back another's.
    const token = crypto.randomUUID();
    for (const placement of plan.placements) {
      const resource = tenant.resources.get(placement.resourceId);
      const workload = tenant.workloads.get(placement.workloadId);
      if (!resource || !workload) continue;
      // A placer that died after taking room left its note: give that room back first.
      const abandoned = abandonedPlacing(workload, now);
      if (abandoned) await ledger.vacate(tenantId, abandoned.resourceId, workload, abandoned.token);
      const placing = { resourceId: resource.resourceId, token, at: now.toISOString() };
      if (!(await ledger.notePlacing(tenantId, workload.workloadId, placing, staleBefore))) continue;
      if ((await ledger.occupy(tenantId, resource, workload, token)) === 'conflict') {
        await ledger.forgetPlacing(tenantId, workload.workloadId, token);
        contended = true;
      } else if (await ledger.assign(tenantId, workload.workloadId, resource.resourceId, token, announcer)) {
        placed.push(placement);
      } else {
        // Removed meanwhile: give the room back.
        await ledger.vacate(tenantId, resource.resourceId, workload, token);
      }
    }
    if (!contended || round === MAX_ROUNDS) {
      for (const { workloadId, explanation } of plan.unschedulable) {
        if (tenant.workloads.get(workloadId)?.pendingReason !== explanation) {
          await ledger.explainPending(tenantId, workloadId, explanation);
        }
      }
      return { ...result(), unschedulable: plan.unschedulable };
    }
  }
}

/** The earlier placements still unannounced whose announcer is silent: this round announces them. */
async function takeOverAnnouncements(
  ledger: WorkloadLedger,
  tenantId: string,
  waiting: readonly WorkloadRecord[],
  announcer: Announcer,
  staleBefore: string,
): Promise<Placement[]> {
  const taken: Placement[] = [];
  for (const { workloadId, resourceId, placementUnannounced } of waiting) {
    if (resourceId === undefined || !placementUnannounced || placementUnannounced.at >= staleBefore) continue;
    if (await ledger.claimPlacementAnnouncement(tenantId, workloadId, resourceId, announcer, staleBefore)) {
      taken.push({ workloadId, resourceId });
    }
  }
  return taken;
}

/** The note of a placer that died mid-placement: older than any placer runs. */
export function abandonedPlacing(workload: WorkloadRecord, now: Date): Placing | undefined {
  const placing = workload.placing;
  const staleBefore = new Date(now.getTime() - STALE_PLACING_MS).toISOString();
  return placing && placing.at < staleBefore ? placing : undefined;
}

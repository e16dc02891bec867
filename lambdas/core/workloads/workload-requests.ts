/**
 * What placement does on each event: a workload submitted is placed at once (or explained and
 * kept pending); one removed frees its room; a new resource, or a pool back in service, gives
 * pending workloads their chance; a released resource's workloads are evacuated — pending again,
 * then placed wherever they fit. Each announces what it placed — and what an earlier placement
 * for the tenant placed but could not announce — before noting it announced.
 */

import type * as z from 'zod/mini';
import type { Amounts } from '../allocation/amounts';
import { InvalidRequest } from '../errors';
import type { WorkloadSubmitted } from '../events/workload-events';
import type { FactPublisher } from '../ports';
import { WorkloadBusy } from './errors';
import { placePendingWorkloads } from './place-pending-workloads';
import { EVENT_PLACEMENT_STRATEGY } from './policy';
import { announcePlacement } from './workload-facts';
import type { WorkloadLedger } from './workload-ledger';

export type WorkloadSubmission = Readonly<z.output<typeof WorkloadSubmitted.schema>>;

export async function submitWorkload(
  ledger: WorkloadLedger,
  publisher: FactPublisher,
  submission: WorkloadSubmission,
  now: Date,
): Promise<void> {
  const registered = await ledger.registerWorkload({ ...submission, submittedAt: now.toISOString() });
  if (!registered) {
    const existing = await ledger.workload(submission.tenantId, submission.workloadId);
    if (existing && JSON.stringify(existing.demand) !== JSON.stringify(submission.demand)) {
      throw new InvalidRequest(
        `workloadId: ${submission.workloadId} is already submitted with another demand; remove it first`,
      );
    }
    // A duplicate delivery: placing pending work again is harmless and finishes an interrupted one.
  }
  const submitted = new Set([submission.workloadId]);
  const placement = await placePendingWorkloads(
    ledger,
    submission.tenantId,
    EVENT_PLACEMENT_STRATEGY,
    submitted,
  );
  await announcePlacement(ledger, publisher, submission.tenantId, placement, submitted);
}

/** Rounds of removing again when a placement or a move changed the workload meanwhile. */
const REMOVAL_ROUNDS = 5;

export async function removeWorkload(
  ledger: WorkloadLedger,
  publisher: FactPublisher,
  tenantId: string,
  workloadId: string,
): Promise<void> {
  for (let round = 1; ; round++) {
    const workload = await ledger.workload(tenantId, workloadId);
    if (!workload) {
      if (round === 1)
        throw new InvalidRequest(`workloadId: tenant ${tenantId} has no workload ${workloadId}`);
      break;
    }
    // Room first, record last: a removal interrupted half-way is finished by removing again. The
    // record goes only if it is still where it was read, or room taken meanwhile would leak.
    if (workload.resourceId) await ledger.vacate(tenantId, workload.resourceId, workload);
    if (workload.move) await ledger.vacate(tenantId, workload.move.to, workload);
    if (await ledger.deleteWorkload(tenantId, workload)) break;
    if (round === REMOVAL_ROUNDS)
      throw new WorkloadBusy(`workload ${workloadId} kept changing while being removed`);
  }
  await placeWhereRoomAppeared(ledger, publisher, tenantId);
}

export async function addResource(
  ledger: WorkloadLedger,
  publisher: FactPublisher,
  resource: { tenantId: string; resourceId: string; poolId: string; capacity: Amounts },
): Promise<void> {
  await ledger.addResource(resource);
  await placeWhereRoomAppeared(ledger, publisher, resource.tenantId);
}

export async function evacuateResource(
  ledger: WorkloadLedger,
  publisher: FactPublisher,
  tenantId: string,
  resourceId: string,
): Promise<void> {
  // Closed before (a redelivery, whose first delivery may have failed later on): what it placed
  // and could not announce is announced now.
  if (!(await ledger.closeResource(tenantId, resourceId))) {
    await placeWhereRoomAppeared(ledger, publisher, tenantId);
    return;
  }
  const { workloads } = await ledger.tenantWorkloads(tenantId);
  const evacuated = new Set<string>();
  for (const workload of workloads) {
    if (workload.resourceId !== resourceId) continue;
    const reason = `evacuated: resource ${resourceId} was released`;
    if (await ledger.unassign(tenantId, workload.workloadId, resourceId, reason)) {
      await ledger.vacate(tenantId, resourceId, workload);
      evacuated.add(workload.workloadId);
    }
  }
  const placement = await placePendingWorkloads(ledger, tenantId, EVENT_PLACEMENT_STRATEGY);
  await announcePlacement(ledger, publisher, tenantId, placement, evacuated);
}

/** A pool back in service (or grown) may give every tenant's pending workloads room. */
export async function placeAfterPoolChange(ledger: WorkloadLedger, publisher: FactPublisher): Promise<void> {
  for (const tenantId of await ledger.workloadTenants()) {
    await placeWhereRoomAppeared(ledger, publisher, tenantId);
  }
}

async function placeWhereRoomAppeared(
  ledger: WorkloadLedger,
  publisher: FactPublisher,
  tenantId: string,
): Promise<void> {
  const placement = await placePendingWorkloads(ledger, tenantId, EVENT_PLACEMENT_STRATEGY);
  await announcePlacement(ledger, publisher, tenantId, placement, new Set());
}

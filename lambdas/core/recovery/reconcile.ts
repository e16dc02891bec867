/**
 * The reconciler: every orphan found (see `orphans.ts`) is recovered with the very code the
 * status-change routes run for its kind — an allocation's claim or reservation given back
 * (`recoverRequest`), a rollout's alias put back (`recoverRollout`), a move reverted (`revertMove`)
 * — and what a dead release or placer left is finished, and what was done but never announced (an
 * outcome, an ending, a release, a placement) is announced. Every step re-reads what it changes
 * and is idempotent, so the routes and the reconciler may race, and repeat, harmlessly — and the
 * reconciler leaves an execution that ended just now to its route.
 */

import type { AllocationLedger } from '../allocation/allocation-ledger';
import { announceOutcome, recordedOutcomeFacts } from '../allocation/announce-outcome';
import { STALE_CLAIM_MS } from '../allocation/policy';
import { recoverRequest } from '../allocation/recover-request';
import { announceReleases, releaseFrom } from '../allocation/release';
import type { FactPublisher } from '../ports';
import { announceEnding, endingOf, recoverRollout } from '../rollouts/finish-rollout';
import { type AliasTraffic, ENDED_STATUSES, type RolloutLedger } from '../rollouts/rollout';
import { abandonedPlacing, placePendingWorkloads } from '../workloads/place-pending-workloads';
import { EVENT_PLACEMENT_STRATEGY } from '../workloads/policy';
import { endedMoveReason, revertMove } from '../workloads/rebalance-workloads';
import { announcePlacement } from '../workloads/workload-facts';
import type { WorkloadLedger } from '../workloads/workload-ledger';
import { describeOrphan, findOrphans, type Orphan, type OrphanSources } from './orphans';

/**
 * How long after its execution ended a record is the reconciler's: before, its status-change route
 * is still recovering it (at a restart both would run at once, each announcing what it recovered).
 * An execution that does not exist has no route coming.
 */
export const RECOVERY_GRACE_MS = STALE_CLAIM_MS;

export interface RecoveryDependencies {
  readonly allocations: AllocationLedger;
  readonly rollouts: RolloutLedger;
  readonly traffic: AliasTraffic;
  readonly workloads: WorkloadLedger;
  /** Names the recovery's own claim on a request it takes over. */
  readonly newClaimId: () => string;
  /** Announces what a recovery did, noting on the ledger what went out (as the routes do). */
  readonly publisher: FactPublisher;
}

/** Recovers one orphan as the route for its kind would have, and announces it. */
async function recoverOrphan(deps: RecoveryDependencies, orphan: Orphan, now: Date): Promise<void> {
  switch (orphan.kind) {
    case 'rollout':
      await recoverRollout(deps, orphan.rolloutId, orphan.execution, now);
      return;
    case 'request': {
      const claimId = deps.newClaimId();
      await recoverRequest(
        deps.allocations,
        deps.publisher,
        orphan.requestId,
        orphan.execution,
        claimId,
        now,
      );
      return;
    }
    case 'move': {
      const { tenantId, workloadId, move, execution } = orphan;
      await revertMove(deps.workloads, { tenantId, workloadId, ...move }, endedMoveReason(execution));
      return;
    }
    case 'announcement': {
      // Re-read: announced by a late delivery since it was found, it is not announced again.
      const record = await deps.allocations.claims.read(orphan.requestId);
      if (!record?.outcome || record.announced) return;
      const facts = await recordedOutcomeFacts(deps.allocations.records, record.outcome);
      await announceOutcome(deps.allocations.claims, deps.publisher, orphan.requestId, facts);
      return;
    }
    case 'release': {
      // A stale release is taken over and finished, as the lease sweep finishes one, for the cause
      // its first taker recorded.
      const { allocationId } = orphan.allocation;
      await releaseFrom(deps.allocations, allocationId, 'ACTIVE', now, 'request');
      await announceReleases(deps.allocations, deps.publisher, [allocationId]);
      return;
    }
    case 'ending': {
      const record = await deps.rollouts.rollout(orphan.rolloutId);
      if (record && ENDED_STATUSES.has(record.status))
        await announceEnding(deps.rollouts, deps.publisher, endingOf(record));
      return;
    }
    case 'placement':
      await recoverAbandonedPlacement(deps, orphan.workload.tenantId, orphan.workload.workloadId, now);
      return;
    case 'unannounced placement': {
      // A placement round that places nothing takes over the tenant's placements whose announcer
      // is silent, and announces them.
      const { tenantId } = orphan.workload;
      const none = new Set<string>();
      const placement = await placePendingWorkloads(
        deps.workloads,
        tenantId,
        EVENT_PLACEMENT_STRATEGY,
        none,
        now,
      );
      await announcePlacement(deps.workloads, deps.publisher, tenantId, placement, none);
    }
  }
}

/**
 * A placer died between noting a placement and finishing it, and nothing has placed the tenant's
 * workloads since: the room it may have taken is given back, its note dropped, and the workload
 * placed again. Re-read first: a note gone or fresh by now is someone else's.
 */
async function recoverAbandonedPlacement(
  { workloads: ledger, publisher }: RecoveryDependencies,
  tenantId: string,
  workloadId: string,
  now: Date,
): Promise<void> {
  const workload = await ledger.workload(tenantId, workloadId);
  const abandoned = workload && abandonedPlacing(workload, now);
  if (!workload || !abandoned) return;
  // Room first, note last: interrupted, it is found again by its note.
  await ledger.vacate(tenantId, abandoned.resourceId, workload, abandoned.token);
  await ledger.forgetPlacing(tenantId, workloadId, abandoned.token);
  const only = new Set([workloadId]);
  const placement = await placePendingWorkloads(ledger, tenantId, EVENT_PLACEMENT_STRATEGY, only, now);
  await announcePlacement(ledger, publisher, tenantId, placement, only);
}

export interface Reconciliation {
  /** Each orphan found, in words. */
  readonly orphans: readonly string[];
  /**
   * The records that could not be judged and the orphans whose recovery failed, with why: the
   * next run tries again.
   */
  readonly failures: readonly string[];
}

/** Finds every orphan and recovers each, one failure not stopping the others. */
export async function reconcile(
  sources: OrphanSources,
  deps: RecoveryDependencies,
  now: Date,
): Promise<Reconciliation> {
  const { orphans, failures: unjudged } = await findOrphans(
    sources,
    now,
    new Date(now.getTime() - RECOVERY_GRACE_MS),
  );
  const failures = [...unjudged];
  for (const orphan of orphans) {
    try {
      await recoverOrphan(deps, orphan, now);
    } catch (error) {
      const failure = error instanceof Error ? error : new Error(String(error));
      failures.push(`${describeOrphan(orphan)}: ${failure.name}: ${failure.message}`);
    }
  }
  return { orphans: orphans.map(describeOrphan), failures };
}

/**
 * What the console's pages show, shaped from what was read: the overview's counts, capacity, the
 * workloads map and the rollouts from the ledger's items, an execution's history events. Pure: the
 * reads are `console-reads.ts`'s.
 */
import type { HistoryEvent } from '@aws-sdk/client-sfn';
import { snapshotOf } from '../../lambdas/adapters/ledger-snapshot';
import type { Allocation } from '../../lambdas/core/allocation/allocation';
import { type Amounts, amountOf, dimensionsOver } from '../../lambdas/core/allocation/amounts';
import type { Gate, RolloutRecord } from '../../lambdas/core/rollouts/rollout';
import type { WorkloadRecord } from '../../lambdas/core/workloads/workload-ledger';
import type {
  AllocationView,
  Capacity,
  HistoryEventView,
  MetricFigure,
  Overview,
  PoolView,
  QuotaView,
  RejectionView,
  ResourceView,
  Rollouts,
  RolloutView,
  Workloads,
} from './console-api';

/** Rejected requests shown, newest first. */
const MAX_REJECTIONS = 200;

/** Items of the ledger table, as a scan reads them. */
export type LedgerItems = readonly Record<string, unknown>[];

/** The overview's counts: items by entity, status and placement, executions by workflow and status. */
export function overviewOf(
  items: LedgerItems,
  executions: Record<string, Record<string, number>>,
  metrics: readonly MetricFigure[],
): Overview {
  const snapshot = snapshotOf(items);
  return {
    pools: snapshot.pools.length,
    tenants: snapshot.quotas.length,
    allocations: countBy(snapshot.allocations, (allocation) => allocation.status),
    workloads: {
      placed: snapshot.workloads.filter((workload) => workload.resourceId !== undefined).length,
      pending: snapshot.workloads.filter((workload) => workload.resourceId === undefined).length,
      moving: snapshot.workloads.filter((workload) => workload.move !== undefined).length,
    },
    rollouts: countBy(rolloutsIn(items), (rollout) => rollout.status),
    executions,
    metrics,
  };
}

/** Pools and quotas with what they hold, allocations and rejected requests, newest first. */
export function capacityOf(items: LedgerItems): Capacity {
  const snapshot = snapshotOf(items);
  return {
    pools: snapshot.pools.map(
      (pool): PoolView => ({
        poolId: pool.poolId,
        kind: String((pool as { kind?: unknown }).kind ?? ''),
        labels: (pool as { labels?: Record<string, string> }).labels ?? {},
        state: pool.state as PoolView['state'],
        capacity: pool.capacity,
        used: pool.used ?? {},
        overCapacity: dimensionsOver(pool.used ?? {}, pool.capacity),
      }),
    ),
    quotas: snapshot.quotas.map(
      (quota): QuotaView => ({
        tenantId: quota.tenantId,
        limits: quota.limits,
        used: quota.used ?? {},
        overLimit: dimensionsOver(quota.used ?? {}, quota.limits),
      }),
    ),
    allocations: [...snapshot.allocations].sort(newestFirst((a) => a.createdAt)).map(allocationView),
    rejections: rejectionsIn(items),
  };
}

/** The workloads map: each tenant's resources with the workloads on them, and those not placed. */
export function workloadMapOf(items: LedgerItems): Workloads {
  const snapshot = snapshotOf(items);
  const onResource = new Map<string, WorkloadRecord[]>();
  const add = (resourceId: string, workload: WorkloadRecord) =>
    onResource.set(resourceId, [...(onResource.get(resourceId) ?? []), workload]);
  for (const workload of snapshot.workloads) {
    if (workload.resourceId) add(workload.resourceId, workload);
    // A moving workload holds room on both ends.
    if (workload.move && workload.move.to !== workload.resourceId) add(workload.move.to, workload);
  }
  const tenants = new Map<string, ResourceView[]>();
  for (const resource of snapshot.resources) {
    const used = resource.used ?? {};
    const views = tenants.get(resource.tenantId) ?? [];
    tenants.set(resource.tenantId, views);
    views.push({
      resourceId: resource.resourceId,
      poolId: resource.poolId,
      capacity: resource.capacity,
      used,
      utilisation: utilisation(used, resource.capacity),
      released: resource.released === true,
      workloads: (onResource.get(resource.resourceId) ?? [])
        .filter((workload) => workload.tenantId === resource.tenantId)
        .sort((a, b) => a.workloadId.localeCompare(b.workloadId))
        .map(workloadView),
    });
  }
  return {
    tenants: [...tenants]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([tenantId, resources]) => ({
        tenantId,
        resources: resources.sort((a, b) => a.resourceId.localeCompare(b.resourceId)),
      })),
    pending: snapshot.workloads
      .filter((workload) => workload.resourceId === undefined)
      .map((workload) => ({
        workloadId: workload.workloadId,
        tenantId: workload.tenantId,
        demand: workload.demand,
        reason: workload.pendingReason ?? 'not placed yet',
      })),
  };
}

/** Rollouts, the most recently changed first; bakes end `timeScale` times sooner. */
export function rolloutsOf(items: LedgerItems, timeScale: number): Rollouts {
  return {
    rollouts: rolloutsIn(items)
      .sort(newestFirst((rollout) => rollout.updatedAt))
      .map((rollout) => rolloutView(rollout, timeScale)),
  };
}

function rolloutsIn(items: LedgerItems): RolloutRecord[] {
  return items.filter((item) => item.entity === 'rollout') as unknown as RolloutRecord[];
}

function rejectionsIn(items: LedgerItems): RejectionView[] {
  return items
    .flatMap((item): RejectionView[] => {
      const outcome = item.outcome as { status?: string; reason?: string; explanation?: string } | undefined;
      if (item.entity !== 'request' || outcome?.status !== 'REJECTED') return [];
      return [
        {
          requestId: String(item.requestId),
          tenantId: String((outcome as { tenantId?: unknown }).tenantId ?? ''),
          reason: outcome.reason ?? '',
          explanation: outcome.explanation ?? '',
          at: String(item.claimedAt ?? ''),
        },
      ];
    })
    .sort(newestFirst((rejection) => rejection.at))
    .slice(0, MAX_REJECTIONS);
}

function allocationView(allocation: Allocation): AllocationView {
  return {
    allocationId: allocation.allocationId,
    requestId: allocation.requestId,
    tenantId: allocation.tenantId,
    poolId: allocation.poolId,
    kind: allocation.kind,
    amount: allocation.amount,
    status: allocation.status,
    createdAt: allocation.createdAt,
    expiresAt: allocation.expiresAt,
  };
}

function workloadView(workload: WorkloadRecord) {
  return {
    workloadId: workload.workloadId,
    demand: workload.demand,
    antiAffinityGroup: workload.constraints?.antiAffinityGroup,
    movingTo: workload.move && workload.move.from !== workload.move.to ? workload.move.to : undefined,
  };
}

function rolloutView(rollout: RolloutRecord, timeScale: number): RolloutView {
  const gate = rollout.gate ?? bakeAboutToOpen(rollout);
  const bakeEnds =
    gate?.kind === 'bake'
      ? new Date(Date.parse(rollout.updatedAt) + (rollout.bakeSeconds * 1000) / timeScale).toISOString()
      : undefined;
  return {
    rolloutId: rollout.rolloutId,
    functionName: rollout.functionName,
    alias: rollout.alias,
    fromVersion: rollout.fromVersion,
    toVersion: rollout.toVersion,
    strategy: rollout.strategy,
    status: rollout.status,
    steps: rollout.steps.map((step) => ({ weight: step.percent / 100, bakeSeconds: step.bakeSeconds })),
    step: rollout.step,
    weight: rollout.weight,
    alarms: rollout.alarms,
    gate: gate ? { kind: gate.kind, endsAt: bakeEnds } : undefined,
    reason: rollout.reason,
    evidence: rollout.evidence,
    explanation: rollout.explanation,
    executionArn: rollout.executionId,
    updatedAt: rollout.updatedAt,
  };
}

/**
 * A running rollout that has taken a step and has more to take bakes that step next. Its gate opens
 * a moment after the step's fact (`ServiceRolloutStepCompleted`) and is not announced itself, so a
 * page refetching on the fact may read the record just before: the bake is shown from the step.
 */
function bakeAboutToOpen(rollout: RolloutRecord): Pick<Gate, 'kind'> | undefined {
  const baking = rollout.status === 'RUNNING' && rollout.step > 0 && !rollout.done && rollout.bakeSeconds > 0;
  return baking ? { kind: 'bake' } : undefined;
}

export function historyEventView(event: HistoryEvent): HistoryEventView {
  const detailsKey = Object.keys(event).find((key) => key.endsWith('EventDetails'));
  return {
    id: event.id ?? 0,
    previousEventId: event.previousEventId,
    type: event.type ?? '',
    timestamp: event.timestamp?.toISOString() ?? '',
    details: detailsKey
      ? ((event as unknown as Record<string, Record<string, unknown>>)[detailsKey] ?? {})
      : {},
  };
}

function utilisation(used: Amounts, capacity: Amounts): number {
  let peak = 0;
  for (const dimension of Object.keys(capacity)) {
    const size = amountOf(capacity, dimension);
    if (size > 0) peak = Math.max(peak, amountOf(used, dimension) / size);
  }
  return peak;
}

export function countBy<T>(items: readonly T[], key: (item: T) => string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const item of items) counts[key(item)] = (counts[key(item)] ?? 0) + 1;
  return counts;
}

export function newestFirst<T>(time: (item: T) => string | undefined): (a: T, b: T) => number {
  return (a, b) => (time(b) ?? '').localeCompare(time(a) ?? '');
}

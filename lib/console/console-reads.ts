/**
 * What the console's pages show, read through the same AWS APIs the CLI uses — the ledger table,
 * Step Functions, the event feed — so the console reads a deployed stage exactly as it reads the
 * embedded runtime.
 */
import {
  DescribeExecutionCommand,
  DescribeStateMachineCommand,
  type HistoryEvent,
  ListExecutionsCommand,
  type ListExecutionsCommandInput,
} from '@aws-sdk/client-sfn';
import { scanLedger, snapshotOf } from '../../lambdas/adapters/ledger-snapshot';
import type { Allocation } from '../../lambdas/core/allocation/allocation';
import { type Amounts, amountOf, dimensionsOver } from '../../lambdas/core/allocation/amounts';
import type { Gate, RolloutRecord } from '../../lambdas/core/rollouts/rollout';
import type { WorkloadRecord } from '../../lambdas/core/workloads/workload-ledger';
import type { Connection } from '../cli/connection';
import { allHistory } from '../cli/execution-watch';
import { batonName } from '../topology/resource-names';
import type {
  AllocationView,
  Capacity,
  ConsoleEvent,
  ExecutionDetail,
  ExecutionSummary,
  Executions,
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
import { ConsoleRequestError } from './console-request-error';
import type { EventFeed } from './event-feed';

/** How long a read (a scan of the ledger, execution counts) is reused when no event says that it changed. */
const KEPT_READ_MAX_AGE_MS = 1000;
/** Executions listed per workflow (the embedded runtime keeps 1 000 in all). */
export const MAX_LISTED_EXECUTIONS = 1000;
/** Rejected requests shown, newest first. */
const MAX_REJECTIONS = 200;
/** History events read for one execution (a Map over thousands of items has more: the graph needs the first). */
const MAX_HISTORY_EVENTS = 10_000;

export interface ConsoleReadsOptions {
  readonly connection: Connection;
  readonly feed: EventFeed;
  /** The handlers' metrics as the runtime sums them; none against a deployed stage. */
  readonly metrics?: () => readonly MetricFigure[];
  /** Divides bake durations, as the runtime's `--time-scale` does. Default 1. */
  readonly timeScale?: number;
}

type Items = readonly Record<string, unknown>[];
/** What the overview counts by. */
const OVERVIEW_ATTRIBUTES = ['entity', 'status', 'resourceId', 'move'];
/** What the workloads map reads of a resource (the first line) and of a workload (the second). */
const WORKLOAD_MAP_ATTRIBUTES = [
  ...['entity', 'tenantId', 'resourceId', 'poolId', 'capacity', 'used', 'released'],
  ...['workloadId', 'demand', 'constraints', 'move', 'pendingReason'],
];
/** The kinds of item in the ledger table that the console shows (its `entity` attribute). */
type LedgerEntity = 'pool' | 'quota' | 'allocation' | 'request' | 'resource' | 'workload' | 'rollout';

export class ConsoleReads {
  /** Reads under way or kept (ledger scans by the entities they read, execution counts). */
  private readonly kept = new Map<string, Promise<unknown>>();
  private machines: Promise<{ workflowId: string; stateMachineArn: string }[]> | undefined;
  private readonly stopFollowing: () => void;

  constructor(private readonly options: ConsoleReadsOptions) {
    this.stopFollowing = options.feed.subscribe(() => this.kept.clear());
  }

  close(): void {
    this.stopFollowing();
  }

  /** The stage's workflows and their state machines (found once, by name). */
  workflows(): Promise<{ workflowId: string; stateMachineArn: string }[]> {
    this.machines ??= this.options.connection.stageStateMachines().then((machines) => {
      const prefix = `${batonName(this.options.connection.stage)}-`;
      return machines
        .filter((machine) => machine.stateMachineArn && machine.name?.startsWith(prefix))
        .map((machine) => ({
          workflowId: (machine.name ?? '').slice(prefix.length),
          stateMachineArn: machine.stateMachineArn ?? '',
        }));
    });
    // A failed listing is not kept: the next page asks again.
    this.machines.catch(() => {
      this.machines = undefined;
    });
    return this.machines;
  }

  async overview(): Promise<Overview> {
    // Counts only: each item's entity, status and placement, not its contents.
    const [items, executions] = await Promise.all([
      this.ledger(undefined, OVERVIEW_ATTRIBUTES),
      this.executionCounts(),
    ]);
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
      metrics: this.options.metrics?.() ?? [],
    };
  }

  async capacity(): Promise<Capacity> {
    const items = await this.ledger(['pool', 'quota', 'allocation', 'request']);
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

  async workloads(): Promise<Workloads> {
    // Only what the map shows: a resource's members (each workload's room, token and demand) are
    // most of a large ledger's bytes, and each workload names its resource already.
    const snapshot = snapshotOf(await this.ledger(['resource', 'workload'], WORKLOAD_MAP_ATTRIBUTES));
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

  async rollouts(): Promise<Rollouts> {
    const timeScale = this.options.timeScale ?? 1;
    return {
      rollouts: rolloutsIn(await this.ledger(['rollout']))
        .sort(newestFirst((rollout) => rollout.updatedAt))
        .map((rollout) => rolloutView(rollout, timeScale)),
    };
  }

  async executions(filter: { workflow?: string; status?: string; limit?: number }): Promise<Executions> {
    const workflows = (await this.workflows()).filter(
      (workflow) => !filter.workflow || workflow.workflowId === filter.workflow,
    );
    if (filter.workflow && workflows.length === 0)
      throw new ConsoleRequestError(404, 'UnknownWorkflow', `no workflow "${filter.workflow}" in this stage`);
    const limit = Math.min(filter.limit ?? 100, MAX_LISTED_EXECUTIONS);
    const lists = await Promise.all(
      workflows.map(async (workflow) =>
        (await this.listExecutions(workflow.stateMachineArn, limit, filter.status)).map(
          (execution): ExecutionSummary => ({ ...execution, workflowId: workflow.workflowId }),
        ),
      ),
    );
    return {
      executions: lists
        .flat()
        .sort(newestFirst((e) => e.startDate))
        .slice(0, limit),
    };
  }

  async execution(executionArn: string): Promise<ExecutionDetail> {
    const { sfn } = this.options.connection;
    const description = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    const [machine, history] = await Promise.all([
      sfn.send(new DescribeStateMachineCommand({ stateMachineArn: description.stateMachineArn })),
      allHistory(sfn, executionArn, MAX_HISTORY_EVENTS),
    ]);
    const workflow = (await this.workflows()).find((w) => w.stateMachineArn === description.stateMachineArn);
    return {
      execution: {
        executionArn,
        workflowId: workflow?.workflowId ?? '',
        name: description.name ?? '',
        status: description.status ?? '',
        startDate: description.startDate?.toISOString() ?? '',
        stopDate: description.stopDate?.toISOString(),
        input: description.input,
        output: description.output,
        error: description.error,
        cause: description.cause,
      },
      definition: JSON.parse(machine.definition ?? '{}') as Record<string, unknown>,
      history: history.map(historyEventView),
    };
  }

  events(limit: number, accepts?: (event: ConsoleEvent) => boolean): ConsoleEvent[] {
    return this.options.feed.latest(limit, accepts);
  }

  /** Every new event, after the reads it makes stale are dropped (so a refetch sees the change). */
  follow(listener: (event: ConsoleEvent) => void): () => void {
    return this.options.feed.subscribe(listener);
  }

  /**
   * The ledger's items of some entities (all, when none are named), as they are now. A scan of a
   * large ledger takes a while (11 000 items: ≈ 150 ms in the store alone), so a page reads only
   * the entities it shows.
   */
  private ledger(entities?: readonly LedgerEntity[], attributes?: readonly string[]): Promise<Items> {
    const { connection } = this.options;
    return this.keep(`ledger:${entities?.join(',') ?? '*'}:${attributes?.join(',') ?? '*'}`, () =>
      scanLedger(connection.ledger, connection.ledgerTableName(), { entities, attributes }),
    );
  }

  /**
   * A read shared by the pages that refetch together on one event, and kept until the next event
   * on the bus (every change worth a refetch is announced) — but no longer than
   * {@link KEPT_READ_MAX_AGE_MS}, since some writes are not announced (a rollout's gate). A read
   * that fails is not kept.
   */
  private keep<T>(key: string, read: () => Promise<T>): Promise<T> {
    const kept = this.kept.get(key) as Promise<T> | undefined;
    if (kept) return kept;
    const reading = read();
    this.kept.set(key, reading);
    const forget = () => {
      if (this.kept.get(key) === reading) this.kept.delete(key);
    };
    reading.then(() => setTimeout(forget, KEPT_READ_MAX_AGE_MS).unref(), forget);
    return reading;
  }

  /** Each workflow's executions by status: kept like a scan (ListExecutions is throttled per account in AWS). */
  private executionCounts(): Promise<Record<string, Record<string, number>>> {
    return this.keep('executionCounts', () => this.countExecutions());
  }

  private async countExecutions(): Promise<Record<string, Record<string, number>>> {
    const workflows = await this.workflows();
    const counts = await Promise.all(
      workflows.map(async (workflow) => [
        workflow.workflowId,
        countBy(
          await this.listExecutions(workflow.stateMachineArn, MAX_LISTED_EXECUTIONS),
          (execution) => execution.status,
        ),
      ]),
    );
    return Object.fromEntries(counts);
  }

  private async listExecutions(
    stateMachineArn: string,
    limit: number,
    statusFilter?: string,
  ): Promise<Omit<ExecutionSummary, 'workflowId'>[]> {
    const found: Omit<ExecutionSummary, 'workflowId'>[] = [];
    let nextToken: string | undefined;
    do {
      const page = await this.options.connection.sfn.send(
        new ListExecutionsCommand({
          stateMachineArn,
          nextToken,
          maxResults: Math.min(1000, limit - found.length),
          ...(statusFilter
            ? { statusFilter: statusFilter as ListExecutionsCommandInput['statusFilter'] }
            : {}),
        }),
      );
      for (const execution of page.executions ?? []) {
        found.push({
          executionArn: execution.executionArn ?? '',
          name: execution.name ?? '',
          status: execution.status ?? '',
          startDate: execution.startDate?.toISOString() ?? '',
          stopDate: execution.stopDate?.toISOString(),
        });
      }
      nextToken = page.nextToken;
    } while (nextToken && found.length < limit);
    return found;
  }
}

function rolloutsIn(items: Items): RolloutRecord[] {
  return items.filter((item) => item.entity === 'rollout') as unknown as RolloutRecord[];
}

function rejectionsIn(items: Items): RejectionView[] {
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

function historyEventView(event: HistoryEvent): HistoryEventView {
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

function countBy<T>(items: readonly T[], key: (item: T) => string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const item of items) counts[key(item)] = (counts[key(item)] ?? 0) + 1;
  return counts;
}

function newestFirst<T>(time: (item: T) => string | undefined): (a: T, b: T) => number {
  return (a, b) => (time(b) ?? '').localeCompare(time(a) ?? '');
}

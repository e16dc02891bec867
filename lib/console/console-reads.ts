/**
 * What the console's pages show, read through the same AWS APIs the CLI uses — the ledger table,
 * Step Functions, the event feed — so the console reads a deployed stage exactly as it reads the
 * embedded runtime.
 */
import { DescribeExecutionCommand, DescribeStateMachineCommand } from '@aws-sdk/client-sfn';
import { scanLedger } from '../../lambdas/adapters/ledger-snapshot';
import type { Connection } from '../cli/connection';
import { allHistory } from '../cli/execution-watch';
import { batonName } from '../topology/resource-names';
import type {
  Capacity,
  ConsoleEvent,
  ExecutionDetail,
  ExecutionSummary,
  Executions,
  MetricFigure,
  Overview,
  Rollouts,
  Workloads,
} from './console-api';
import { ConsoleRequestError } from './console-request-error';
import {
  capacityOf,
  countBy,
  historyEventView,
  type LedgerItems,
  newestFirst,
  overviewOf,
  rolloutsOf,
  workloadMapOf,
} from './console-views';
import type { EventFeed } from './event-feed';
import { listExecutions } from './execution-listing';

/** How long a read (a scan of the ledger, execution counts) is reused when no event says that it changed. */
const KEPT_READ_MAX_AGE_MS = 1000;
/** Executions listed per workflow (the embedded runtime keeps 1 000 in all). */
export const MAX_LISTED_EXECUTIONS = 1000;
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
    return overviewOf(items, executions, this.options.metrics?.() ?? []);
  }

  async capacity(): Promise<Capacity> {
    return capacityOf(await this.ledger(['pool', 'quota', 'allocation', 'request']));
  }

  async workloads(): Promise<Workloads> {
    // Only what the map shows: a resource's members (each workload's room, token and demand) are
    // most of a large ledger's bytes, and each workload names its resource already.
    return workloadMapOf(await this.ledger(['resource', 'workload'], WORKLOAD_MAP_ATTRIBUTES));
  }

  async rollouts(): Promise<Rollouts> {
    return rolloutsOf(await this.ledger(['rollout']), this.options.timeScale ?? 1);
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
        (
          await listExecutions(this.options.connection.sfn, workflow.stateMachineArn, limit, filter.status)
        ).map((execution): ExecutionSummary => ({ ...execution, workflowId: workflow.workflowId })),
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
  private ledger(entities?: readonly LedgerEntity[], attributes?: readonly string[]): Promise<LedgerItems> {
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
          await listExecutions(this.options.connection.sfn, workflow.stateMachineArn, MAX_LISTED_EXECUTIONS),
          (execution) => execution.status,
        ),
      ]),
    );
    return Object.fromEntries(counts);
  }
}

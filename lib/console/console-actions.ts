/**
 * What the console's buttons do, through the same public contract any other system uses: a
 * rollout control is a `ServiceRolloutControl` event on the bus, a rebalance is an execution of
 * `rebalance-workloads` (a dry run first, then the same request applied).
 */
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { DescribeExecutionCommand, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { ledgerKeys } from '../../lambdas/adapters/ledger-keys';
import { ENDED_STATUSES, type RolloutRecord } from '../../lambdas/core/rollouts/rollout';
import type { Connection } from '../cli/connection';
import type {
  PlannedMoveView,
  RebalanceAsk,
  RebalancePreview,
  RolloutAction,
  StartedExecution,
} from './console-api';
import { ConsoleRequestError } from './console-request-error';

/** The source of the events the console sends (requests may use any source but `baton`). */
export const CONSOLE_SOURCE = 'baton.console';
/** How long a dry run may take before the console answers that it is still running. */
const DRY_RUN_WAIT_MS = 30_000;
const POLL_INTERVAL_MS = 50;

export class ConsoleActions {
  constructor(private readonly connection: Connection) {}

  async controlRollout(rolloutId: string, action: RolloutAction): Promise<{ eventId: string }> {
    const { Item } = await this.connection.ledger.send(
      new GetCommand({
        TableName: this.connection.ledgerTableName(),
        Key: ledgerKeys.rollout(rolloutId),
        ConsistentRead: true,
      }),
    );
    const rollout = Item as RolloutRecord | undefined;
    if (!rollout) throw new ConsoleRequestError(404, 'RolloutNotFound', `no rollout "${rolloutId}"`);
    if (ENDED_STATUSES.has(rollout.status))
      throw new ConsoleRequestError(409, 'RolloutEnded', `rollout ${rolloutId} has ended ${rollout.status}`);
    const { Entries } = await this.connection.eventBridge.send(
      new PutEventsCommand({
        Entries: [
          {
            EventBusName: this.connection.busName,
            Source: CONSOLE_SOURCE,
            DetailType: 'ServiceRolloutControl',
            Detail: JSON.stringify({ rolloutId, action }),
          },
        ],
      }),
    );
    const entry = Entries?.[0];
    if (!entry?.EventId)
      throw new ConsoleRequestError(502, entry?.ErrorCode ?? 'PutEventsFailed', entry?.ErrorMessage ?? '');
    return { eventId: entry.EventId };
  }

  /** Plans without moving anything: the workflow's own dry run, waited for. */
  async planRebalance(ask: RebalanceAsk): Promise<RebalancePreview> {
    const executionArn = await this.startRebalance(ask, true);
    const ended = await this.waitForEnd(executionArn);
    if (ended.status !== 'SUCCEEDED') {
      const invalid = ended.error === 'InvalidRequest';
      throw new ConsoleRequestError(
        invalid ? 400 : 502,
        ended.error ?? `Execution${ended.status}`,
        ended.cause ?? `the dry run ended ${ended.status}`,
      );
    }
    const report = JSON.parse(ended.output ?? '{}') as {
      strategy?: string;
      moves?: (Partial<PlannedMoveView> & Pick<PlannedMoveView, 'workloadId' | 'from' | 'to'>)[];
      metrics?: Record<string, number>;
      explanation?: string;
    };
    return {
      executionArn,
      strategy: report.strategy ?? ask.strategy ?? 'spread',
      moves: (report.moves ?? []).map((move) => ({
        tenantId: move.tenantId ?? '',
        workloadId: move.workloadId,
        from: move.from,
        to: move.to,
        reason: move.reason ?? '',
        wave: move.wave ?? 1,
      })),
      metrics: report.metrics ?? {},
      explanation: report.explanation ?? '',
    };
  }

  /** Applies the same request: the workflow plans again from the ledger as it is now, then moves. */
  async applyRebalance(ask: RebalanceAsk): Promise<StartedExecution> {
    return { executionArn: await this.startRebalance(ask, false) };
  }

  private async startRebalance(ask: RebalanceAsk, dryRun: boolean): Promise<string> {
    const request = {
      ...(ask.tenantId ? { scope: { tenantId: ask.tenantId } } : {}),
      ...(ask.strategy ? { strategy: ask.strategy } : {}),
      ...(ask.maxMoves ? { maxMoves: ask.maxMoves } : {}),
      dryRun,
    };
    const { executionArn } = await this.connection.sfn.send(
      new StartExecutionCommand({
        stateMachineArn: await this.connection.stateMachineArn('rebalance-workloads'),
        input: JSON.stringify(request),
      }),
    );
    if (!executionArn) throw new ConsoleRequestError(502, 'StartExecutionFailed', 'no executionArn returned');
    return executionArn;
  }

  private async waitForEnd(executionArn: string) {
    const deadline = Date.now() + DRY_RUN_WAIT_MS;
    for (;;) {
      const description = await this.connection.sfn.send(new DescribeExecutionCommand({ executionArn }));
      if (description.status !== 'RUNNING') return description;
      if (Date.now() > deadline)
        throw new ConsoleRequestError(504, 'DryRunStillRunning', `${executionArn} has not ended yet`);
      await new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS));
    }
  }
}

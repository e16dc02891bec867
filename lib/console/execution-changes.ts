/**
 * A deployed stage's bus cannot be read from outside AWS, but its workflows can: against a stage,
 * the console lists each workflow's latest executions every few seconds and puts each start and
 * end it sees on its feed as the event Step Functions itself sends to EventBridge (`Step Functions
 * Execution Status Change`), so the pages refresh as they do on the embedded runtime's bus.
 */
import { ListExecutionsCommand, type SFNClient } from '@aws-sdk/client-sfn';
import type { ConsoleEvent } from './console-api';
import type { RecentEvents } from './event-feed';

export const EXECUTION_POLL_MS = 2000;
/** Executions compared per workflow and round: the newest ones, where starts and ends are. */
const EXECUTIONS_PER_ROUND = 100;

export interface WatchedWorkflows {
  workflows(): Promise<readonly { workflowId: string; stateMachineArn: string }[]>;
}

/** Starts watching; the returned function stops it. */
export function followExecutionChanges(
  sfn: SFNClient,
  watched: WatchedWorkflows,
  feed: RecentEvents,
  intervalMs = EXECUTION_POLL_MS,
): () => void {
  // What each workflow's latest executions were at the last round: only those are kept, so the
  // memory stays that of one round however long the console runs.
  const known = new Map<string, Map<string, string>>();
  let running = false;
  const round = async () => {
    for (const { stateMachineArn } of await watched.workflows()) {
      try {
        const { executions = [] } = await sfn.send(
          new ListExecutionsCommand({ stateMachineArn, maxResults: EXECUTIONS_PER_ROUND }),
        );
        const before = known.get(stateMachineArn);
        const now = new Map<string, string>();
        for (const execution of [...executions].reverse()) {
          const arn = execution.executionArn ?? '';
          const status = execution.status ?? '';
          now.set(arn, status);
          // The first round learns what exists; after it, a new execution or a new status is news.
          if (before && before.get(arn) !== status)
            feed.add(statusChange(stateMachineArn, execution, status));
        }
        known.set(stateMachineArn, now);
      } catch (error) {
        // One workflow that cannot be listed now (throttled) does not hold back the others.
        const failure = error as Error;
        console.error(
          `[baton] console: listing ${stateMachineArn} failed: ${failure.name}: ${failure.message}`,
        );
      }
    }
  };
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    round()
      .catch((error: Error) =>
        console.error(`[baton] console: listing executions failed: ${error.name}: ${error.message}`),
      )
      .finally(() => {
        running = false;
      });
  }, intervalMs);
  return () => clearInterval(timer);
}

function statusChange(
  stateMachineArn: string,
  execution: { executionArn?: string; name?: string; startDate?: Date; stopDate?: Date },
  status: string,
): ConsoleEvent {
  const [, , , region = '', account = ''] = stateMachineArn.split(':');
  return {
    id: `${execution.executionArn}:${status}`,
    'detail-type': 'Step Functions Execution Status Change',
    source: 'aws.states',
    account,
    region,
    time: (execution.stopDate ?? execution.startDate ?? new Date()).toISOString(),
    resources: [execution.executionArn ?? ''],
    detail: {
      executionArn: execution.executionArn,
      stateMachineArn,
      name: execution.name,
      status,
      startDate: execution.startDate?.getTime(),
      stopDate: execution.stopDate?.getTime() ?? null,
    },
  };
}

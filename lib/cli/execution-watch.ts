/**
 * Follows an execution until it ends, reporting each state it enters (from its history), as
 * `baton run --wait` shows progress.
 */
import {
  DescribeExecutionCommand,
  type DescribeExecutionCommandOutput,
  GetExecutionHistoryCommand,
  type HistoryEvent,
  type SFNClient,
} from '@aws-sdk/client-sfn';

const POLL_INTERVAL_MS = 200;

export async function watchExecution(
  sfn: SFNClient,
  executionArn: string,
  onEvent: (event: HistoryEvent) => void,
): Promise<DescribeExecutionCommandOutput> {
  let seen = 0;
  for (;;) {
    const description = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    const events = await allHistory(sfn, executionArn);
    for (const event of events.slice(seen)) onEvent(event);
    seen = events.length;
    if (description.status !== 'RUNNING') return description;
    await new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS));
  }
}

/** An execution's history, all pages — or its first `max` events. */
export async function allHistory(
  sfn: SFNClient,
  executionArn: string,
  max = Number.POSITIVE_INFINITY,
): Promise<HistoryEvent[]> {
  const events: HistoryEvent[] = [];
  let nextToken: string | undefined;
  do {
    const page = await sfn.send(
      new GetExecutionHistoryCommand({ executionArn, nextToken, maxResults: 1000 }),
    );
    events.push(...(page.events ?? []));
    nextToken = page.nextToken;
  } while (nextToken && events.length < max);
  return events.slice(0, max);
}

/** One readable line per history event: `12 TaskStateEntered Validate`. */
export function describeHistoryEvent(event: HistoryEvent): string {
  const details =
    event.stateEnteredEventDetails?.name ??
    event.stateExitedEventDetails?.name ??
    event.taskFailedEventDetails?.error ??
    event.executionFailedEventDetails?.error ??
    event.lambdaFunctionFailedEventDetails?.error ??
    (event.mapIterationStartedEventDetails ? `#${event.mapIterationStartedEventDetails.index}` : undefined) ??
    event.taskScheduledEventDetails?.resource ??
    '';
  return `${String(event.id).padStart(4)} ${event.type}${details ? ` ${details}` : ''}`;
}

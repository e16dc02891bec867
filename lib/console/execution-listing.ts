/** A state machine's executions as ListExecutions pages them, read up to a limit. */
import { ListExecutionsCommand, type ListExecutionsCommandInput, type SFNClient } from '@aws-sdk/client-sfn';
import type { ExecutionSummary } from './console-api';

/** Up to `limit` executions, most recent first, of one status if given. */
export async function listExecutions(
  sfn: SFNClient,
  stateMachineArn: string,
  limit: number,
  statusFilter?: string,
): Promise<Omit<ExecutionSummary, 'workflowId'>[]> {
  const found: Omit<ExecutionSummary, 'workflowId'>[] = [];
  let nextToken: string | undefined;
  do {
    const page = await sfn.send(
      new ListExecutionsCommand({
        stateMachineArn,
        nextToken,
        maxResults: Math.min(1000, limit - found.length),
        ...(statusFilter ? { statusFilter: statusFilter as ListExecutionsCommandInput['statusFilter'] } : {}),
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

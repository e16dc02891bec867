/** What `baton executions` does, loaded when it runs (options and help: `../commands/executions.ts`). */
import { type ExecutionStatus, ListExecutionsCommand } from '@aws-sdk/client-sfn';
import type { Command } from 'commander';
import { type ConnectionOptions, connect } from '../connection';
import { print } from '../output';

export async function listExecutions(
  workflow: string | undefined,
  options: { status?: string; limit: number },
  command: Command,
) {
  const global = command.optsWithGlobals<ConnectionOptions & { json?: boolean }>();
  const connection = connect(global);
  const arns = workflow
    ? [await connection.stateMachineArn(workflow)]
    : (await connection.stageStateMachines()).map((machine) => machine.stateMachineArn ?? '');
  const executions = [];
  for (const stateMachineArn of arns) {
    const page = await connection.sfn.send(
      new ListExecutionsCommand({
        stateMachineArn,
        statusFilter: options.status as ExecutionStatus | undefined,
        maxResults: options.limit,
      }),
    );
    executions.push(...(page.executions ?? []));
  }
  executions.sort((a, b) => (b.startDate?.getTime() ?? 0) - (a.startDate?.getTime() ?? 0));
  print(
    global,
    executions,
    executions.length === 0
      ? 'no executions'
      : executions
          .map((e) => `${e.status?.padEnd(9)} ${e.startDate?.toISOString()} ${e.executionArn}`)
          .join('\n'),
  );
}

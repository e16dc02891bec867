/** What `baton run` does, loaded when it runs (options and help: `../commands/run.ts`). */
import { StartExecutionCommand } from '@aws-sdk/client-sfn';
import type { Command } from 'commander';
import { type ConnectionOptions, connect } from '../connection';
import { describeHistoryEvent, watchExecution } from '../execution-watch';
import { readJsonArgument } from '../json-argument';
import { print } from '../output';

export async function runWorkflow(
  workflow: string,
  options: { input: string; name?: string; wait?: boolean },
  command: Command,
) {
  const global = command.optsWithGlobals<ConnectionOptions & { json?: boolean }>();
  const input = readJsonArgument(options.input, '--input');
  const connection = connect(global);
  const { executionArn } = await connection.sfn.send(
    new StartExecutionCommand({
      stateMachineArn: await connection.stateMachineArn(workflow),
      input: JSON.stringify(input),
      name: options.name,
    }),
  );
  if (!executionArn) throw new Error('StartExecution returned no executionArn');
  if (!options.wait) {
    print(global, { executionArn, status: 'RUNNING' }, `started ${executionArn}`);
    return;
  }
  if (!global.json) console.log(`started ${executionArn}`);
  const result = await watchExecution(connection.sfn, executionArn, (event) => {
    if (!global.json) console.log(describeHistoryEvent(event));
  });
  if (result.status !== 'SUCCEEDED') process.exitCode = 1;
  const output = result.output === undefined ? undefined : JSON.parse(result.output);
  print(
    global,
    { executionArn, status: result.status, output, error: result.error, cause: result.cause },
    [
      `status: ${result.status}`,
      ...(output !== undefined ? [`output: ${JSON.stringify(output, null, 2)}`] : []),
      ...(result.error ? [`error: ${result.error}`, `cause: ${result.cause ?? ''}`] : []),
    ].join('\n'),
  );
}

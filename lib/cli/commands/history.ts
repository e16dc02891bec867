import type { Command } from 'commander';
import { type ConnectionOptions, connect } from '../connection';
import { allHistory, describeHistoryEvent } from '../execution-watch';
import { print } from '../output';

export function registerHistory(program: Command): void {
  program
    .command('history')
    .description("print an execution's history (GetExecutionHistory)")
    .argument('<execution-arn>', 'the execution ARN, as `baton run` or `baton executions` prints it')
    .action(async (executionArn: string, _options: unknown, command: Command) => {
      const global = command.optsWithGlobals<ConnectionOptions & { json?: boolean }>();
      const events = await allHistory(connect(global).sfn, executionArn);
      print(global, events, events.map(describeHistoryEvent).join('\n'));
    });
}

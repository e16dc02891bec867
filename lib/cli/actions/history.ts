/** What `baton history` does, loaded when it runs (options and help: `../commands/history.ts`). */
import type { Command } from 'commander';
import { type ConnectionOptions, connect } from '../connection';
import { allHistory, describeHistoryEvent } from '../execution-watch';
import { print } from '../output';

export async function printHistory(executionArn: string, _options: unknown, command: Command) {
  const global = command.optsWithGlobals<ConnectionOptions & { json?: boolean }>();
  const events = await allHistory(connect(global).sfn, executionArn);
  print(global, events, events.map(describeHistoryEvent).join('\n'));
}

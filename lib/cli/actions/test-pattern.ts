/** What `baton test-pattern` does, loaded when it runs (options and help: `../commands/test-pattern.ts`). */
import { TestEventPatternCommand } from '@aws-sdk/client-eventbridge';
import type { Command } from 'commander';
import { type ConnectionOptions, connect } from '../connection';
import { readJsonArgument } from '../json-argument';
import { print } from '../output';

export async function testPattern(options: { pattern: string; event: string }, command: Command) {
  const global = command.optsWithGlobals<ConnectionOptions & { json?: boolean }>();
  const response = await connect(global).eventBridge.send(
    new TestEventPatternCommand({
      EventPattern: JSON.stringify(readJsonArgument(options.pattern, '--pattern')),
      Event: JSON.stringify(readJsonArgument(options.event, '--event')),
    }),
  );
  if (!response.Result) process.exitCode = 1;
  print(global, { matches: response.Result }, response.Result ? 'matches' : 'does not match');
}

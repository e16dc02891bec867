import { TestEventPatternCommand } from '@aws-sdk/client-eventbridge';
import type { Command } from 'commander';
import { type ConnectionOptions, connect } from '../connection';
import { readJsonArgument } from '../json-argument';
import { print } from '../output';

export function registerTestPattern(program: Command): void {
  program
    .command('test-pattern')
    .description('check whether an event matches an EventBridge pattern (TestEventPattern)')
    .requiredOption('--pattern <json|@file>', 'the event pattern')
    .requiredOption(
      '--event <json|@file>',
      'a whole event: id, account, source, time, region, detail-type, detail…',
    )
    .action(async (options: { pattern: string; event: string }, command: Command) => {
      const global = command.optsWithGlobals<ConnectionOptions & { json?: boolean }>();
      const response = await connect(global).eventBridge.send(
        new TestEventPatternCommand({
          EventPattern: JSON.stringify(readJsonArgument(options.pattern, '--pattern')),
          Event: JSON.stringify(readJsonArgument(options.event, '--event')),
        }),
      );
      if (!response.Result) process.exitCode = 1;
      print(global, { matches: response.Result }, response.Result ? 'matches' : 'does not match');
    });
}

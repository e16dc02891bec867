import type { Command } from 'commander';
import { lazyAction } from '../lazy-action';

export function registerTestPattern(program: Command): void {
  program
    .command('test-pattern')
    .description('check whether an event matches an EventBridge pattern (TestEventPattern)')
    .requiredOption('--pattern <json|@file>', 'the event pattern')
    .requiredOption(
      '--event <json|@file>',
      'a whole event: id, account, source, time, region, detail-type, detail…',
    )
    .action(lazyAction(async () => (await import('../actions/test-pattern')).testPattern));
}

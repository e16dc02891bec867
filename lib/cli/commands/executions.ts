import type { Command } from 'commander';
import { lazyAction } from '../lazy-action';
import { positiveInteger } from '../option-parsers';

export function registerExecutions(program: Command): void {
  program
    .command('executions')
    .description('list recent executions, newest first')
    .argument('[workflow]', 'only this workflow (default: all of the stage)')
    .option('--status <status>', 'RUNNING | SUCCEEDED | FAILED | TIMED_OUT | ABORTED')
    .option('--limit <n>', 'at most this many per workflow (1-1000)', positiveInteger, 20)
    .action(lazyAction(async () => (await import('../actions/executions')).listExecutions));
}

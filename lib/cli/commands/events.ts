import type { Command } from 'commander';
import { lazyAction } from '../lazy-action';
import { positiveInteger } from '../option-parsers';

export function registerEvents(program: Command): void {
  program
    .command('events')
    .description("print the embedded runtime's event log (every event put on the local bus)")
    .option('--data-dir <dir>', 'the runtime data directory', '.baton')
    .option('--type <detail-types>', 'only events of these detail-types (comma-separated)')
    .option('--limit <n>', 'only the last n events', positiveInteger, 50)
    .option('--follow', 'keep printing new events as they arrive (Ctrl-C to stop)')
    .action(lazyAction(async () => (await import('../actions/events')).printEvents));
}

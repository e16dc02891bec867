import type { Command } from 'commander';
import { lazyAction } from '../lazy-action';

export function registerEmit(program: Command): void {
  program
    .command('emit')
    .description("put one event on Baton's bus (PutEvents), e.g. a request such as ResourcePoolChanged")
    .argument('<detail-type>', 'the detail-type, e.g. ResourcePoolChanged')
    .requiredOption('--detail <json|@file>', 'the event detail as JSON, or @path to a JSON file')
    .option('--source <source>', 'the event source (requests may use any source but "baton")', 'baton.cli')
    .action(lazyAction(async () => (await import('../actions/emit')).emitEvent));
}

import type { Command } from 'commander';
import { lazyAction } from '../lazy-action';

export function registerRun(program: Command): void {
  program
    .command('run')
    .description('start a workflow (StartExecution) with a JSON input, as from the console')
    .argument('<workflow>', 'the workflow id, e.g. allocate-resources')
    .option('--input <json|@file>', 'the execution input as JSON, or @path to a JSON file', '{}')
    .option('--name <name>', 'the execution name (default: a random id)')
    .option('--wait', 'follow the execution until it ends, showing each state')
    .action(lazyAction(async () => (await import('../actions/run')).runWorkflow));
}

import type { Command } from 'commander';
import { lazyAction } from '../lazy-action';

export function registerHistory(program: Command): void {
  program
    .command('history')
    .description("print an execution's history (GetExecutionHistory)")
    .argument('<execution-arn>', 'the execution ARN, as `baton run` or `baton executions` prints it')
    .action(lazyAction(async () => (await import('../actions/history')).printHistory));
}

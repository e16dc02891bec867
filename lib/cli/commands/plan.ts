/**
 * `baton plan`: a rebalance plan with its explanation, as the `rebalance-workloads` workflow
 * makes it — a dry run by default, applied wave by wave with `--apply`.
 */
import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { lazyAction } from '../lazy-action';
import { positiveInteger } from '../option-parsers';

export function registerPlan(program: Command): void {
  program
    .command('plan')
    .description('plan a workload rebalance and explain it (a dry run unless --apply)')
    .option(
      '--strategy <spread|binpack>',
      'lower the peak utilisation (spread) or free resources (binpack)',
      strategy,
    )
    .option('--max-moves <n>', 'the most moves the plan may make (default 50)', positiveInteger)
    .option('--budget <n>', 'the disruption budget: moves in flight at once (default 10)', positiveInteger)
    .option('--tenant <id>', "only this tenant's workloads")
    .option('--apply', 'apply the plan: move the workloads, wave by wave')
    .action(lazyAction(async () => (await import('../actions/plan')).planRebalance));
}

function strategy(value: string): string {
  if (value !== 'spread' && value !== 'binpack') throw new InvalidArgumentError('expected spread or binpack');
  return value;
}

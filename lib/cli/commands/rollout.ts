/**
 * `baton rollout`: starts a rollout and shows its progress live — each step's weights and the
 * gate it waits at — or acts on a running one (`status`, `pause`, `resume`, `promote`, `abort`).
 */
import type { Command } from 'commander';
import { lazyAction } from '../lazy-action';

export function registerRollout(program: Command): void {
  program
    .command('rollout')
    .description(
      'roll a Lambda version out behind an alias (`rollout <function> --to 42`), or act on a rollout (`rollout status|pause|resume|promote|abort <rolloutId>`)',
    )
    .argument('<function|action>', 'the function to roll out, or status, pause, resume, promote, abort')
    .argument('[rolloutId]', 'the rollout an action applies to')
    .option('--alias <alias>', 'the alias whose traffic shifts', 'live')
    .option('--to <version>', 'the published version to roll out')
    .option(
      '--strategy <strategy>',
      'canary:<percent>:<bakeSeconds>, linear:<percent>:<seconds>, allAtOnce, steps:10@60,50@300',
      'canary:10:300',
    )
    .option('--alarm <name>', 'a CloudWatch alarm that rolls the rollout back (repeatable)', collect, [])
    .option('--id <rolloutId>', 'the rollout id (default: <function>-<version>-<time>)')
    .option('--supersede', 'roll back a rollout already running on the alias, then take over')
    .option('--pre-traffic <function>', 'a function that must succeed before any traffic moves')
    .option('--post-traffic <function>', 'a function that must succeed once all traffic has moved')
    .action(lazyAction(async () => (await import('../actions/rollout')).rollOut));
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

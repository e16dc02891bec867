/**
 * `baton state` and `baton audit`: the ledger as it stands, whether its usage adds up, and
 * whether anything is left in flight that nothing will finish.
 */
import type { Command } from 'commander';
import { lazyAction } from '../lazy-action';

export function registerLedger(program: Command): void {
  program
    .command('state')
    .description(
      'pools (capacity, used, state), quotas (limit, used), allocations (status, expiry), and the workloads on them',
    )
    .option('--table <name>', 'the ledger table of a deployed stage (stack output TableName)')
    .action(lazyAction(async () => (await import('../actions/ledger')).showState));

  program
    .command('audit')
    .description(
      "recompute every pool's and tenant's usage from the allocations, and every resource's from its workloads, and name every record in flight whose execution no longer runs (an orphan, which the reconciler recovers); exit 1 on any drift or orphan, or a record it could not judge. A pool or quota whose usage is over its limit (declared again smaller, or without a dimension in use) is named too, but it is a state, not a fault: it alone does not fail the audit",
    )
    .option('--table <name>', 'the ledger table of a deployed stage (stack output TableName)')
    .action(lazyAction(async () => (await import('../actions/ledger')).auditState));
}

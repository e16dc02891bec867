/** `baton state` and `baton audit`: the ledger as it stands, and whether its usage adds up. */
import type { Command } from 'commander';
import { readLedgerSnapshot } from '../../../lambdas/adapters/ledger-snapshot';
import { type Amounts, amountOf } from '../../../lambdas/core/allocation/amounts';
import { auditLedger } from '../../../lambdas/core/allocation/audit';
import { type ConnectionOptions, connect } from '../connection';
import { print } from '../output';

export function registerLedger(program: Command): void {
  program
    .command('state')
    .description('pools (capacity, used, state), quotas (limit, used) and allocations (status, expiry)')
    .option('--table <name>', 'the ledger table of a deployed stage (stack output TableName)')
    .action(async (_options: unknown, command: Command) => {
      const global = command.optsWithGlobals<ConnectionOptions & { json?: boolean }>();
      const connection = connect(global);
      const snapshot = await readLedgerSnapshot(connection.ledger, connection.ledgerTableName());
      const lines = [
        `pools (${snapshot.pools.length})`,
        ...snapshot.pools.map(
          (pool) =>
            `  ${pool.poolId.padEnd(24)} ${pool.state.padEnd(9)} ${usage(pool.used, pool.capacity)}${
              overcommitted(pool.used, pool.capacity)
                ? '  (over capacity: no new allocations until it drains)'
                : ''
            }`,
        ),
        `quotas (${snapshot.quotas.length})`,
        ...snapshot.quotas.map(
          (quota) => `  ${quota.tenantId.padEnd(24)} ${usage(quota.used, quota.limits)}`,
        ),
        `allocations (${snapshot.allocations.length})`,
        ...snapshot.allocations.map(
          (a) =>
            `  ${a.allocationId.padEnd(44)} ${a.status.padEnd(9)} ${a.tenantId} on ${a.poolId} ${JSON.stringify(a.amount)}${
              a.expiresAt ? ` until ${a.expiresAt}` : ''
            }`,
        ),
      ];
      print(global, snapshot, lines.join('\n'));
    });

  program
    .command('audit')
    .description("recompute every pool's and tenant's usage from the allocations; exit 1 on any drift")
    .option('--table <name>', 'the ledger table of a deployed stage (stack output TableName)')
    .action(async (_options: unknown, command: Command) => {
      const global = command.optsWithGlobals<ConnectionOptions & { json?: boolean }>();
      const connection = connect(global);
      const snapshot = await readLedgerSnapshot(connection.ledger, connection.ledgerTableName());
      const drift = auditLedger(snapshot);
      if (drift.length > 0) process.exitCode = 1;
      print(
        global,
        { clean: drift.length === 0, drift },
        drift.length === 0
          ? `clean: ${snapshot.pools.length} pools, ${snapshot.quotas.length} quotas, ${snapshot.allocations.length} allocations add up`
          : drift
              .map(
                (d) =>
                  `drift: ${d.holder} ${d.dimension} recorded ${d.recorded}, allocations hold ${d.allocated}`,
              )
              .join('\n'),
      );
    });
}

function usage(used: Amounts, limit: Amounts): string {
  return Object.keys(limit)
    .map((dimension) => `${dimension} ${amountOf(used, dimension)}/${amountOf(limit, dimension)}`)
    .join(', ');
}

function overcommitted(used: Amounts, capacity: Amounts): boolean {
  return Object.keys(used).some((dimension) => amountOf(used, dimension) > amountOf(capacity, dimension));
}

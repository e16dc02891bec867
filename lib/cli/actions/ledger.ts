/** What `baton state` and `baton audit` do, loaded when they run (options and help: `../commands/ledger.ts`). */
import type { Command } from 'commander';
import { DynamoDbAllocationRecords } from '../../../lambdas/adapters/dynamodb-allocation-records';
import { DynamoDbUnsettledRecords } from '../../../lambdas/adapters/dynamodb-unsettled-records';
import { DynamoDbWorkloadLedger } from '../../../lambdas/adapters/dynamodb-workload-ledger';
import { readLedgerSnapshot, type StateSnapshot } from '../../../lambdas/adapters/ledger-snapshot';
import { StepFunctionsExecutions } from '../../../lambdas/adapters/step-functions-executions';
import { type Amounts, amountOf, dimensionsOver } from '../../../lambdas/core/allocation/amounts';
import { auditLedger } from '../../../lambdas/core/allocation/audit';
import { describeOrphan, findOrphans } from '../../../lambdas/core/recovery/orphans';
import { auditWorkloads } from '../../../lambdas/core/workloads/audit-workloads';
import { type Connection, type ConnectionOptions, connect } from '../connection';
import { print } from '../output';

export async function showState(_options: unknown, command: Command) {
  const global = command.optsWithGlobals<ConnectionOptions & { json?: boolean }>();
  const connection = connect(global);
  const snapshot = await readLedgerSnapshot(connection.ledger, connection.ledgerTableName());
  const lines = [
    `pools (${snapshot.pools.length})`,
    ...snapshot.pools.map(
      (pool) =>
        `  ${pool.poolId.padEnd(24)} ${pool.state.padEnd(9)} ${usage(pool.used, pool.capacity)}${
          dimensionsOver(pool.used, pool.capacity).length > 0
            ? `  (over capacity in ${dimensionsOver(pool.used, pool.capacity).join(', ')}: no new allocations of it until it drains)`
            : ''
        }`,
    ),
    `quotas (${snapshot.quotas.length})`,
    ...snapshot.quotas.map(
      (quota) =>
        `  ${quota.tenantId.padEnd(24)} ${usage(quota.used, quota.limits)}${
          dimensionsOver(quota.used, quota.limits).length > 0
            ? `  (over its limit in ${dimensionsOver(quota.used, quota.limits).join(', ')}: its allocations stay, new ones of it are refused)`
            : ''
        }`,
    ),
    `allocations (${snapshot.allocations.length})`,
    ...snapshot.allocations.map(
      (a) =>
        `  ${a.allocationId.padEnd(44)} ${a.status.padEnd(9)} ${a.tenantId} on ${a.poolId} ${JSON.stringify(a.amount)}${
          a.expiresAt ? ` until ${a.expiresAt}` : ''
        }${a.status === 'RELEASING' ? '  (being released: if it stays, release it again to finish)' : ''}`,
    ),
    ...workloadLines(snapshot),
  ];
  print(global, snapshot, lines.join('\n'));
}

export async function auditState(_options: unknown, command: Command) {
  const global = command.optsWithGlobals<ConnectionOptions & { json?: boolean }>();
  const connection = connect(global);
  const snapshot = await readLedgerSnapshot(connection.ledger, connection.ledgerTableName());
  const drift = [
    ...auditLedger(snapshot).map(
      (d) => `${d.holder} ${d.dimension} recorded ${d.recorded}, allocations hold ${d.allocated}`,
    ),
    ...auditWorkloads(snapshot.resources, snapshot.workloads),
  ];
  const { orphans, unjudged } = await orphansOf(connection);
  const overLimit = holdersOverLimit(snapshot);
  const clean = drift.length === 0 && orphans.length === 0 && unjudged.length === 0;
  if (!clean) process.exitCode = 1;
  print(
    global,
    { clean, drift, orphans, unjudged, overLimit },
    [
      ...overLimit.map((o) => `over limit: ${o}`),
      ...(clean
        ? [
            `clean: ${snapshot.pools.length} pools, ${snapshot.quotas.length} quotas, ${snapshot.allocations.length} allocations, ${snapshot.resources.length} resources and ${snapshot.workloads.length} workloads add up, and nothing is left in flight`,
          ]
        : [
            ...drift.map((d) => `drift: ${d}`),
            ...orphans.map((o) => `orphan: ${o}`),
            ...unjudged.map((u) => `unjudged: ${u}`),
          ]),
    ].join('\n'),
  );
}

/**
 * The reconciler's finder, read-only: what it would recover now (an execution ended just now
 * included), and the records it could not judge.
 */
async function orphansOf(connection: Connection): Promise<{ orphans: string[]; unjudged: string[] }> {
  const tableName = connection.ledgerTableName();
  const { orphans, failures } = await findOrphans(
    {
      records: new DynamoDbUnsettledRecords(connection.ledger, tableName),
      workloads: new DynamoDbWorkloadLedger(connection.ledger, tableName),
      allocations: new DynamoDbAllocationRecords(connection.ledger, tableName),
      executions: new StepFunctionsExecutions(connection.sfn),
    },
    new Date(),
  );
  return { orphans: orphans.map(describeOrphan), unjudged: [...failures] };
}

/** `used/limit` per dimension of the limit, and of the usage too: one the limit lacks shows as `/0`. */
function usage(used: Amounts, limit: Amounts): string {
  const inUse = Object.keys(used).filter((dimension) => amountOf(used, dimension) > 0);
  return [...new Set([...Object.keys(limit), ...inUse])]
    .map((dimension) => `${dimension} ${amountOf(used, dimension)}/${amountOf(limit, dimension)}`)
    .join(', ');
}

/** Each pool and quota over its capacity or limit, with by how much, and why when a dimension is missing. */
function holdersOverLimit(snapshot: StateSnapshot): string[] {
  const describe = (holder: string, used: Amounts, limit: Amounts) =>
    dimensionsOver(used, limit).map(
      (dimension) =>
        `${holder}: ${dimension} ${amountOf(used, dimension)}/${amountOf(limit, dimension)}${
          dimension in limit
            ? ''
            : ` (${dimension} is not in its declaration, so its limit is 0: declare it again with ${dimension})`
        }`,
    );
  return [
    ...snapshot.pools.flatMap((pool) => describe(`pool ${pool.poolId}`, pool.used, pool.capacity)),
    ...snapshot.quotas.flatMap((quota) => describe(`quota of ${quota.tenantId}`, quota.used, quota.limits)),
  ];
}

/** Each resource with its usage and workloads, then the pending workloads with why. */
function workloadLines(snapshot: StateSnapshot): string[] {
  if (snapshot.resources.length === 0 && snapshot.workloads.length === 0) return [];
  const pending = snapshot.workloads.filter((workload) => workload.resourceId === undefined);
  return [
    `resources (${snapshot.resources.length})`,
    ...snapshot.resources.flatMap((resource) => {
      const members = Object.keys(resource.members ?? {}).sort();
      return [
        `  ${resource.resourceId.padEnd(44)} ${resource.tenantId} on ${resource.poolId} ${usage(resource.used ?? {}, resource.capacity)}${
          resource.released ? '  (released)' : ''
        }`,
        ...(members.length > 0 ? [`    workloads (${members.length}): ${members.join(', ')}`] : []),
      ];
    }),
    `workloads (${snapshot.workloads.length}, ${pending.length} pending)`,
    ...snapshot.workloads
      .filter((workload) => workload.move)
      .map((workload) => `  ${workload.workloadId} moving ${workload.move?.from} → ${workload.move?.to}`),
    ...pending.map(
      (workload) => `  ${workload.workloadId} pending: ${workload.pendingReason ?? 'not placed yet'}`,
    ),
  ];
}

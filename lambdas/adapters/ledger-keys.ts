/**
 * The single-table key layout. Pools share one partition so that a Query lists every pool of the
 * ledger in one consistent read (there are tens to hundreds, not millions); a tenant's quota,
 * resources and workloads share the tenant's; requests and allocations have partitions of their own.
 */
export const ledgerKeys = {
  pool: (poolId: string) => ({ pk: 'POOL', sk: poolId }),
  quota: (tenantId: string) => ({ pk: tenantPartition(tenantId), sk: 'QUOTA' }),
  request: (requestId: string) => ({ pk: `REQUEST#${requestId}`, sk: 'REQUEST' }),
  allocation: (allocationId: string) => ({ pk: `ALLOCATION#${allocationId}`, sk: 'ALLOCATION' }),
  /** A tenant's resources and workloads share its partition: one Query reads all a plan needs. */
  resource: (tenantId: string, resourceId: string) => ({
    pk: tenantPartition(tenantId),
    sk: `RESOURCE#${resourceId}`,
  }),
  workload: (tenantId: string, workloadId: string) => ({
    pk: tenantPartition(tenantId),
    sk: `${WORKLOAD_PREFIX}${workloadId}`,
  }),
  workloadTenant: (tenantId: string) => ({ pk: WORKLOAD_TENANTS_PARTITION, sk: tenantId }),
  rollout: (rolloutId: string) => ({ pk: `ROLLOUT#${rolloutId}`, sk: 'ROLLOUT' }),
  /** One rollout per function alias: this item is its lock. */
  aliasLock: (functionName: string, alias: string) => ({ pk: `ALIAS#${functionName}#${alias}`, sk: 'LOCK' }),
  /** Which rollouts an alarm gates: one item per rollout under the alarm's partition. */
  alarmWatch: (alarmName: string, rolloutId: string) => ({ pk: alarmPartition(alarmName), sk: rolloutId }),
} as const;

/** The sort keys of a tenant's workloads start so. */
export const WORKLOAD_PREFIX = 'WORKLOAD#';

/** A tenant's partition: its quota, resources and workloads. */
export function tenantPartition(tenantId: string): string {
  return `TENANT#${tenantId}`;
}

export function alarmPartition(alarmName: string): string {
  return `ALARM#${alarmName}`;
}

/** The tenants that have workloads, so that a rebalance or a pool change can reach them all. */
export const WORKLOAD_TENANTS_PARTITION = 'WORKLOAD_TENANTS';

export const POOL_PARTITION = 'POOL';

/**
 * The ledger table's shape, declared once for the CDK table and the embedded runtime's dynalite:
 * string keys `pk`/`sk`, and a sparse index of leased allocations by expiry (an allocation leaves
 * it once its release is closed, so the lease sweep also finishes releases left half-way).
 */
export const ledgerTableSchema = {
  partitionKey: 'pk',
  sortKey: 'sk',
  leaseIndex: { indexName: 'leases', partitionKey: 'leaseBucket', sortKey: 'expiresAt' },
} as const;

/** The one value of `leaseBucket`: every leased allocation whose release is not closed is in the index. */
export const LEASE_BUCKET = 'LEASE';

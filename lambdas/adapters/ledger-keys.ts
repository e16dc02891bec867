/**
 * The single-table key layout. Pools share one partition so that a Query lists every pool of the
 * ledger in one consistent read (there are tens to hundreds, not millions); everything else has
 * a partition of its own.
 */
export const ledgerKeys = {
  pool: (poolId: string) => ({ pk: 'POOL', sk: poolId }),
  quota: (tenantId: string) => ({ pk: `TENANT#${tenantId}`, sk: 'QUOTA' }),
  request: (requestId: string) => ({ pk: `REQUEST#${requestId}`, sk: 'REQUEST' }),
  allocation: (allocationId: string) => ({ pk: `ALLOCATION#${allocationId}`, sk: 'ALLOCATION' }),
} as const;

export const POOL_PARTITION = 'POOL';

/**
 * The ledger table's shape, declared once for the CDK table and the embedded runtime's dynalite:
 * string keys `pk`/`sk`, and a sparse index of leased allocations by expiry (an allocation leaves
 * it when released).
 */
export const ledgerTableSchema = {
  partitionKey: 'pk',
  sortKey: 'sk',
  leaseIndex: { indexName: 'leases', partitionKey: 'leaseBucket', sortKey: 'expiresAt' },
} as const;

/** The one value of `leaseBucket`: every leased, unreleased allocation is in the index. */
export const LEASE_BUCKET = 'LEASE';

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

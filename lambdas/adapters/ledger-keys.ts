/** The single-table key layout: one partition per pool, tenant, allocation… */
export const ledgerKeys = {
  pool: (poolId: string) => ({ pk: `POOL#${poolId}`, sk: 'POOL' }),
  quota: (tenantId: string) => ({ pk: `TENANT#${tenantId}`, sk: 'QUOTA' }),
} as const;

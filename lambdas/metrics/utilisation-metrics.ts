/**
 * Pool and quota utilisation after a change: the share of each dimension's capacity (or limit) in
 * use, as the ledger holds it once the change is written — its answer to the change's own writes,
 * or read back — so the figure is the ledger's own.
 */
import type { CapacityHolders } from '../core/allocation/allocation-ledger';
import type { Amounts } from '../core/allocation/amounts';
import type { PoolView, QuotaView } from '../core/allocation/choose-pool';
import { batonMetrics, type MetricRecord, metricRecord } from './metric-catalogue';

/** What a change touched: a pool (found among those of its kind) and a tenant's quota. */
export interface ChangedCapacity {
  readonly kind: string;
  readonly poolId: string;
  readonly tenantId: string;
}

export async function utilisationAfterChange(
  holders: Pick<CapacityHolders, 'poolsOfKind' | 'quota'>,
  changed: ChangedCapacity,
): Promise<MetricRecord[]> {
  const [pools, quota] = await Promise.all([
    holders.poolsOfKind(changed.kind),
    holders.quota(changed.tenantId),
  ]);
  return utilisationOf(
    pools.find((candidate) => candidate.poolId === changed.poolId),
    quota,
  );
}

/** The utilisation records of a pool and a quota as the ledger holds them. */
export function utilisationOf(
  pool: Pick<PoolView, 'poolId' | 'used' | 'capacity'> | undefined,
  quota: Pick<QuotaView, 'tenantId' | 'used' | 'limits'> | undefined,
): MetricRecord[] {
  return [
    ...(pool
      ? shares(pool.used, pool.capacity).map(([dimension, percent]) =>
          metricRecord(batonMetrics.poolUtilisation, { poolId: pool.poolId, dimension }, percent),
        )
      : []),
    ...(quota
      ? shares(quota.used, quota.limits).map(([dimension, percent]) =>
          metricRecord(batonMetrics.quotaUtilisation, { tenantId: quota.tenantId, dimension }, percent),
        )
      : []),
  ];
}

/** Percent of each dimension of `of` in use; a dimension of capacity 0 has no share to give. */
function shares(used: Amounts, of: Amounts): [string, number][] {
  return Object.entries(of)
    .filter(([, total]) => total > 0)
    .map(([dimension, total]) => [dimension, ((used[dimension] ?? 0) / total) * 100]);
}

/**
 * The ledger's invariant, checked: every pool's and tenant's recorded usage equals the sum of
 * the allocations that hold capacity (RESERVED or ACTIVE). Anything else is drift — a saga that
 * could not compensate, or a hand edit — and `baton audit` reports it.
 */

import type { Allocation } from './allocation';
import { type Amounts, amountOf } from './amounts';

export interface LedgerSnapshot {
  readonly pools: readonly { poolId: string; capacity: Amounts; used: Amounts; state: string }[];
  readonly quotas: readonly { tenantId: string; limits: Amounts; used: Amounts }[];
  readonly allocations: readonly Allocation[];
}

export interface Drift {
  readonly holder: `pool ${string}` | `tenant ${string}`;
  readonly dimension: string;
  readonly recorded: number;
  readonly allocated: number;
}

export function auditLedger(snapshot: LedgerSnapshot): Drift[] {
  const holding = snapshot.allocations.filter((a) => a.status === 'RESERVED' || a.status === 'ACTIVE');
  const byPool = sumBy(holding, (a) => a.poolId);
  const byTenant = sumBy(holding, (a) => a.tenantId);
  return [
    ...snapshot.pools.flatMap((pool) =>
      compare(`pool ${pool.poolId}`, pool.used, byPool.get(pool.poolId) ?? {}),
    ),
    ...snapshot.quotas.flatMap((quota) =>
      compare(`tenant ${quota.tenantId}`, quota.used, byTenant.get(quota.tenantId) ?? {}),
    ),
  ];
}

function sumBy(
  allocations: readonly Allocation[],
  key: (a: Allocation) => string,
): Map<string, Record<string, number>> {
  const sums = new Map<string, Record<string, number>>();
  for (const allocation of allocations) {
    const sum = sums.get(key(allocation)) ?? {};
    for (const [dimension, value] of Object.entries(allocation.amount))
      sum[dimension] = (sum[dimension] ?? 0) + value;
    sums.set(key(allocation), sum);
  }
  return sums;
}

/** Usage values are sums of floats: equal within a millionth. */
function compare(holder: Drift['holder'], recorded: Amounts, allocated: Amounts): Drift[] {
  const dimensions = new Set([...Object.keys(recorded), ...Object.keys(allocated)]);
  return [...dimensions]
    .filter((d) => Math.abs(amountOf(recorded, d) - amountOf(allocated, d)) > 1e-6)
    .map((dimension) => ({
      holder,
      dimension,
      recorded: amountOf(recorded, dimension),
      allocated: amountOf(allocated, dimension),
    }));
}

/**
 * The ledger's invariant, checked: every pool's and tenant's recorded usage equals the sum of the
 * allocations whose capacity it has not given back — RESERVED and ACTIVE ones, and RELEASING ones
 * it holds no return marker for. Holds and markers left behind by a crash change nothing here: a
 * hold is on an allocation counted anyway, a marker on one counted no more. Anything else is drift
 * — a saga that could not compensate, or a hand edit — and `baton audit` reports it.
 */

import type { Allocation } from './allocation';
import { type Amounts, amountOf, inThousandths, sumInThousandths } from './amounts';

/** A pool or quota item: `returns` marks the allocations whose release gave its share back. */
interface Holder {
  readonly used: Amounts;
  readonly returns?: Readonly<Record<string, unknown>> | undefined;
}

export interface LedgerSnapshot {
  readonly pools: readonly (Holder & { poolId: string; capacity: Amounts; state: string })[];
  readonly quotas: readonly (Holder & { tenantId: string; limits: Amounts })[];
  readonly allocations: readonly Allocation[];
}

export interface Drift {
  readonly holder: `pool ${string}` | `tenant ${string}`;
  readonly dimension: string;
  readonly recorded: number;
  readonly allocated: number;
}

export function auditLedger(snapshot: LedgerSnapshot): Drift[] {
  const byPool = groupBy(snapshot.allocations, (a) => a.poolId);
  const byTenant = groupBy(snapshot.allocations, (a) => a.tenantId);
  return [
    ...snapshot.pools.flatMap((pool) =>
      compare(`pool ${pool.poolId}`, pool.used, notReturned(pool, byPool.get(pool.poolId))),
    ),
    ...snapshot.quotas.flatMap((quota) =>
      compare(`tenant ${quota.tenantId}`, quota.used, notReturned(quota, byTenant.get(quota.tenantId))),
    ),
  ];
}

function groupBy(
  allocations: readonly Allocation[],
  key: (a: Allocation) => string,
): Map<string, Allocation[]> {
  const groups = new Map<string, Allocation[]>();
  for (const allocation of allocations) {
    const group = groups.get(key(allocation));
    if (group) group.push(allocation);
    else groups.set(key(allocation), [allocation]);
  }
  return groups;
}

/** What `holder` should still count: the sum of its allocations' amounts that it has not given back. */
function notReturned(holder: Holder, allocations: readonly Allocation[] = []): Map<string, number[]> {
  const byDimension = new Map<string, number[]>();
  for (const allocation of allocations) {
    const counted =
      allocation.status === 'RESERVED' ||
      allocation.status === 'ACTIVE' ||
      (allocation.status === 'RELEASING' && holder.returns?.[allocation.allocationId] === undefined);
    if (!counted) continue;
    for (const [dimension, value] of Object.entries(allocation.amount)) {
      byDimension.set(dimension, [...(byDimension.get(dimension) ?? []), value]);
    }
  }
  return byDimension;
}

/** Compared in whole thousandths, the unit of every amount: exact, whatever the magnitudes. */
function compare(holder: Drift['holder'], recorded: Amounts, allocated: Map<string, number[]>): Drift[] {
  const dimensions = new Set([...Object.keys(recorded), ...allocated.keys()]);
  return [...dimensions]
    .filter((d) => inThousandths(amountOf(recorded, d)) !== sumInThousandths(allocated.get(d) ?? []))
    .map((dimension) => ({
      holder,
      dimension,
      recorded: amountOf(recorded, dimension),
      allocated: sumInThousandths(allocated.get(dimension) ?? []) / 1000,
    }));
}

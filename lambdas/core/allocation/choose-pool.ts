/**
 * Where allocation decides: which pool takes a request, or why none can — a pure function of the
 * request, the pools of its kind and the tenant's quota, explained the way an operator reads it
 * ("0/6 pools: 3 label mismatch, 2 insufficient memoryGiB, 1 draining").
 */
import * as z from 'zod/mini';
import type { ResourceAllocationRequested } from '../events/allocation-events';
import { type placementStrategy, poolState } from '../events/primitives';
import { amountOf, dimensionsShort, storedAmounts, utilisationAfter } from './amounts';

export type PlacementStrategy = z.output<typeof placementStrategy>;
export type PoolState = z.output<typeof poolState>;

/** A pool as the ledger holds it (a missing map is an empty one). */
export const poolView = z.object({
  poolId: z.string(),
  kind: z.string(),
  labels: z._default(z.record(z.string(), z.string()), {}),
  capacity: z._default(storedAmounts, {}),
  used: z._default(storedAmounts, {}),
  state: poolState,
});
export type PoolView = Readonly<z.output<typeof poolView>>;

/** A tenant's quota as the ledger holds it (a missing map is an empty one). */
export const quotaView = z.object({
  tenantId: z.string(),
  limits: z._default(storedAmounts, {}),
  used: z._default(storedAmounts, {}),
});
export type QuotaView = Readonly<z.output<typeof quotaView>>;

/** What placement reads of a request (`ResourceAllocationRequested`). */
export type PlacementRequest = Pick<
  Readonly<z.output<typeof ResourceAllocationRequested.schema>>,
  'tenantId' | 'kind' | 'amount' | 'labels' | 'strategy'
>;

export const rejectionReason = z.enum(['QuotaExceeded', 'InsufficientCapacity', 'NoMatchingPool']);
export type RejectionReason = z.output<typeof rejectionReason>;

export type PoolChoice =
  | { readonly ok: true; readonly pool: PoolView }
  | { readonly ok: false; readonly reason: RejectionReason; readonly explanation: string };

/** Refusal reasons in the order they are checked, so each pool is counted once, under its first. */
type Refusal = 'label mismatch' | PoolState | `insufficient ${string}`;

export function choosePool(
  request: PlacementRequest,
  pools: readonly PoolView[],
  quota: QuotaView | undefined,
): PoolChoice {
  if (!quota) {
    return {
      ok: false,
      reason: 'QuotaExceeded',
      explanation: `tenant ${request.tenantId} has no quota: declare one with TenantQuotaChanged`,
    };
  }
  const overQuota = dimensionsShort(request.amount, quota.used, quota.limits);
  if (overQuota.length > 0) {
    const details = overQuota.map(
      (d) =>
        `${d} ${amountOf(quota.used, d)}/${amountOf(quota.limits, d)} used, ${amountOf(request.amount, d)} requested`,
    );
    return {
      ok: false,
      reason: 'QuotaExceeded',
      explanation: `quota of ${request.tenantId}: ${details.join('; ')}`,
    };
  }

  const candidates = pools.filter((pool) => pool.kind === request.kind);
  const refusals = new Map<Refusal, number>();
  const fitting: PoolView[] = [];
  for (const pool of candidates) {
    const refusal = refuse(pool, request);
    if (refusal) refusals.set(refusal, (refusals.get(refusal) ?? 0) + 1);
    else fitting.push(pool);
  }
  const best = pickByStrategy(fitting, request);
  if (best) return { ok: true, pool: best };

  const eligible =
    candidates.length -
    [...refusals].filter(([r]) => !r.startsWith('insufficient')).reduce((n, [, c]) => n + c, 0);
  const summary = [...refusals].map(([refusal, count]) => `${count} ${refusal}`).join(', ');
  return {
    ok: false,
    reason: eligible > 0 ? 'InsufficientCapacity' : 'NoMatchingPool',
    explanation:
      candidates.length === 0
        ? `0/0 pools: no pool of kind ${request.kind}`
        : `0/${candidates.length} pools of kind ${request.kind}: ${summary}`,
  };
}

function refuse(pool: PoolView, request: PlacementRequest): Refusal | undefined {
  const wanted = Object.entries(request.labels ?? {});
  if (wanted.some(([key, value]) => pool.labels[key] !== value)) return 'label mismatch';
  if (pool.state !== 'active') return pool.state;
  const [short] = dimensionsShort(request.amount, pool.used, pool.capacity);
  return short === undefined ? undefined : `insufficient ${short}`;
}

/** `binpack`: the fullest pool after placement; `spread`: the emptiest. Ties go to the lowest poolId. */
function pickByStrategy(pools: readonly PoolView[], request: PlacementRequest): PoolView | undefined {
  const direction = (request.strategy ?? 'binpack') === 'binpack' ? -1 : 1;
  return [...pools].sort((a, b) => {
    const byUtilisation =
      direction *
      (utilisationAfter(request.amount, a.used, a.capacity) -
        utilisationAfter(request.amount, b.used, b.capacity));
    return byUtilisation !== 0 ? byUtilisation : a.poolId.localeCompare(b.poolId);
  })[0];
}

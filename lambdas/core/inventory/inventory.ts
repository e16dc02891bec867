/**
 * The inventory: resource pools (what capacity exists) and tenant quotas (how much each tenant
 * may hold). Upserts keep the usage that allocations recorded; only the declared parts change.
 */
import type * as z from 'zod/mini';
import type { ResourcePoolChanged, TenantQuotaChanged } from '../events/inventory-events';

export type PoolDeclaration = z.output<typeof ResourcePoolChanged.schema>;
export type QuotaDeclaration = z.output<typeof TenantQuotaChanged.schema>;
export type PoolState = PoolDeclaration['state'];
export type Amounts = Record<string, number>;

export interface Pool extends PoolDeclaration {
  /** Capacity held by live allocations, per dimension (absent dimension = 0). */
  readonly used: Amounts;
  readonly updatedAt: string;
}

export interface Quota extends QuotaDeclaration {
  readonly used: Amounts;
  readonly updatedAt: string;
}

export interface UpsertOutcome {
  /** True when the pool or quota did not exist before. */
  readonly created: boolean;
}

/** Where pools and quotas live; implemented on DynamoDB (dynalite locally). */
export interface InventoryStore {
  putPoolDeclaration(pool: PoolDeclaration, at: Date): Promise<UpsertOutcome>;
  putQuotaDeclaration(quota: QuotaDeclaration, at: Date): Promise<UpsertOutcome>;
  getPool(poolId: string): Promise<Pool | undefined>;
  getQuota(tenantId: string): Promise<Quota | undefined>;
}

/** Dimensions where usage exceeds capacity, e.g. after a pool was shrunk below what it holds. */
export function overcommittedDimensions(capacity: Amounts, used: Amounts): string[] {
  return Object.entries(used)
    .filter(([dimension, amount]) => amount > (capacity[dimension] ?? 0))
    .map(([dimension]) => dimension);
}

/**
 * The inventory: resource pools (what capacity exists) and tenant quotas (how much each tenant
 * may hold). Upserts keep the usage that allocations recorded; only the declared parts change.
 */
import type * as z from 'zod/mini';
import type { ResourcePoolChanged, TenantQuotaChanged } from '../events/inventory-events';

export type PoolDeclaration = z.output<typeof ResourcePoolChanged.schema>;
export type QuotaDeclaration = z.output<typeof TenantQuotaChanged.schema>;
export interface UpsertOutcome {
  /** True when the pool or quota did not exist before this declaration (or an earlier try of it). */
  readonly created: boolean;
}

/**
 * Where pools and quotas live; implemented on DynamoDB (dynalite locally). Each record also
 * carries `used` per dimension, which only allocations change: a declaration never resets it.
 */
export interface InventoryStore {
  /** `declarationId` names the declaration (an event, an execution): made again, it still reports what it created. */
  putPoolDeclaration(pool: PoolDeclaration, at: Date, declarationId: string): Promise<UpsertOutcome>;
  putQuotaDeclaration(quota: QuotaDeclaration, at: Date, declarationId: string): Promise<UpsertOutcome>;
}

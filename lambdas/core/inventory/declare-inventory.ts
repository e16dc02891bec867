import { type Fact, fact } from '../events/define-event';
import { ResourcePoolUpdated, TenantQuotaUpdated } from '../events/inventory-events';
import type { InventoryStore, PoolDeclaration, QuotaDeclaration } from './inventory';

/** Records a pool as declared (usage kept) and announces it. */
export async function declarePool(store: InventoryStore, pool: PoolDeclaration, now: Date): Promise<Fact[]> {
  const { created } = await store.putPoolDeclaration(pool, now);
  return [fact(ResourcePoolUpdated, { ...pool, created })];
}

/** Records a tenant quota as declared (usage kept) and announces it. */
export async function declareQuota(
  store: InventoryStore,
  quota: QuotaDeclaration,
  now: Date,
): Promise<Fact[]> {
  const { created } = await store.putQuotaDeclaration(quota, now);
  return [fact(TenantQuotaUpdated, { ...quota, created })];
}

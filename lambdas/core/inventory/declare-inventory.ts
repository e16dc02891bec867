import type { Fact } from '../ports';
import type { InventoryStore, PoolDeclaration, QuotaDeclaration } from './inventory';

/** Records a pool as declared (usage kept) and announces it. */
export async function declarePool(store: InventoryStore, pool: PoolDeclaration, now: Date): Promise<Fact[]> {
  const { created } = await store.putPoolDeclaration(pool, now);
  return [{ name: 'ResourcePoolUpdated', detail: { ...pool, created } }];
}

/** Records a tenant quota as declared (usage kept) and announces it. */
export async function declareQuota(
  store: InventoryStore,
  quota: QuotaDeclaration,
  now: Date,
): Promise<Fact[]> {
  const { created } = await store.putQuotaDeclaration(quota, now);
  return [{ name: 'TenantQuotaUpdated', detail: { ...quota, created } }];
}

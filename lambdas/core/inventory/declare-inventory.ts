import { type Fact, fact } from '../events/define-event';
import { ResourcePoolUpdated, TenantQuotaUpdated } from '../events/inventory-events';
import type { InventoryStore, PoolDeclaration, QuotaDeclaration } from './inventory';
import type { InventoryDeclaration } from './inventory-declaration';

/** What one declaration did: whether it created the pool or quota, and the fact announcing it. */
export interface Declared {
  readonly created: boolean;
  readonly fact: Fact;
}

/** Records a pool as declared (usage kept) and announces it. */
export async function declarePool(
  store: InventoryStore,
  pool: PoolDeclaration,
  now: Date,
  declarationId: string,
): Promise<Declared> {
  const { created } = await store.putPoolDeclaration(pool, now, declarationId);
  return { created, fact: fact(ResourcePoolUpdated, { ...pool, created }) };
}

/** Records a tenant quota as declared (usage kept) and announces it. */
export async function declareQuota(
  store: InventoryStore,
  quota: QuotaDeclaration,
  now: Date,
  declarationId: string,
): Promise<Declared> {
  const { created } = await store.putQuotaDeclaration(quota, now, declarationId);
  return { created, fact: fact(TenantQuotaUpdated, { ...quota, created }) };
}

export interface InventoryDeclared {
  readonly pools: { poolId: string; created: boolean }[];
  readonly quotas: { tenantId: string; created: boolean }[];
}

/** Records every pool and quota of a validated declaration; returns what it did and the facts to announce. */
export async function declareInventory(
  store: InventoryStore,
  declaration: InventoryDeclaration,
  now: Date,
  declarationId: string,
): Promise<{ summary: InventoryDeclared; facts: Fact[] }> {
  const summary: InventoryDeclared = { pools: [], quotas: [] };
  const facts: Fact[] = [];
  for (const pool of declaration.pools) {
    const declared = await declarePool(store, pool, now, declarationId);
    summary.pools.push({ poolId: pool.poolId, created: declared.created });
    facts.push(declared.fact);
  }
  for (const quota of declaration.quotas) {
    const declared = await declareQuota(store, quota, now, declarationId);
    summary.quotas.push({ tenantId: quota.tenantId, created: declared.created });
    facts.push(declared.fact);
  }
  return { summary, facts };
}

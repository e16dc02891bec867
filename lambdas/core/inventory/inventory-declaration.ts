/**
 * A bulk declaration of pools and quotas, as an operator starts `declare-inventory` from the
 * console. Each item has the schema of its event (`ResourcePoolChanged`, `TenantQuotaChanged`),
 * so the console and the bus accept exactly the same things.
 */
import * as z from 'zod/mini';
import { ResourcePoolChanged, TenantQuotaChanged } from '../events/inventory-events';

export const inventoryDeclaration = z
  .object({
    pools: z._default(z.array(ResourcePoolChanged.schema).check(z.maxLength(500)), []),
    quotas: z._default(z.array(TenantQuotaChanged.schema).check(z.maxLength(500)), []),
  })
  .check(
    z.refine((input) => input.pools.length + input.quotas.length > 0, 'declare at least one pool or quota'),
    z.refine((input) => unique(input.pools.map((pool) => pool.poolId)), 'each poolId may appear once'),
    z.refine((input) => unique(input.quotas.map((quota) => quota.tenantId)), 'each tenantId may appear once'),
  );

export type InventoryDeclaration = z.output<typeof inventoryDeclaration>;

function unique(values: readonly string[]): boolean {
  return new Set(values).size === values.length;
}

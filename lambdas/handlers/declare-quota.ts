/** Rule `TenantQuotaChanged` → upserts the quota → `TenantQuotaUpdated`. */

import { wireInventory } from '../adapters/runtime-wiring';
import { TenantQuotaChanged } from '../core/events/inventory-events';
import { declareQuota } from '../core/inventory/declare-inventory';
import { busEventHandler } from '../middleware/bus-event-handler';

const { inventory, publisher } = wireInventory();

export const handler = busEventHandler({
  accepts: [TenantQuotaChanged],
  publisher,
  handle: async (quota) => [(await declareQuota(inventory, quota, new Date())).fact],
});

/** Rule `TenantQuotaChanged` → upserts the quota → `TenantQuotaUpdated`. */

import { wireInventory } from '../adapters/runtime-wiring';
import { TenantQuotaChanged } from '../core/events/inventory-events';
import { declareQuota } from '../core/inventory/declare-inventory';
import { busEventHandler } from '../middleware/bus-event-handler';

const { inventory, publisher } = wireInventory();

export const handler = busEventHandler({
  accepts: [TenantQuotaChanged],
  publisher,
  // The event's id names the declaration: a redelivery reports what the first delivery created.
  handle: async (quota, event) => [(await declareQuota(inventory, quota, new Date(), event.id)).fact],
});

/** Rule `ResourcePoolChanged` → upserts the pool → `ResourcePoolUpdated`. */

import { wireInventory } from '../adapters/runtime-wiring';
import { ResourcePoolChanged } from '../core/events/inventory-events';
import { declarePool } from '../core/inventory/declare-inventory';
import { busEventHandler } from '../middleware/bus-event-handler';

const { inventory, publisher } = wireInventory();

export const handler = busEventHandler({
  accepts: [ResourcePoolChanged],
  publisher,
  handle: async (pool) => [(await declarePool(inventory, pool, new Date())).fact],
});

/** Rule `ResourcePoolChanged` → upserts the pool → `ResourcePoolUpdated`. */

import { wireInventory } from '../adapters/runtime-wiring';
import { ResourcePoolChanged } from '../core/events/inventory-events';
import { declarePool } from '../core/inventory/declare-inventory';
import { busEventHandler } from '../middleware/bus-event-handler';

const { inventory, publisher } = wireInventory();

export const handler = busEventHandler({
  accepts: [ResourcePoolChanged],
  publisher,
  // The event's id names the declaration: a redelivery reports what the first delivery created.
  handle: async (pool, event) => [(await declarePool(inventory, pool, new Date(), event.id)).fact],
});

/**
 * Task of the `declare-inventory` workflow: validates a bulk declaration (throwing the named
 * error `InvalidRequest`, with nothing written), upserts every pool and quota, announces them.
 */
import { wireStoreAndBus } from '../adapters/runtime-wiring';
import { declareInventory, type InventoryDeclared } from '../core/inventory/declare-inventory';
import { parseInventoryDeclaration } from '../core/inventory/inventory-declaration';
import { batonHandler } from '../middleware/baton-handler';

const { inventory, publisher } = wireStoreAndBus();

export const handler = batonHandler<unknown, InventoryDeclared>(async (input) => {
  const declaration = parseInventoryDeclaration(input);
  const { summary, facts } = await declareInventory(inventory, declaration, new Date());
  await publisher.publish(facts);
  return summary;
});

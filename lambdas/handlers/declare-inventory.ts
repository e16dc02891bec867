/**
 * Task of the `declare-inventory` workflow: a validated bulk declaration (else `InvalidRequest`,
 * nothing written) → every pool and quota upserted → each announced.
 */
import { wireInventory } from '../adapters/runtime-wiring';
import { declareInventory } from '../core/inventory/declare-inventory';
import { inventoryDeclaration } from '../core/inventory/inventory-declaration';
import { workflowTaskHandler } from '../middleware/workflow-task-handler';

const { inventory, publisher } = wireInventory();

export const handler = workflowTaskHandler({
  input: inventoryDeclaration,
  handle: async (declaration) => {
    const { summary, facts } = await declareInventory(inventory, declaration, new Date());
    await publisher.publish(facts);
    return summary;
  },
});

/**
 * Task of the `declare-inventory` workflow: a validated bulk declaration (else `InvalidRequest`,
 * nothing written) → every pool and quota upserted → each announced.
 */
import * as z from 'zod/mini';
import { wireInventory } from '../adapters/runtime-wiring';
import { declareInventory } from '../core/inventory/declare-inventory';
import { inventoryDeclaration } from '../core/inventory/inventory-declaration';
import { workflowTaskHandler } from '../middleware/workflow-task-handler';

const { inventory, publisher } = wireInventory();

export const handler = workflowTaskHandler({
  // The execution names the declaration: a retried task reports what its first try created.
  input: z.object({ declaration: inventoryDeclaration, executionId: z.string() }),
  handle: async ({ declaration, executionId }) => {
    const { summary, facts } = await declareInventory(inventory, declaration, new Date(), executionId);
    await publisher.publish(facts);
    return summary;
  },
});

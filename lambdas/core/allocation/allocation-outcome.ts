/**
 * An allocation as `allocate-resources` hands it from task to task (the ALLOCATED outcome),
 * checked where a task receives it; the type `AllocatedOutcome` is this schema's.
 */
import * as z from 'zod/mini';
import { identifier, positiveAmounts } from '../events/primitives';

export const allocatedOutcome = z.object({
  status: z.literal('ALLOCATED'),
  allocationId: identifier,
  requestId: identifier,
  tenantId: identifier,
  poolId: identifier,
  kind: identifier,
  amount: positiveAmounts,
  expiresAt: z.optional(z.string()),
  /** True while a callback provisioner still has to make the capacity real. */
  provisioning: z.boolean(),
});

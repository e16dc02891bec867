/** Pools and quotas: what capacity exists and how much each tenant may hold. */
import * as z from 'zod/mini';
import { defineEvent } from './define-event';
import { identifier, labels, nonNegativeAmounts, poolState } from './primitives';

export const ResourcePoolChanged = defineEvent(
  'ResourcePoolChanged',
  'request',
  z.object({
    poolId: identifier,
    kind: identifier,
    labels: z._default(labels, {}),
    capacity: nonNegativeAmounts,
    state: poolState,
  }),
  'Creates or updates a resource pool: its kind, labels, capacity per dimension and state.',
  {
    poolId: 'eu-west-1-compute-a',
    kind: 'compute',
    labels: { region: 'eu-west-1', tier: 'standard' },
    capacity: { vcpu: 256, memoryGiB: 1024 },
    state: 'active',
  },
);

export const TenantQuotaChanged = defineEvent(
  'TenantQuotaChanged',
  'request',
  z.object({ tenantId: identifier, limits: nonNegativeAmounts }),
  "Creates or updates a tenant's quota: the most it may hold at once, per dimension.",
  { tenantId: 'acme', limits: { vcpu: 64, memoryGiB: 256 } },
);

export const ResourcePoolUpdated = defineEvent(
  'ResourcePoolUpdated',
  'fact',
  z.object({
    poolId: identifier,
    kind: identifier,
    labels,
    capacity: nonNegativeAmounts,
    state: poolState,
    created: z.boolean(),
  }),
  'A pool was created or changed as requested.',
  {
    poolId: 'eu-west-1-compute-a',
    kind: 'compute',
    labels: { region: 'eu-west-1' },
    capacity: { vcpu: 256, memoryGiB: 1024 },
    state: 'active',
    created: true,
  },
);

export const TenantQuotaUpdated = defineEvent(
  'TenantQuotaUpdated',
  'fact',
  z.object({ tenantId: identifier, limits: nonNegativeAmounts, created: z.boolean() }),
  "A tenant's quota was created or changed as requested.",
  { tenantId: 'acme', limits: { vcpu: 64, memoryGiB: 256 }, created: false },
);

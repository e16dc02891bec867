/** Resource orchestration: allocating and releasing capacity on leases. */
import * as z from 'zod/mini';
import { defineEvent } from './define-event';
import {
  attributes,
  identifier,
  labels,
  leaseSeconds,
  placementStrategy,
  positiveAmounts,
  taskToken,
  timestamp,
} from './primitives';

const allocationReason = z.enum([
  'QuotaExceeded',
  'InsufficientCapacity',
  'NoMatchingPool',
  'InvalidRequest',
  // The execution deciding the request ended before deciding it; nothing is held.
  'RequestAbandoned',
]);

export const ResourceAllocationRequested = defineEvent(
  'ResourceAllocationRequested',
  'request',
  z.object({
    requestId: identifier,
    tenantId: identifier,
    kind: identifier,
    amount: positiveAmounts,
    labels: z.optional(labels),
    leaseSeconds: z.optional(leaseSeconds),
    provisioner: z.optional(z.enum(['none', 'callback'])),
    strategy: z.optional(placementStrategy),
  }),
  'Asks for capacity of a kind for a tenant, optionally from pools with given labels and for a lease.',
  {
    requestId: 'req-0001',
    tenantId: 'acme',
    kind: 'compute',
    amount: { vcpu: 8, memoryGiB: 32 },
    labels: { region: 'eu-west-1' },
    leaseSeconds: 86400,
    provisioner: 'none',
  },
);

export const ResourceReleaseRequested = defineEvent(
  'ResourceReleaseRequested',
  'request',
  z.object({ allocationId: identifier }),
  'Returns the capacity of an allocation to its pool and its tenant.',
  { allocationId: 'alloc-0001' },
);

export const ResourceProvisionCompleted = defineEvent(
  'ResourceProvisionCompleted',
  'request',
  z.object({ taskToken, ok: z.boolean(), attributes: z.optional(attributes) }),
  'Answers a ResourceProvisionRequested: resumes the waiting allocation.',
  { taskToken: 'AQCEAAAAKgAAAAMAAAAA…', ok: true, attributes: { instanceId: 'i-0abc' } },
);

export const ResourceAllocated = defineEvent(
  'ResourceAllocated',
  'fact',
  z.object({
    allocationId: identifier,
    requestId: identifier,
    tenantId: identifier,
    poolId: identifier,
    amount: positiveAmounts,
    expiresAt: z.optional(timestamp),
    attributes: z.optional(attributes),
  }),
  'Capacity was reserved (and provisioned) for a tenant.',
  {
    allocationId: 'alloc-0001',
    requestId: 'req-0001',
    tenantId: 'acme',
    poolId: 'eu-west-1-compute-a',
    amount: { vcpu: 8, memoryGiB: 32 },
    expiresAt: '2026-11-29T00:00:00Z',
  },
);

export const ResourceAllocationRejected = defineEvent(
  'ResourceAllocationRejected',
  'fact',
  z.object({
    requestId: identifier,
    tenantId: z.optional(identifier),
    reason: allocationReason,
    explanation: z.string(),
  }),
  'An allocation request was refused; `reason` says which rule refused it and `explanation` why. `RequestAbandoned`: the execution deciding it ended before it did (stopped, timed out, or the runtime died); nothing is held, and the request may be sent again.',
  {
    requestId: 'req-0002',
    tenantId: 'acme',
    reason: 'InsufficientCapacity',
    explanation: '0/6 pools: 3 label mismatch, 2 insufficient memoryGiB, 1 draining',
  },
);

export const ResourceProvisionRequested = defineEvent(
  'ResourceProvisionRequested',
  'fact',
  z.object({
    taskToken,
    allocationId: identifier,
    tenantId: identifier,
    poolId: identifier,
    kind: identifier,
    amount: positiveAmounts,
  }),
  'A provisioner must make reserved capacity real and answer with ResourceProvisionCompleted.',
  {
    taskToken: 'AQCEAAAAKgAAAAMAAAAA…',
    allocationId: 'alloc-0001',
    tenantId: 'acme',
    poolId: 'eu-west-1-compute-a',
    kind: 'compute',
    amount: { vcpu: 8, memoryGiB: 32 },
  },
);

export const ResourceReleased = defineEvent(
  'ResourceReleased',
  'fact',
  z.object({ allocationId: identifier, tenantId: identifier, poolId: identifier, amount: positiveAmounts }),
  'An allocation was released and its capacity returned.',
  { allocationId: 'alloc-0001', tenantId: 'acme', poolId: 'eu-west-1-compute-a', amount: { vcpu: 8 } },
);

export const ResourceLeaseExpired = defineEvent(
  'ResourceLeaseExpired',
  'fact',
  z.object({
    allocationId: identifier,
    tenantId: identifier,
    poolId: identifier,
    amount: positiveAmounts,
    expiredAt: timestamp,
  }),
  "An allocation's lease ran out and its capacity was returned.",
  {
    allocationId: 'alloc-0001',
    tenantId: 'acme',
    poolId: 'eu-west-1-compute-a',
    amount: { vcpu: 8 },
    expiredAt: '2026-11-29T00:00:00Z',
  },
);

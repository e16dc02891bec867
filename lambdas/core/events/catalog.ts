/**
 * Baton's public event contract v1: one schema per detail-type.
 *
 * Everything else is derived from this file: the rule patterns (`lib/topology/routes.ts`),
 * handler validation (`parseDetail`), the JSON Schema documents (`npm run catalog`) and the
 * EventBridge schema registry entries. Nothing else spells a detail-type.
 */
import * as z from 'zod/mini';
import {
  identifier,
  labels,
  nonNegativeAmounts,
  placementStrategy,
  positiveAmounts,
  taskToken,
  timestamp,
} from './primitives';

/** Baton's own source; facts carry it, requests must not (the bus policy enforces it in AWS). */
export const BATON_SOURCE = 'baton';

/** Who emits an event: other systems (`request`), Baton itself (`fact`) or AWS (`aws`). */
export type EventOrigin = 'request' | 'fact' | 'aws';

export interface EventDefinition<Schema extends z.ZodMiniType = z.ZodMiniType> {
  readonly detailType: string;
  readonly origin: EventOrigin;
  /** For `aws` events, the AWS source (e.g. `aws.cloudwatch`). */
  readonly awsSource?: string;
  readonly description: string;
  readonly schema: Schema;
  readonly example: z.input<Schema>;
}

function defineEvent<const DetailType extends string, Schema extends z.ZodMiniType>(
  detailType: DetailType,
  origin: EventOrigin,
  schema: Schema,
  description: string,
  example: z.input<Schema>,
  awsSource?: string,
): EventDefinition<Schema> & { readonly detailType: DetailType } {
  return { detailType, origin, schema, description, example, ...(awsSource ? { awsSource } : {}) };
}

const allocationReason = z.enum([
  'QuotaExceeded',
  'InsufficientCapacity',
  'NoMatchingPool',
  'InvalidRequest',
]);
const rolloutAction = z.enum(['pause', 'resume', 'promote', 'abort']);

export const events = {
  // ── Requests (in) ────────────────────────────────────────────────────────────
  ResourcePoolChanged: defineEvent(
    'ResourcePoolChanged',
    'request',
    z.object({
      poolId: identifier,
      kind: identifier,
      labels: z._default(labels, {}),
      capacity: nonNegativeAmounts,
      state: z.enum(['active', 'draining', 'disabled']),
    }),
    'Creates or updates a resource pool: its kind, labels, capacity per dimension and state.',
    {
      poolId: 'eu-west-1-compute-a',
      kind: 'compute',
      labels: { region: 'eu-west-1', tier: 'standard' },
      capacity: { vcpu: 256, memoryGiB: 1024 },
      state: 'active',
    },
  ),
  TenantQuotaChanged: defineEvent(
    'TenantQuotaChanged',
    'request',
    z.object({ tenantId: identifier, limits: nonNegativeAmounts }),
    "Creates or updates a tenant's quota: the most it may hold at once, per dimension.",
    { tenantId: 'acme', limits: { vcpu: 64, memoryGiB: 256 } },
  ),
  ResourceAllocationRequested: defineEvent(
    'ResourceAllocationRequested',
    'request',
    z.object({
      requestId: identifier,
      tenantId: identifier,
      kind: identifier,
      amount: positiveAmounts,
      labels: z.optional(labels),
      leaseSeconds: z.optional(z.int().check(z.positive())),
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
  ),
  ResourceReleaseRequested: defineEvent(
    'ResourceReleaseRequested',
    'request',
    z.object({ allocationId: identifier }),
    'Returns the capacity of an allocation to its pool and its tenant.',
    { allocationId: 'alloc-0001' },
  ),
  WorkloadSubmitted: defineEvent(
    'WorkloadSubmitted',
    'request',
    z.object({
      workloadId: identifier,
      tenantId: identifier,
      demand: positiveAmounts,
      constraints: z.optional(
        z.object({ labels: z.optional(labels), antiAffinityGroup: z.optional(identifier) }),
      ),
    }),
    'Asks Baton to place a workload on the resources allocated to its tenant.',
    {
      workloadId: 'wl-0001',
      tenantId: 'acme',
      demand: { vcpu: 2, memoryGiB: 4 },
      constraints: { labels: { region: 'eu-west-1' }, antiAffinityGroup: 'checkout' },
    },
  ),
  WorkloadRemoved: defineEvent(
    'WorkloadRemoved',
    'request',
    z.object({ workloadId: identifier, tenantId: identifier }),
    'Frees the room a workload held.',
    { workloadId: 'wl-0001', tenantId: 'acme' },
  ),
  WorkloadRebalanceRequested: defineEvent(
    'WorkloadRebalanceRequested',
    'request',
    z.object({
      scope: z.optional(z.object({ tenantId: z.optional(identifier), labels: z.optional(labels) })),
      strategy: z.optional(placementStrategy),
      maxMoves: z.optional(z.int().check(z.positive())),
      dryRun: z.optional(z.boolean()),
    }),
    'Asks for a global rebalance plan, applied in waves unless it is a dry run.',
    { strategy: 'spread', maxMoves: 50, dryRun: true },
  ),
  ResourceProvisionCompleted: defineEvent(
    'ResourceProvisionCompleted',
    'request',
    z.object({ taskToken, ok: z.boolean(), attributes: z.optional(z.record(z.string(), z.unknown())) }),
    'Answers a ResourceProvisionRequested: resumes the waiting allocation.',
    { taskToken: 'AQCEAAAAKgAAAAMAAAAA…', ok: true, attributes: { instanceId: 'i-0abc' } },
  ),
  WorkloadMoveCompleted: defineEvent(
    'WorkloadMoveCompleted',
    'request',
    z.object({ taskToken, workloadId: identifier, ok: z.boolean() }),
    'Answers a WorkloadMoveRequested: resumes the waiting wave.',
    { taskToken: 'AQCEAAAAKgAAAAMAAAAA…', workloadId: 'wl-0001', ok: true },
  ),
  ServiceRolloutRequested: defineEvent(
    'ServiceRolloutRequested',
    'request',
    z.object({
      rolloutId: identifier,
      functionName: z.string().check(z.minLength(1), z.maxLength(140)),
      alias: z.string().check(z.regex(/^(?!^[0-9]+$)[a-zA-Z0-9-_]{1,128}$/)),
      targetVersion: z.string().check(z.regex(/^[0-9]+$/)),
      strategy: z.string().check(z.minLength(1)),
      alarms: z.optional(z.array(z.string().check(z.minLength(1)))),
    }),
    'Asks for a progressive rollout of a published Lambda version behind an alias.',
    {
      rolloutId: 'checkout-42',
      functionName: 'checkout',
      alias: 'live',
      targetVersion: '42',
      strategy: 'canary:10:300',
      alarms: ['checkout-errors'],
    },
  ),
  ServiceRolloutControl: defineEvent(
    'ServiceRolloutControl',
    'request',
    z.object({ rolloutId: identifier, action: rolloutAction }),
    'Pauses, resumes, promotes or aborts a running rollout.',
    { rolloutId: 'checkout-42', action: 'pause' },
  ),
  CloudWatchAlarmStateChange: defineEvent(
    'CloudWatch Alarm State Change',
    'aws',
    z.looseObject({
      alarmName: z.string(),
      state: z.looseObject({
        value: z.enum(['OK', 'ALARM', 'INSUFFICIENT_DATA']),
        reason: z.optional(z.string()),
      }),
      previousState: z.optional(z.looseObject({ value: z.string() })),
    }),
    "AWS's own alarm state change event; gates rollouts.",
    {
      alarmName: 'checkout-errors',
      state: { value: 'ALARM', reason: 'Threshold Crossed' },
      previousState: { value: 'OK' },
    },
    'aws.cloudwatch',
  ),

  // ── Facts (out, source "baton") ──────────────────────────────────────────────
  ResourcePoolUpdated: defineEvent(
    'ResourcePoolUpdated',
    'fact',
    z.object({
      poolId: identifier,
      kind: identifier,
      labels,
      capacity: nonNegativeAmounts,
      state: z.enum(['active', 'draining', 'disabled']),
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
  ),
  TenantQuotaUpdated: defineEvent(
    'TenantQuotaUpdated',
    'fact',
    z.object({ tenantId: identifier, limits: nonNegativeAmounts, created: z.boolean() }),
    "A tenant's quota was created or changed as requested.",
    { tenantId: 'acme', limits: { vcpu: 64, memoryGiB: 256 }, created: false },
  ),
  ResourceAllocated: defineEvent(
    'ResourceAllocated',
    'fact',
    z.object({
      allocationId: identifier,
      requestId: identifier,
      tenantId: identifier,
      poolId: identifier,
      amount: positiveAmounts,
      expiresAt: z.optional(timestamp),
      attributes: z.optional(z.record(z.string(), z.unknown())),
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
  ),
  ResourceAllocationRejected: defineEvent(
    'ResourceAllocationRejected',
    'fact',
    z.object({
      requestId: identifier,
      tenantId: z.optional(identifier),
      reason: allocationReason,
      explanation: z.string(),
    }),
    'An allocation request was refused; `reason` says which rule refused it and `explanation` why.',
    {
      requestId: 'req-0002',
      tenantId: 'acme',
      reason: 'InsufficientCapacity',
      explanation: '0/6 pools: 3 label mismatch, 2 insufficient memoryGiB, 1 draining',
    },
  ),
  ResourceProvisionRequested: defineEvent(
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
  ),
  ResourceReleased: defineEvent(
    'ResourceReleased',
    'fact',
    z.object({ allocationId: identifier, tenantId: identifier, poolId: identifier, amount: positiveAmounts }),
    'An allocation was released and its capacity returned.',
    { allocationId: 'alloc-0001', tenantId: 'acme', poolId: 'eu-west-1-compute-a', amount: { vcpu: 8 } },
  ),
  ResourceLeaseExpired: defineEvent(
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
  ),
  WorkloadPlaced: defineEvent(
    'WorkloadPlaced',
    'fact',
    z.object({ workloadId: identifier, tenantId: identifier, resourceId: identifier }),
    'A workload was placed on a resource.',
    { workloadId: 'wl-0001', tenantId: 'acme', resourceId: 'alloc-0001' },
  ),
  WorkloadUnschedulable: defineEvent(
    'WorkloadUnschedulable',
    'fact',
    z.object({
      workloadId: identifier,
      tenantId: identifier,
      explanation: z.string(),
      reasons: z.record(z.string(), z.int()),
    }),
    'A workload could not be placed and stays pending; the explanation counts the reasons per resource.',
    {
      workloadId: 'wl-0002',
      tenantId: 'acme',
      explanation: '0/40 resources: 25 insufficient memoryGiB, 9 label mismatch, 6 anti-affinity',
      reasons: { 'insufficient memoryGiB': 25, 'label mismatch': 9, 'anti-affinity': 6 },
    },
  ),
  WorkloadMoveRequested: defineEvent(
    'WorkloadMoveRequested',
    'fact',
    z.object({ taskToken, workloadId: identifier, from: identifier, to: identifier, reason: z.string() }),
    'An agent must move a workload and answer with WorkloadMoveCompleted.',
    {
      taskToken: 'AQCEAAAAKgAAAAMAAAAA…',
      workloadId: 'wl-0001',
      from: 'alloc-0001',
      to: 'alloc-0002',
      reason: 'evacuate draining resource',
    },
  ),
  WorkloadsRebalanced: defineEvent(
    'WorkloadsRebalanced',
    'fact',
    z.object({
      dryRun: z.boolean(),
      moves: z.int().check(z.nonnegative()),
      failedMoves: z.int().check(z.nonnegative()),
      metrics: z.record(z.string(), z.number()),
    }),
    'A rebalance plan was applied (or previewed); its metrics before and after.',
    {
      dryRun: false,
      moves: 20,
      failedMoves: 0,
      metrics: { peakUtilisationBefore: 0.97, peakUtilisationAfter: 0.71 },
    },
  ),
  ServiceRolloutStarted: defineEvent(
    'ServiceRolloutStarted',
    'fact',
    z.object({
      rolloutId: identifier,
      functionName: z.string(),
      alias: z.string(),
      fromVersion: z.string(),
      toVersion: z.string(),
      strategy: z.string(),
    }),
    'A rollout began shifting alias traffic.',
    {
      rolloutId: 'checkout-42',
      functionName: 'checkout',
      alias: 'live',
      fromVersion: '41',
      toVersion: '42',
      strategy: 'canary:10:300',
    },
  ),
  ServiceRolloutStepCompleted: defineEvent(
    'ServiceRolloutStepCompleted',
    'fact',
    z.object({ rolloutId: identifier, step: z.int(), weight: z.number().check(z.gte(0), z.lte(1)) }),
    'A traffic step of a rollout passed its bake time with healthy gates.',
    { rolloutId: 'checkout-42', step: 1, weight: 0.1 },
  ),
  ServiceRolloutSucceeded: defineEvent(
    'ServiceRolloutSucceeded',
    'fact',
    z.object({ rolloutId: identifier, functionName: z.string(), alias: z.string(), toVersion: z.string() }),
    'All traffic of the alias now goes to the target version.',
    { rolloutId: 'checkout-42', functionName: 'checkout', alias: 'live', toVersion: '42' },
  ),
  ServiceRolloutRolledBack: defineEvent(
    'ServiceRolloutRolledBack',
    'fact',
    z.object({
      rolloutId: identifier,
      functionName: z.string(),
      alias: z.string(),
      fromVersion: z.string(),
      reason: z.string(),
      evidence: z.optional(z.record(z.string(), z.unknown())),
    }),
    'A rollout was undone: the alias routes all traffic to the version it had before.',
    {
      rolloutId: 'checkout-42',
      functionName: 'checkout',
      alias: 'live',
      fromVersion: '41',
      reason: 'AlarmFired',
      evidence: { alarmName: 'checkout-errors' },
    },
  ),
  ServiceRolloutFailed: defineEvent(
    'ServiceRolloutFailed',
    'fact',
    z.object({ rolloutId: identifier, reason: z.string(), explanation: z.string() }),
    'A rollout could not complete or roll back cleanly and needs an operator.',
    { rolloutId: 'checkout-42', reason: 'AliasDrift', explanation: 'alias live was changed outside Baton' },
  ),
  RequestRejected: defineEvent(
    'RequestRejected',
    'fact',
    z.object({
      eventId: z.string(),
      detailType: z.string(),
      source: z.string(),
      errors: z.array(z.object({ path: z.string(), message: z.string() })),
    }),
    'A request event was refused before anything was written; `errors` say what to fix.',
    {
      eventId: '6a7e8feb-b491-4cf7-a9f1-bf3703467718',
      detailType: 'ResourcePoolChanged',
      source: 'acme.inventory',
      errors: [{ path: 'capacity.vcpu', message: 'Too small: expected number to be >=0' }],
    },
  ),
} as const;

export type EventName = keyof typeof events;
export type EventDetail<Name extends EventName> = z.output<(typeof events)[Name]['schema']>;
export type AnyEventDefinition = (typeof events)[EventName];

/** The definition for a detail-type string as it arrives on the bus, if Baton knows it. */
export function findEventByDetailType(detailType: string): AnyEventDefinition | undefined {
  return Object.values(events).find((event) => event.detailType === detailType);
}

/** Workload orchestration: placing workloads and rebalancing them. */
import * as z from 'zod/mini';
import { defineEvent } from './define-event';
import { identifier, labels, placementStrategy, positiveAmounts, taskToken } from './primitives';

export const WorkloadSubmitted = defineEvent(
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
);

export const WorkloadRemoved = defineEvent(
  'WorkloadRemoved',
  'request',
  z.object({ workloadId: identifier, tenantId: identifier }),
  'Frees the room a workload held.',
  { workloadId: 'wl-0001', tenantId: 'acme' },
);

/**
 * The most moves one rebalance may plan (not exported: the catalog is every export here). The
 * plan and its outcomes travel in the workflow's state, limited to 256 KB: a move with real ids
 * takes about 300 bytes there, its outcome as much again.
 */
const MAX_REBALANCE_MOVES = 200;

export const WorkloadRebalanceRequested = defineEvent(
  'WorkloadRebalanceRequested',
  'request',
  z.object({
    scope: z.optional(z.object({ tenantId: z.optional(identifier), labels: z.optional(labels) })),
    strategy: z.optional(placementStrategy),
    maxMoves: z.optional(z.int().check(z.positive(), z.maximum(MAX_REBALANCE_MOVES))),
    disruptionBudget: z.optional(z.int().check(z.positive(), z.maximum(MAX_REBALANCE_MOVES))),
    dryRun: z.optional(z.boolean()),
  }),
  'Asks for a global rebalance plan (default spread, 50 moves at most, 10 in flight at once), applied in waves unless it is a dry run.',
  { strategy: 'spread', maxMoves: 50, disruptionBudget: 10, dryRun: true },
);

export const WorkloadMoveCompleted = defineEvent(
  'WorkloadMoveCompleted',
  'request',
  z.object({ taskToken, workloadId: identifier, ok: z.boolean() }),
  'Answers a WorkloadMoveRequested: resumes the waiting wave.',
  { taskToken: 'AQCEAAAAKgAAAAMAAAAA…', workloadId: 'wl-0001', ok: true },
);

export const WorkloadPlaced = defineEvent(
  'WorkloadPlaced',
  'fact',
  z.object({ workloadId: identifier, tenantId: identifier, resourceId: identifier }),
  'A workload was placed on a resource.',
  { workloadId: 'wl-0001', tenantId: 'acme', resourceId: 'alloc-0001' },
);

export const WorkloadUnschedulable = defineEvent(
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
);

export const WorkloadMoveRequested = defineEvent(
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
);

export const WorkloadsRebalanced = defineEvent(
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
);

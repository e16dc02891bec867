/** The workload planner by example: placement and its explanations, rebalance phases, waves, moves applied. */
import { describe, expect, it } from 'vitest';
import { applyMoves } from '../../lambdas/core/workloads/apply-moves';
import type { Cluster, ResourceView, WorkloadView } from '../../lambdas/core/workloads/cluster';
import { planMoveWaves } from '../../lambdas/core/workloads/move-waves';
import { placeWorkloads } from '../../lambdas/core/workloads/place-workloads';
import { planRebalance, type RebalanceOptions } from '../../lambdas/core/workloads/plan-rebalance';

const resource = (
  resourceId: string,
  capacity: Record<string, number>,
  extra: Partial<ResourceView> = {},
): ResourceView => ({ resourceId, capacity, labels: {}, state: 'active', ...extra });

const workload = (
  workloadId: string,
  demand: Record<string, number>,
  extra: Partial<WorkloadView> = {},
): WorkloadView => ({ workloadId, demand, ...extra });

const spread: RebalanceOptions = { strategy: 'spread', maxMoves: 100, disruptionBudget: 10 };

describe('placeWorkloads', () => {
  it('explains an unschedulable workload by every resource’s first refusal, most frequent first', () => {
    const zoneA = { labels: { zone: 'a' } };
    const cluster: Cluster = {
      resources: [
        resource('r-1', { vcpu: 8, memoryGiB: 32 }, { state: 'draining', labels: { zone: 'b' } }),
        resource('r-2', { vcpu: 8, memoryGiB: 32 }, { state: 'released' }),
        resource('r-3', { vcpu: 8, memoryGiB: 32 }, { labels: { zone: 'b' } }),
        resource('r-4', { vcpu: 8, memoryGiB: 32 }, zoneA),
        resource('r-5', { vcpu: 8, memoryGiB: 4 }, zoneA),
        resource('r-6', { vcpu: 8, memoryGiB: 2 }, zoneA),
        resource('r-7', { vcpu: 1, memoryGiB: 2 }, zoneA),
        resource('r-8', { vcpu: 1, memoryGiB: 32 }, zoneA),
        resource('r-9', { vcpu: 1, memoryGiB: 1 }, zoneA),
      ],
      workloads: [
        workload('w-0', { vcpu: 1 }, { resourceId: 'r-4', constraints: { antiAffinityGroup: 'db' } }),
      ],
    };
    const pending = workload(
      'w-1',
      { vcpu: 2, memoryGiB: 8 },
      { constraints: { labels: { zone: 'a' }, antiAffinityGroup: 'db' } },
    );

    const { placements, unschedulable } = placeWorkloads(cluster, [pending], 'spread');

    expect(placements).toEqual([]);
    expect(unschedulable).toEqual([
      {
        workloadId: 'w-1',
        explanation:
          '0/9 resources: 3 insufficient vcpu, 2 insufficient memoryGiB, 1 anti-affinity, 1 draining, 1 label mismatch, 1 released',
        reasons: {
          'insufficient vcpu': 3,
          'insufficient memoryGiB': 2,
          'anti-affinity': 1,
          draining: 1,
          'label mismatch': 1,
          released: 1,
        },
      },
    ]);
  });

  it('counts a resource lacking a dimension as having none of it', () => {
    const cluster: Cluster = { resources: [resource('r-1', { vcpu: 8 })], workloads: [] };
    const { unschedulable } = placeWorkloads(cluster, [workload('w-1', { vcpu: 1, gpu: 1 })], 'binpack');
    expect(unschedulable[0]?.reasons).toEqual({ 'insufficient gpu': 1 });
  });

  it('says so when the demand is larger than any resource', () => {
    const cluster: Cluster = {
      resources: [resource('r-1', { vcpu: 8, memoryGiB: 32 }), resource('r-2', { vcpu: 16, memoryGiB: 64 })],
      workloads: [],
    };
    const { unschedulable } = placeWorkloads(
      cluster,
      [workload('w-1', { vcpu: 32, memoryGiB: 8 })],
      'spread',
    );
    expect(unschedulable[0]?.explanation).toBe(
      '0/2 resources: 2 insufficient vcpu; no active resource is large enough for its demand',
    );
  });

  it('explains a cluster with no resources', () => {
    const { unschedulable } = placeWorkloads(
      { resources: [], workloads: [] },
      [workload('w-1', { vcpu: 1 })],
      'spread',
    );
    expect(unschedulable).toEqual([
      { workloadId: 'w-1', explanation: '0/0 resources: tenant has no resources', reasons: {} },
    ]);
  });

  it('spreads onto the emptiest resource and bin-packs onto the fullest that fits', () => {
    const cluster: Cluster = {
      resources: [resource('r-1', { vcpu: 8 }), resource('r-2', { vcpu: 8 }), resource('r-3', { vcpu: 8 })],
      workloads: [
        workload('w-1', { vcpu: 6 }, { resourceId: 'r-1' }),
        workload('w-2', { vcpu: 2 }, { resourceId: 'r-2' }),
      ],
    };
    const pending = [workload('w-3', { vcpu: 2 })];
    expect(placeWorkloads(cluster, pending, 'spread').placements).toEqual([
      { workloadId: 'w-3', resourceId: 'r-3' },
    ]);
    expect(placeWorkloads(cluster, pending, 'binpack').placements).toEqual([
      { workloadId: 'w-3', resourceId: 'r-1' },
    ]);
  });

  it('places the larger workloads first, each seeing the placements before it', () => {
    const cluster: Cluster = {
      resources: [resource('r-1', { vcpu: 8 }), resource('r-2', { vcpu: 8 })],
      workloads: [],
    };
    const pending = [
      workload('small', { vcpu: 2 }),
      workload('large', { vcpu: 6 }),
      workload('mid', { vcpu: 4 }),
    ];
    expect(placeWorkloads(cluster, pending, 'binpack').placements).toEqual([
      { workloadId: 'large', resourceId: 'r-1' },
      { workloadId: 'mid', resourceId: 'r-2' },
      { workloadId: 'small', resourceId: 'r-1' },
    ]);
  });

  it('bin-packs a batch onto the fewest resources by keeping each one’s contents balanced', () => {
    const cluster: Cluster = {
      resources: ['r-1', 'r-2', 'r-3'].map((id) => resource(id, { vcpu: 4, memoryGiB: 4 })),
      workloads: [],
    };
    const pending = [
      workload('a', { vcpu: 2, memoryGiB: 2 }),
      workload('b', { vcpu: 1, memoryGiB: 1 }),
      workload('c', { vcpu: 2, memoryGiB: 1 }),
      workload('d', { vcpu: 1, memoryGiB: 2 }),
      workload('e', { vcpu: 2, memoryGiB: 2 }),
    ];
    // Best fit, largest first, puts a, c on r-1, d and e on r-2, and b, which fits on neither, on r-3.
    const { placements } = placeWorkloads(cluster, pending, 'binpack');
    expect(new Set(placements.map((p) => p.resourceId))).toEqual(new Set(['r-1', 'r-2']));
    expect(placements).toHaveLength(5);
  });

  it('places a workload listed twice once', () => {
    const cluster: Cluster = { resources: [resource('r-1', { vcpu: 8 })], workloads: [] };
    const twice = [workload('w-1', { vcpu: 1 }), workload('w-1', { vcpu: 1 })];
    for (const strategy of ['spread', 'binpack'] as const) {
      expect(placeWorkloads(cluster, twice, strategy)).toEqual({
        placements: [{ workloadId: 'w-1', resourceId: 'r-1' }],
        unschedulable: [{ workloadId: 'w-1', explanation: 'already placed on r-1', reasons: {} }],
      });
    }
  });

  it('leaves a workload the cluster shows placed where it is', () => {
    const cluster: Cluster = {
      resources: [resource('r-1', { vcpu: 8 })],
      workloads: [workload('w-1', { vcpu: 1 }, { resourceId: 'r-1' })],
    };
    expect(placeWorkloads(cluster, [workload('w-1', { vcpu: 1 })], 'spread').unschedulable).toEqual([
      { workloadId: 'w-1', explanation: 'already placed on r-1', reasons: {} },
    ]);
  });
});

describe('planRebalance', () => {
  const drainingWith50: Cluster = {
    resources: [
      resource('r-0', { vcpu: 100 }, { state: 'draining' }),
      ...[1, 2, 3, 4, 5].map((i) => resource(`r-${i}`, { vcpu: 20 })),
    ],
    workloads: Array.from({ length: 50 }, (_, i) => workload(`w-${i}`, { vcpu: 1 }, { resourceId: 'r-0' })),
  };

  it('evacuates a draining resource first, no further than maxMoves', () => {
    const plan = planRebalance(drainingWith50, { ...spread, maxMoves: 20 });
    expect(plan.moves).toHaveLength(20);
    expect(
      plan.moves.every((move) => move.from === 'r-0' && move.reason === 'evacuate draining resource r-0'),
    ).toBe(true);
    expect(plan.truncated).toBe(true);
    expect(plan.metrics).toMatchObject({
      workloadsOnDrainingBefore: 50,
      workloadsOnDrainingAfter: 30,
      evacuations: 20,
    });
    expect(plan.explanation).toContain('maxMoves 20 leaves 30 more workloads on draining resources');
  });

  it('runs moves in waves no wider than the disruption budget', () => {
    const plan = planRebalance(drainingWith50, { ...spread, disruptionBudget: 7 });
    expect(plan.moves).toHaveLength(50);
    expect(plan.waves.map((wave) => wave.length)).toEqual([7, 7, 7, 7, 7, 7, 7, 1]);
    expect(plan.moves).toEqual(plan.waves.flat());
    expect(plan.truncated).toBe(false);
    expect(plan.metrics.workloadsOnDrainingAfter).toBe(0);
    expect(plan.explanation).toMatch(
      /^Spread rebalance: 50 moves in 8 waves of at most 7\. Evacuates 50 workloads from r-0\./,
    );
  });

  it('reports a workload that cannot be evacuated, and moves it nowhere', () => {
    const cluster: Cluster = {
      resources: [resource('r-1', { vcpu: 8 }, { state: 'draining' }), resource('r-2', { vcpu: 8 })],
      workloads: [
        workload('w-1', { vcpu: 1 }, { resourceId: 'r-1', constraints: { labels: { gpu: 'yes' } } }),
      ],
    };
    const plan = planRebalance(cluster, spread);
    expect(plan.moves).toEqual([]);
    expect(plan.metrics.unevacuable).toBe(1);
    expect(plan.explanation).toContain(
      '1 workload on draining resources cannot be evacuated: w-1 (0/2 resources: 1 draining, 1 label mismatch).',
    );
  });

  // r-1 at 0.52, r-2 and r-3 at 0.50: the best spreading reaches 0.51.
  const slightlySkewed: Cluster = {
    resources: [
      resource('r-1', { vcpu: 100 }),
      resource('r-2', { vcpu: 100 }),
      resource('r-3', { vcpu: 100 }),
    ],
    workloads: [
      workload('big-1', { vcpu: 50 }, { resourceId: 'r-1' }),
      workload('tiny-1', { vcpu: 1 }, { resourceId: 'r-1' }),
      workload('tiny-2', { vcpu: 1 }, { resourceId: 'r-1' }),
      workload('big-2', { vcpu: 50 }, { resourceId: 'r-2' }),
      workload('big-3', { vcpu: 50 }, { resourceId: 'r-3' }),
    ],
  };

  it('moves nothing for a gain below minGain, and says so', () => {
    const plan = planRebalance(slightlySkewed, spread);
    expect(plan.moves).toEqual([]);
    expect(plan.metrics.droppedByHysteresis).toBe(1);
    expect(plan.explanation).toBe(
      'Spread rebalance: no moves. Leaves the placement as it is: the best spreading found lowers peak utilisation only 0.52 → 0.51, less than minGain 0.05.',
    );
  });

  it('keeps only the moves that lower the peak when the gain is worth it', () => {
    const plan = planRebalance(slightlySkewed, { ...spread, minGain: 0.001 });
    expect(plan.moves).toEqual([
      { workloadId: 'tiny-1', from: 'r-1', to: 'r-2', reason: 'lower peak: r-1 0.52 → 0.51' },
    ]);
    expect(plan.metrics).toMatchObject({ peakUtilisationBefore: 0.52, peakUtilisationAfter: 0.51 });
  });

  it('levels the peak jointly where moving one workload at a time off the peak stalls', () => {
    // One at a time, w-1 goes first (the move with the lowest peak, 0.70), and then no single move lowers r-2.
    const cluster: Cluster = {
      resources: [resource('r-1', { vcpu: 10 }), resource('r-2', { vcpu: 10 })],
      workloads: [
        workload('w-1', { vcpu: 5 }, { resourceId: 'r-1' }),
        workload('w-2', { vcpu: 2 }, { resourceId: 'r-2' }),
        workload('w-3', { vcpu: 1 }, { resourceId: 'r-1' }),
        workload('w-4', { vcpu: 3 }, { resourceId: 'r-1' }),
        workload('w-5', { vcpu: 1 }, { resourceId: 'r-1' }),
      ],
    };
    const plan = planRebalance(cluster, { ...spread, minGain: 0 });
    expect(plan.moves).toEqual([
      { workloadId: 'w-4', from: 'r-1', to: 'r-2', reason: 'lower peak: r-1 1.00 → 0.70' },
      { workloadId: 'w-3', from: 'r-1', to: 'r-2', reason: 'lower peak: r-1 0.70 → 0.60' },
    ]);
    expect(plan.metrics).toMatchObject({ peakUtilisationBefore: 1, peakUtilisationAfter: 0.6 });
  });

  const hot: Cluster = {
    resources: [resource('r-1', { vcpu: 10 }), resource('r-2', { vcpu: 10 }), resource('r-3', { vcpu: 10 })],
    workloads: [
      workload('a', { vcpu: 4 }, { resourceId: 'r-1' }),
      workload('b', { vcpu: 4 }, { resourceId: 'r-1' }),
    ],
  };
  const now = 1_700_000_000_000;
  const aArrived = { workloadId: 'a', from: 'r-2', to: 'r-1', movedAt: now - 60_000 };

  it('does not move a workload again within the cooldown', () => {
    expect(planRebalance(hot, spread).moves).toEqual([
      { workloadId: 'a', from: 'r-1', to: 'r-2', reason: 'lower peak: r-1 0.80 → 0.40' },
    ]);
    const plan = planRebalance(hot, { ...spread, recentMoves: [aArrived], now });
    expect(plan.moves.map(({ workloadId, to }) => [workloadId, to])).toEqual([['b', 'r-2']]);
    const later = planRebalance(hot, { ...spread, recentMoves: [aArrived], now: now + 600_000 });
    expect(later.moves.map(({ workloadId }) => workloadId)).toEqual(['a']);
  });

  it('never sends a workload back to a resource it left within the cooldown, even to evacuate it', () => {
    const draining: Cluster = {
      ...hot,
      resources: hot.resources.map((r) => (r.resourceId === 'r-1' ? { ...r, state: 'draining' } : r)),
    };
    const plan = planRebalance(draining, { ...spread, recentMoves: [aArrived], now });
    expect(plan.moves.map(({ workloadId, to }) => [workloadId, to])).toEqual([
      ['a', 'r-3'],
      ['b', 'r-2'],
    ]);
  });

  it('moves no pinned workload, not even off a draining resource', () => {
    const pinned: Cluster = {
      resources: [resource('r-1', { vcpu: 10 }, { state: 'draining' }), resource('r-2', { vcpu: 10 })],
      workloads: [workload('a', { vcpu: 4 }, { resourceId: 'r-1', pinned: true })],
    };
    expect(planRebalance(pinned, spread).moves).toEqual([]);
    const hotPinned = { ...hot, workloads: hot.workloads.map((w) => ({ ...w, pinned: true })) };
    expect(planRebalance(hotPinned, spread).moves).toEqual([]);
  });

  it('bin-packs by emptying the least-filled resource when all its workloads fit elsewhere', () => {
    const cluster: Cluster = {
      resources: [
        resource('r-1', { vcpu: 10 }),
        resource('r-2', { vcpu: 10 }),
        resource('r-3', { vcpu: 10 }),
      ],
      workloads: [
        workload('w-1', { vcpu: 2 }, { resourceId: 'r-1' }),
        workload('w-2', { vcpu: 6 }, { resourceId: 'r-2' }),
        workload('w-3', { vcpu: 5 }, { resourceId: 'r-3' }),
      ],
    };
    const plan = planRebalance(cluster, { ...spread, strategy: 'binpack' });
    expect(plan.moves).toEqual([
      { workloadId: 'w-1', from: 'r-1', to: 'r-2', reason: 'consolidate: empty r-1' },
    ]);
    expect(plan.metrics).toMatchObject({ resourcesUsedBefore: 3, resourcesUsedAfter: 2, resourcesFreed: 1 });
    expect(plan.explanation).toBe(
      'Binpack rebalance: 1 move in 1 wave of at most 10. Frees 1 resource (r-1) with 1 move.',
    );
  });

  it('says when there is nothing to do', () => {
    const cluster: Cluster = { resources: [resource('r-1', { vcpu: 10 })], workloads: [] };
    expect(planRebalance(cluster, spread).explanation).toBe(
      'Spread rebalance: no moves. Peak utilisation 0.00 is as low as moving workloads makes it.',
    );
  });
});

describe('planMoveWaves', () => {
  it('leaves out a swap with no room to spare', () => {
    const cluster: Cluster = {
      resources: [resource('r-1', { vcpu: 4 }), resource('r-2', { vcpu: 4 })],
      workloads: [
        workload('a', { vcpu: 4 }, { resourceId: 'r-1' }),
        workload('b', { vcpu: 4 }, { resourceId: 'r-2' }),
      ],
    };
    const swap = [
      { workloadId: 'a', from: 'r-1', to: 'r-2', reason: 'swap' },
      { workloadId: 'b', from: 'r-2', to: 'r-1', reason: 'swap' },
    ];
    expect(planMoveWaves(cluster, swap, 2)).toEqual({ waves: [], unordered: swap });
  });

  it('waits for a move out before the move in, make-before-break', () => {
    const cluster: Cluster = {
      resources: [resource('r-1', { vcpu: 4 }), resource('r-2', { vcpu: 4 }), resource('r-3', { vcpu: 4 })],
      workloads: [
        workload('a', { vcpu: 4 }, { resourceId: 'r-1' }),
        workload('b', { vcpu: 4 }, { resourceId: 'r-2' }),
      ],
    };
    const moves = [
      { workloadId: 'b', from: 'r-2', to: 'r-3', reason: 'out' },
      { workloadId: 'a', from: 'r-1', to: 'r-2', reason: 'in' },
    ];
    expect(planMoveWaves(cluster, moves, 5).waves).toEqual([[moves[0]], [moves[1]]]);
  });
});

describe('applyMoves', () => {
  it('skips a move whose workload is no longer where it started, or is gone', () => {
    const cluster: Cluster = {
      resources: [resource('r-1', { vcpu: 4 }), resource('r-2', { vcpu: 4 })],
      workloads: [workload('a', { vcpu: 1 }, { resourceId: 'r-1' })],
    };
    const moves = [
      { workloadId: 'a', from: 'r-1', to: 'r-2', reason: '' },
      { workloadId: 'gone', from: 'r-1', to: 'r-2', reason: '' },
    ];
    const once = applyMoves(cluster, moves);
    expect(once.workloads).toEqual([workload('a', { vcpu: 1 }, { resourceId: 'r-2' })]);
    expect(applyMoves(once, moves)).toEqual(once);
  });
});

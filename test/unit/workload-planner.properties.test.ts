/** Invariants of the workload planner over generated clusters (fast-check). */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { PlacementStrategy } from '../../lambdas/core/allocation/choose-pool';
import { applyMoves } from '../../lambdas/core/workloads/apply-moves';
import { chooseResource, scanForResource } from '../../lambdas/core/workloads/choose-resource';
import type { Cluster, ResourceView, WorkloadView } from '../../lambdas/core/workloads/cluster';
import { NOWHERE } from '../../lambdas/core/workloads/cluster-figures';
import { ClusterUsage } from '../../lambdas/core/workloads/cluster-usage';
import { placeWorkloads } from '../../lambdas/core/workloads/place-workloads';
import { placementViolations, waveViolations } from '../../lambdas/core/workloads/placement-violations';
import {
  planRebalance,
  type RebalanceOptions,
  type RebalancePlan,
} from '../../lambdas/core/workloads/plan-rebalance';
import type { RecentMove } from '../../lambdas/core/workloads/rebalance-moves';

const DIMENSIONS = ['vcpu', 'memoryGiB', 'gpu'];
const NOW = 1_700_000_000_000;
const COOLDOWN = 600_000;
/** Plans are where the invariants are subtle: more cases than fast-check's default 100. */
const PLANS = { numRuns: 300 };

const amounts = (amount: fc.Arbitrary<number>) =>
  fc
    .array(amount, { minLength: 1, maxLength: DIMENSIONS.length })
    .map((values) => Object.fromEntries(values.map((value, i) => [DIMENSIONS[i], value])));

const labels = fc.record({ zone: fc.constantFrom('a', 'b'), tier: fc.constant('x') }, { requiredKeys: [] });

const resourceShape = fc.record({
  capacity: amounts(fc.constantFrom(4, 8, 12, 16)),
  labels,
  state: fc.constantFrom<ResourceView['state']>('active', 'active', 'active', 'draining', 'released'),
  /** Added after the initial placement: empty, which skews the load. */
  late: fc.boolean(),
});

const workloadShape = fc.record({
  demand: amounts(fc.integer({ min: 0, max: 5 })),
  constraints: fc.oneof(
    { arbitrary: fc.constant(undefined), weight: 2 },
    {
      arbitrary: fc.record({ labels, antiAffinityGroup: fc.constantFrom('g1', 'g2') }, { requiredKeys: [] }),
      weight: 1,
    },
  ),
  pending: fc.integer({ min: 0, max: 4 }).map((n) => n === 0),
});

const strategy = fc.constantFrom<PlacementStrategy>('spread', 'binpack');

/**
 * Resources in any state, workloads with constraints; those not pending placed validly by
 * `placeWorkloads` as if every resource but the late ones were active (so draining resources
 * hold workloads too, and late ones none).
 */
const clusters = fc
  .record({
    resources: fc.array(resourceShape, { minLength: 1, maxLength: 8, size: 'max' }),
    workloads: fc.array(workloadShape, { minLength: 4, maxLength: 30, size: 'max' }),
    placement: strategy,
  })
  .map(({ resources, workloads, placement }) => {
    const views: ResourceView[] = resources.map(({ late, ...shape }, i) => ({
      resourceId: `r-${i}`,
      ...shape,
    }));
    const all: WorkloadView[] = workloads.map(({ demand, constraints }, i) => ({
      workloadId: `w-${i}`,
      demand,
      constraints,
    }));
    const early = views.map((view, i) => ({
      ...view,
      state: resources[i]?.late ? ('released' as const) : ('active' as const),
    }));
    const toPlace = all.filter((_, i) => !workloads[i]?.pending);
    const { placements } = placeWorkloads({ resources: early, workloads: [] }, toPlace, placement);
    const at = new Map(placements.map(({ workloadId, resourceId }) => [workloadId, resourceId]));
    const cluster: Cluster = {
      resources: views,
      workloads: all.map((view) => ({ ...view, resourceId: at.get(view.workloadId) })),
    };
    return cluster;
  });

/** Recent moves of some placed workloads, some of them older than the cooldown. */
const withRecentMoves = (cluster: Cluster) =>
  fc
    .array(fc.record({ w: fc.nat(), from: fc.nat(), age: fc.integer({ min: 0, max: 3 * COOLDOWN }) }), {
      maxLength: 3,
    })
    .map((specs): RecentMove[] => {
      const placed = cluster.workloads.filter((workload) => workload.resourceId !== undefined);
      return specs.flatMap(({ w, from, age }) => {
        const workload = placed[w % Math.max(1, placed.length)];
        const source = cluster.resources[from % Math.max(1, cluster.resources.length)];
        if (!workload?.resourceId || !source) return [];
        return [
          {
            workloadId: workload.workloadId,
            from: source.resourceId,
            to: workload.resourceId,
            movedAt: NOW - age,
          },
        ];
      });
    });

const scenarios = clusters.chain((cluster) =>
  fc.record({
    cluster: fc.constant(cluster),
    options: fc.record({
      strategy,
      maxMoves: fc.integer({ min: 0, max: 15 }),
      disruptionBudget: fc.integer({ min: 1, max: 5 }),
      minGain: fc.constantFrom(0, 0.05, 0.2),
      recentMoves: withRecentMoves(cluster),
      now: fc.constant(NOW),
      cooldownMs: fc.constant(COOLDOWN),
    }),
  }),
);

type Scenario = typeof scenarios extends fc.Arbitrary<infer T> ? T : never;

/**
 * Found by the property below: levelling sent a workload away to make room for another, then placed
 * that workload a second time, so the usage counted it twice and a second plan found more to do.
 */
const roomMadeOnceCluster: Cluster = {
  resources: [
    { resourceId: 'r-0', capacity: { vcpu: 16, memoryGiB: 16 }, labels: {}, state: 'active' },
    { resourceId: 'r-1', capacity: { vcpu: 16, memoryGiB: 8 }, labels: {}, state: 'active' },
  ],
  workloads: [
    { workloadId: 'w-0', demand: { vcpu: 1 }, resourceId: 'r-0' },
    { workloadId: 'w-1', demand: { vcpu: 1 }, resourceId: 'r-0' },
    { workloadId: 'w-2', demand: { vcpu: 4, memoryGiB: 3 }, resourceId: 'r-0' },
    { workloadId: 'w-3', demand: { vcpu: 3 }, resourceId: 'r-0' },
    { workloadId: 'w-4', demand: { vcpu: 5, memoryGiB: 0 }, resourceId: 'r-0' },
    { workloadId: 'w-5', demand: { vcpu: 2 }, resourceId: 'r-1' },
    { workloadId: 'w-6', demand: { vcpu: 1, memoryGiB: 5 }, resourceId: 'r-0' },
    { workloadId: 'w-7', demand: { vcpu: 1, memoryGiB: 1 }, resourceId: 'r-0' },
    { workloadId: 'w-8', demand: { vcpu: 0 } },
    { workloadId: 'w-9', demand: { vcpu: 0, memoryGiB: 3, gpu: 0 }, resourceId: 'r-0' },
  ],
};
const roomMadeOnce: Scenario = {
  cluster: roomMadeOnceCluster,
  options: {
    strategy: 'spread',
    maxMoves: 3,
    disruptionBudget: 1,
    minGain: 0,
    recentMoves: [],
    now: NOW,
    cooldownMs: COOLDOWN,
  },
};

const stateOf = (cluster: Cluster, resourceId: string) =>
  cluster.resources.find((resource) => resource.resourceId === resourceId)?.state;

describe('workload planner invariants', () => {
  it('generates valid clusters', () => {
    fc.assert(
      fc.property(clusters, (cluster) => {
        expect(placementViolations(cluster)).toEqual([]);
      }),
    );
  });

  it('places within capacity, labels and anti-affinity, on active resources only, and explains the rest', () => {
    fc.assert(
      fc.property(clusters, strategy, (cluster, chosen) => {
        const pending = cluster.workloads.filter((workload) => workload.resourceId === undefined);
        const { placements, unschedulable } = placeWorkloads(cluster, pending, chosen);

        expect([...placements, ...unschedulable].map((d) => d.workloadId).sort()).toEqual(
          pending.map((workload) => workload.workloadId).sort(),
        );
        for (const { resourceId } of placements) expect(stateOf(cluster, resourceId)).toBe('active');
        const at = new Map(placements.map((p) => [p.workloadId, p.resourceId]));
        const placed = {
          ...cluster,
          workloads: cluster.workloads.map((w) => ({
            ...w,
            resourceId: w.resourceId ?? at.get(w.workloadId),
          })),
        };
        expect(placementViolations(placed)).toEqual([]);
        for (const { reasons } of unschedulable) {
          expect(Object.values(reasons).reduce((sum, n) => sum + n, 0)).toBe(cluster.resources.length);
        }
      }),
    );
  });

  it('chooses from its index what a scan of every resource chooses, as workloads are placed and moved', () => {
    const steps = fc.array(fc.record({ w: fc.nat(), avoid: fc.nat(), occupiedOnly: fc.boolean() }), {
      minLength: 1,
      maxLength: 80,
    });
    fc.assert(
      fc.property(clusters, strategy, steps, (cluster, chosen, moves) => {
        const usage = new ClusterUsage(cluster.resources, cluster.workloads);
        for (const step of moves) {
          const w = step.w % cluster.workloads.length;
          const choice = {
            avoid: new Set([step.avoid % cluster.resources.length]),
            occupiedOnly: step.occupiedOnly,
          };
          const r = chooseResource(usage, w, chosen, choice);
          expect(r).toBe(scanForResource(usage, w, chosen, choice));
          if (r !== NOWHERE) usage.move(w, r);
        }
      }),
      PLANS,
    );
  });

  it('plans within maxMoves and the disruption budget, each workload moved once, every wave safe', () => {
    fc.assert(
      fc.property(scenarios, ({ cluster, options }) => {
        const plan = planRebalance(cluster, options);

        expect(plan.moves.length).toBeLessThanOrEqual(options.maxMoves);
        expect(plan.moves).toEqual(plan.waves.flat());
        for (const wave of plan.waves) {
          expect(wave.length).toBeGreaterThan(0);
          expect(wave.length).toBeLessThanOrEqual(options.disruptionBudget);
        }
        const moved = plan.moves.map((move) => move.workloadId);
        expect(new Set(moved).size).toBe(moved.length);
        for (const move of plan.moves) expect(stateOf(cluster, move.to)).toBe('active');
        expectCooldownKept(plan, options);

        expect(waveViolations(cluster, plan.waves)).toEqual([]);
      }),
      PLANS,
    );
  });

  it('applies a plan twice as once', () => {
    fc.assert(
      fc.property(scenarios, ({ cluster, options }) => {
        const { moves } = planRebalance(cluster, options);
        const once = applyMoves(cluster, moves);
        expect(applyMoves(once, moves)).toEqual(once);
      }),
      PLANS,
    );
  });

  it('finds nothing more to do after a plan that was not cut short', () => {
    fc.assert(
      fc.property(scenarios, ({ cluster, options }) => {
        const plan = planRebalance(cluster, options);
        fc.pre(!plan.truncated);
        const recentMoves = [
          ...options.recentMoves,
          ...plan.moves.map(({ workloadId, from, to }) => ({ workloadId, from, to, movedAt: NOW })),
        ];
        const again = planRebalance(applyMoves(cluster, plan.moves), { ...options, recentMoves });
        expect(again.moves).toEqual([]);
      }),
      { ...PLANS, examples: [[roomMadeOnce]] },
    );
  });
});

/** Only evacuations move a cooling workload, and no move sends one back to a resource it left. */
function expectCooldownKept(plan: RebalancePlan, options: RebalanceOptions & { recentMoves: RecentMove[] }) {
  const cooling = options.recentMoves.filter((move) => NOW - move.movedAt < COOLDOWN);
  for (const move of plan.moves) {
    const left = cooling.filter((recent) => recent.workloadId === move.workloadId);
    expect(left.map((recent) => recent.from)).not.toContain(move.to);
    if (left.length > 0) expect(move.reason).toMatch(/^evacuate /);
  }
}

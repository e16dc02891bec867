/**
 * The workload planner at scale, on seeded synthetic clusters (resources × workloads: 100 × 1 000
 * and 1 000 × 10 000; vcpu and memoryGiB; mixed shapes; zone labels; anti-affinity groups; a few
 * draining resources): batch placement with `spread` and `binpack`, and rebalance plans, timed and
 * sized, their quality set against lower bounds (the peak against the average load and the largest
 * workload; the resources binpack uses against Martello and Toth's L2) — beside a per-pod
 * scheduler as the baseline, placing one workload at a time in arrival order on the
 * least-allocated resource that fits, the way kube-scheduler's LeastAllocated scoring does
 * (`time_vs_baseline`: a placement's time over the baseline's in the same run).
 */
import type { Amounts } from '../../lambdas/core/allocation/amounts';
import type { PlacementStrategy } from '../../lambdas/core/allocation/choose-pool';
import type { Cluster, ResourceView, WorkloadView } from '../../lambdas/core/workloads/cluster';
import { type Placement, placeWorkloads } from '../../lambdas/core/workloads/place-workloads';
import { placementViolations, waveViolations } from '../../lambdas/core/workloads/placement-violations';
import { planRebalance } from '../../lambdas/core/workloads/plan-rebalance';
import { report } from './report';

const DIMENSIONS = ['vcpu', 'memoryGiB'] as const;
const SIZES = [
  { resources: 100, workloads: 1_000 },
  { resources: 1_000, workloads: 10_000 },
];
const MAX_MOVES = 2_000;
/** Timed calls per figure; the median is reported. */
const RUNS = 3;
const DISRUPTION_BUDGET = 50;
const MiB = 2 ** 20;

/** mulberry32: a tiny seeded PRNG, so every run measures the same clusters. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

function pick<T>(next: () => number, weighted: readonly (readonly [T, number])[]): T {
  let roll = next() * weighted.reduce((sum, [, weight]) => sum + weight, 0);
  for (const [value, weight] of weighted) {
    roll -= weight;
    if (roll < 0) return value;
  }
  return weighted[weighted.length - 1]?.[0] as T;
}

interface Shape {
  readonly resources: number;
  readonly workloads: number;
  /** One capacity for all, no labels, no anti-affinity, none draining: for the bin-packing bound. */
  readonly homogeneous?: boolean;
}

/** All workloads pending; their demand about 55% of the capacity, in both dimensions. */
function syntheticCluster({ resources, workloads, homogeneous = false }: Shape, seed: number): Cluster {
  const next = random(seed);
  const shapes: [Amounts, number][] = [
    [{ vcpu: 16, memoryGiB: 64 }, 3],
    [{ vcpu: 32, memoryGiB: 128 }, 3],
    [{ vcpu: 64, memoryGiB: 256 }, 2],
    [{ vcpu: 16, memoryGiB: 128 }, 2],
  ];
  const zones = ['a', 'b', 'c'];
  const resourceViews = Array.from(
    { length: resources },
    (_, i): ResourceView => ({
      resourceId: `r-${String(i).padStart(4, '0')}`,
      labels: homogeneous ? {} : { zone: zones[i % zones.length] ?? 'a' },
      capacity: homogeneous ? { vcpu: 32, memoryGiB: 128 } : pick(next, shapes),
      // A few resources draining, whose room placement must not use.
      state: !homogeneous && i % 100 === 99 ? 'draining' : 'active',
    }),
  );
  const workloadViews: WorkloadView[] = Array.from({ length: workloads }, (_, i) => {
    const vcpu = pick(next, [
      [0.5, 25],
      [1, 30],
      [2, 25],
      [4, 15],
      [8, 5],
    ]);
    const memoryGiB =
      vcpu *
      pick(next, [
        [2, 3],
        [4, 5],
        [8, 2],
      ]);
    const zoned = !homogeneous && next() < 0.1;
    const replicated = !homogeneous && next() < 0.15;
    return {
      workloadId: `w-${String(i).padStart(5, '0')}`,
      demand: { vcpu, memoryGiB },
      constraints: {
        labels: zoned ? { zone: zones[Math.floor(next() * zones.length)] ?? 'a' } : undefined,
        // Services of ten replicas each, at most one replica per resource.
        antiAffinityGroup: replicated ? `svc-${Math.floor(next() * (workloads / 100))}` : undefined,
      },
    };
  });
  return { resources: resourceViews, workloads: workloadViews };
}

interface Measured<T> {
  readonly result: T;
  readonly ms: number;
  readonly heapMiB: number;
  readonly rssMiB: number;
}

/**
 * Time and memory of `run`: the median time of `RUNS` calls (a shared machine is noisy), and the
 * most heap and RSS any call grew by, each measured from a collected heap.
 */
function measure<T>(run: () => T): Measured<T> {
  const runs = Array.from({ length: RUNS }, () => {
    globalThis.gc?.();
    const before = process.memoryUsage();
    const started = performance.now();
    const result = run();
    const ms = performance.now() - started;
    const after = process.memoryUsage();
    return { result, ms, heap: after.heapUsed - before.heapUsed, rss: after.rss - before.rss };
  });
  const median = [...runs].sort((a, b) => a.ms - b.ms)[Math.floor(RUNS / 2)];
  if (!median) throw new Error('RUNS must be at least 1');
  return {
    result: median.result,
    ms: median.ms,
    heapMiB: Math.max(0, ...runs.map((r) => r.heap)) / MiB,
    rssMiB: Math.max(0, ...runs.map((r) => r.rss)) / MiB,
  };
}

function placed(cluster: Cluster, placements: readonly Placement[]): Cluster {
  const at = new Map(placements.map(({ workloadId, resourceId }) => [workloadId, resourceId]));
  return {
    resources: cluster.resources,
    workloads: cluster.workloads.map((workload) => ({
      ...workload,
      resourceId: at.get(workload.workloadId),
    })),
  };
}

/** Capacity, label and anti-affinity violations, and workloads placed on a resource that is not active. */
function violations(before: Cluster, after: Cluster, placements: readonly Placement[]): number {
  const active = new Set(before.resources.filter((r) => r.state === 'active').map((r) => r.resourceId));
  return placementViolations(after).length + placements.filter((p) => !active.has(p.resourceId)).length;
}

function usedByResource(cluster: Cluster): Map<string, Record<string, number>> {
  const used = new Map<string, Record<string, number>>();
  for (const { resourceId, demand } of cluster.workloads) {
    if (resourceId === undefined) continue;
    const sum = used.get(resourceId) ?? {};
    for (const d of DIMENSIONS) sum[d] = (sum[d] ?? 0) + (demand[d] ?? 0);
    used.set(resourceId, sum);
  }
  return used;
}

function peakUtilisation(cluster: Cluster): number {
  const used = usedByResource(cluster);
  let peak = 0;
  for (const { resourceId, capacity, state } of cluster.resources) {
    if (state !== 'active') continue;
    for (const d of DIMENSIONS) peak = Math.max(peak, (used.get(resourceId)?.[d] ?? 0) / (capacity[d] ?? 1));
  }
  return peak;
}

function resourcesUsed(cluster: Cluster): number {
  return usedByResource(cluster).size;
}

/** No placement has a peak below the average load, nor below the share of the largest resource the largest workload takes. */
function peakLowerBound(cluster: Cluster): number {
  const active = cluster.resources.filter((r) => r.state === 'active');
  return Math.max(
    ...DIMENSIONS.map((d) => {
      const demand = cluster.workloads.map((w) => w.demand[d] ?? 0);
      const capacity = active.map((r) => r.capacity[d] ?? 0);
      const total = (values: number[]) => values.reduce((sum, v) => sum + v, 0);
      return Math.max(total(demand) / total(capacity), Math.max(...demand) / Math.max(...capacity));
    }),
  );
}

/**
 * Martello and Toth's L2 lower bound on the bins needed for `sizes` (bin capacity 1): for every
 * α ≤ ½, items above 1 − α each need a bin, those in (½, 1 − α] too, and items in [α, ½] fill
 * what those leave free before needing more.
 */
function martelloTothL2(sizes: readonly number[]): number {
  const sorted = sizes.filter((s) => s > 0).sort((a, b) => a - b);
  const prefix = [0];
  for (const s of sorted) prefix.push((prefix[prefix.length - 1] ?? 0) + s);
  const sum = (from: number, to: number) => (prefix[to] ?? 0) - (prefix[from] ?? 0);
  const firstAbove = (x: number) => bisect(sorted, (s) => s > x);
  const firstAtLeast = (x: number) => bisect(sorted, (s) => s >= x);
  let best = 0;
  for (const alpha of [0, ...new Set(sorted.filter((s) => s <= 0.5))]) {
    const large = firstAbove(1 - alpha);
    const half = firstAbove(0.5);
    const small = firstAtLeast(alpha);
    const j1 = sorted.length - large;
    const j2 = large - half;
    const room = j2 - sum(half, large);
    const bound = j1 + j2 + Math.max(0, Math.ceil(sum(small, half) - room - 1e-9));
    best = Math.max(best, bound);
  }
  return best;
}

/** The first index whose value satisfies `test`, which holds from some index on. */
function bisect(sorted: readonly number[], test: (value: number) => boolean): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (test(sorted[middle] ?? 0)) high = middle;
    else low = middle + 1;
  }
  return low;
}

/** The bin-packing bound over each dimension, for a cluster of identical resources. */
function resourcesLowerBound(cluster: Cluster): number {
  const capacity = cluster.resources[0]?.capacity ?? {};
  return Math.max(
    ...DIMENSIONS.map((d) =>
      martelloTothL2(cluster.workloads.map((w) => (w.demand[d] ?? 0) / (capacity[d] ?? 1))),
    ),
  );
}

/**
 * The baseline: one workload at a time, in arrival order, on the resource that fits with the
 * most left over — kube-scheduler's LeastAllocated score, the mean free share over dimensions
 * once placed (ties: the first resource). Its fit test is `dimensionsShort`'s, written out.
 */
function leastAllocated(cluster: Cluster, pending: readonly WorkloadView[]): Placement[] {
  const { resources } = cluster;
  const capacity = resources.map((resource) => DIMENSIONS.map((d) => resource.capacity[d] ?? 0));
  const used = resources.map(() => DIMENSIONS.map(() => 0));
  const groups = resources.map(() => new Set<string>());
  const placements: Placement[] = [];
  for (const workload of pending) {
    const demand = DIMENSIONS.map((d) => workload.demand[d] ?? 0);
    const wanted = Object.entries(workload.constraints?.labels ?? {});
    const group = workload.constraints?.antiAffinityGroup;
    let best = -1;
    let bestScore = Number.NEGATIVE_INFINITY;
    for (let r = 0; r < resources.length; r++) {
      const resource = resources[r];
      const limit = capacity[r];
      const taken = used[r];
      if (!resource || !limit || !taken || resource.state !== 'active') continue;
      if (wanted.some(([label, value]) => resource.labels[label] !== value)) continue;
      if (group !== undefined && groups[r]?.has(group)) continue;
      let free = 0;
      for (let d = 0; d < DIMENSIONS.length && free >= 0; d++) {
        const c = limit[d] ?? 0;
        const u = taken[d] ?? 0;
        const s = demand[d] ?? 0;
        free = u > c - s ? Number.NEGATIVE_INFINITY : free + (c - u - s) / c;
      }
      const score = free / DIMENSIONS.length;
      if (free >= 0 && score > bestScore) {
        best = r;
        bestScore = score;
      }
    }
    const chosen = resources[best];
    if (!chosen) continue;
    demand.forEach((amount, d) => {
      const taken = used[best];
      if (taken) taken[d] = (taken[d] ?? 0) + amount;
    });
    if (group !== undefined) groups[best]?.add(group);
    placements.push({ workloadId: workload.workloadId, resourceId: chosen.resourceId });
  }
  return placements;
}

interface Placer {
  readonly name: string;
  readonly place: (cluster: Cluster, pending: readonly WorkloadView[]) => Placement[];
  /** The quality figures that judge it: its peak utilisation, the resources it uses, or both. */
  readonly judgedBy: readonly ('peak' | 'resources')[];
}

const placers: Placer[] = [
  // First, so that the others' times can be given as a share of its time in the same run.
  { name: 'baseline.workloads.place', place: leastAllocated, judgedBy: ['peak', 'resources'] },
  {
    name: 'workloads.place.spread',
    place: (cluster, pending) => placeWorkloads(cluster, pending, 'spread').placements,
    judgedBy: ['peak'],
  },
  {
    name: 'workloads.place.binpack',
    place: (cluster, pending) => placeWorkloads(cluster, pending, 'binpack').placements,
    judgedBy: ['resources'],
  },
];

/** The baseline's placement time per cluster size, measured in this run. */
const baselineMs = new Map<string, number>();

function benchPlacement({ name, place, judgedBy }: Placer, shape: Shape, label: string): void {
  const cluster = syntheticCluster(shape, 42);
  const { result: placements, ms, heapMiB, rssMiB } = measure(() => place(cluster, cluster.workloads));
  const after = placed(cluster, placements);
  const prefix = `${name}.${label}`;
  report(`${prefix}.time`, ms, 'ms');
  const baseline = baselineMs.get(label);
  if (baseline === undefined) baselineMs.set(label, ms);
  else report(`${prefix}.time_vs_baseline`, ms / baseline, 'ratio');
  report(`${prefix}.throughput`, cluster.workloads.length / (ms / 1000), 'workloads/s');
  report(`${prefix}.memory.heap`, heapMiB, 'MiB');
  report(`${prefix}.memory.rss`, rssMiB, 'MiB');
  report(`${prefix}.unschedulable`, cluster.workloads.length - placements.length, 'count');
  report(`${prefix}.violations`, violations(cluster, after, placements), 'count');
  if (judgedBy.includes('peak')) {
    report(`${prefix}.peak_vs_lower_bound`, peakUtilisation(after) / peakLowerBound(cluster), 'ratio');
  }
  if (judgedBy.includes('resources')) {
    const homogeneous = syntheticCluster({ ...shape, homogeneous: true }, 7);
    const packed = placed(homogeneous, place(homogeneous, homogeneous.workloads));
    report(
      `${prefix}.homogeneous.resources_used_vs_l2`,
      resourcesUsed(packed) / resourcesLowerBound(homogeneous),
      'ratio',
    );
  }
}

/**
 * A cluster to rebalance: placed with `strategy` while only the first `share` of its resources
 * existed, the rest added since (empty); then every fiftieth resource in use set draining.
 */
function clusterToRebalance(shape: Shape, strategy: PlacementStrategy, share: number): Cluster {
  const cluster = syntheticCluster(shape, 1234);
  const cutoff = Math.floor(cluster.resources.length * share);
  const early = cluster.resources.map((resource, i) =>
    i < cutoff ? resource : { ...resource, state: 'released' as const },
  );
  const { placements } = placeWorkloads({ resources: early, workloads: [] }, cluster.workloads, strategy);
  const withLoad = placed(cluster, placements);
  const draining = new Set([...usedByResource(withLoad).keys()].sort().filter((_, i) => i % 50 === 0));
  return {
    resources: cluster.resources.map((resource) =>
      draining.has(resource.resourceId) ? { ...resource, state: 'draining' as const } : resource,
    ),
    workloads: withLoad.workloads.filter((workload) => workload.resourceId !== undefined),
  };
}

function benchRebalance(strategy: PlacementStrategy, cluster: Cluster, label: string): void {
  const {
    result: plan,
    ms,
    heapMiB,
    rssMiB,
  } = measure(() =>
    planRebalance(cluster, { strategy, maxMoves: MAX_MOVES, disruptionBudget: DISRUPTION_BUDGET }),
  );
  const prefix = `workloads.rebalance.${strategy}.${label}`;
  const minimum = plan.metrics.workloadsOnDrainingBefore ?? 0;
  report(`${prefix}.time`, ms, 'ms');
  report(`${prefix}.memory.heap`, heapMiB, 'MiB');
  report(`${prefix}.memory.rss`, rssMiB, 'MiB');
  report(`${prefix}.moves`, plan.moves.length, 'count');
  report(`${prefix}.waves`, plan.waves.length, 'count');
  report(`${prefix}.truncated`, plan.truncated ? 1 : 0, 'count');
  report(`${prefix}.moves_vs_minimum`, plan.moves.length / minimum, 'ratio');
  report(`${prefix}.evacuations_vs_minimum`, (plan.metrics.evacuations ?? 0) / minimum, 'ratio');
  report(`${prefix}.peak_utilisation.before`, plan.metrics.peakUtilisationBefore ?? 0, 'ratio');
  report(`${prefix}.peak_utilisation.after`, plan.metrics.peakUtilisationAfter ?? 0, 'ratio');
  if (strategy === 'spread') {
    const peakAfter = plan.metrics.peakUtilisationAfter ?? 0;
    report(`${prefix}.peak_vs_lower_bound.after`, peakAfter / peakLowerBound(cluster), 'ratio');
  }
  report(`${prefix}.resources_used.before`, plan.metrics.resourcesUsedBefore ?? 0, 'count');
  report(`${prefix}.resources_used.after`, plan.metrics.resourcesUsedAfter ?? 0, 'count');
  report(`${prefix}.violations`, waveViolations(cluster, plan.waves).length, 'count');
}

// Warm the JIT on a small cluster first, so that no contender pays for it in its figures.
for (const { place } of placers) {
  const warm = syntheticCluster(SIZES[0] ?? { resources: 10, workloads: 100 }, 1);
  place(warm, warm.workloads);
}
for (const shape of SIZES) {
  const label = `${shape.resources}x${shape.workloads}`;
  for (const placer of placers) benchPlacement(placer, shape, label);
  // Spread: load placed on 60% of the resources, the rest just added. Binpack: load spread thin.
  benchRebalance('spread', clusterToRebalance(shape, 'spread', 0.6), label);
  benchRebalance('binpack', clusterToRebalance(shape, 'spread', 1), label);
}

/**
 * The cluster as numbers that no move changes: resources and workloads addressed by slot (their
 * index in the arrays given), every dimension's capacity and demand as flat vectors, each
 * workload's size and reach, which resources carry its labels, its anti-affinity group, and the
 * order of ids. Computed once per plan; `ClusterUsage` adds the load that moves change.
 */
import { amountOf } from '../allocation/amounts';
import type { ResourceState, ResourceView, WorkloadView } from './cluster';

/** The location of a workload that runs on no resource the cluster lists (pending, or gone). */
export const NOWHERE = -1;

export class ClusterFigures {
  /** Every dimension of any capacity or demand; vectors are indexed by position in it. */
  readonly dimensions: readonly string[];
  protected readonly width: number;
  protected readonly capacity: Float64Array;
  protected readonly active: Uint8Array;
  protected readonly demand: Float64Array;
  /** Per workload, the dimensions its demand names, in key order: those `dimensionsShort` checks. */
  protected readonly demanded: Int32Array[];
  private readonly sizes: Float64Array;
  private readonly reaches: Float64Array;
  protected readonly groupOf: (string | undefined)[];
  private readonly pinned: Uint8Array;
  /** Per workload with label constraints, which resources carry its labels (shared by equal constraints). */
  protected readonly labelMatches: (Uint8Array | undefined)[];
  protected readonly resourceRanks: Int32Array;
  private readonly resourceSlots = new Map<string, number>();
  private readonly workloadSlots = new Map<string, number>();
  /** Per workload, the key of its label constraints ('' for none): alike workloads share it. */
  private readonly labelKeys: string[];
  private readonly alikeKeys: (string | undefined)[];

  constructor(
    readonly resources: readonly ResourceView[],
    readonly workloads: readonly WorkloadView[],
  ) {
    const dimensions = new Set<string>();
    for (const resource of resources) for (const d of Object.keys(resource.capacity)) dimensions.add(d);
    for (const workload of workloads) for (const d of Object.keys(workload.demand)) dimensions.add(d);
    this.dimensions = [...dimensions];
    const width = this.dimensions.length;
    this.width = width;

    this.capacity = new Float64Array(resources.length * width);
    this.active = Uint8Array.from(resources, (resource) => (resource.state === 'active' ? 1 : 0));
    const largest = new Float64Array(width);
    const smallest = new Float64Array(width).fill(Number.POSITIVE_INFINITY);
    resources.forEach((resource, r) => {
      if (!this.resourceSlots.has(resource.resourceId)) this.resourceSlots.set(resource.resourceId, r);
      this.dimensions.forEach((d, i) => {
        const amount = amountOf(resource.capacity, d);
        this.capacity[r * width + i] = amount;
        if (resource.state !== 'active' || !(amount > 0)) return;
        largest[i] = Math.max(largest[i] ?? 0, amount);
        smallest[i] = Math.min(smallest[i] ?? amount, amount);
      });
    });
    this.resourceRanks = new Int32Array(resources.length);
    resources
      .map((_, r) => r)
      .sort((a, b) => compareIds(at(resources, a).resourceId, at(resources, b).resourceId))
      .forEach((r, rank) => {
        this.resourceRanks[r] = rank;
      });

    const position = new Map(this.dimensions.map((d, i) => [d, i]));
    this.demand = new Float64Array(workloads.length * width);
    this.sizes = new Float64Array(workloads.length);
    this.reaches = new Float64Array(workloads.length);
    // Most workloads name the same dimensions in the same order: they share one list of them.
    let lastKeys: string[] = [];
    let lastDemanded = new Int32Array(0);
    this.demanded = workloads.map((workload, w) => {
      const keys = Object.keys(workload.demand);
      for (const d of keys) {
        const i = position.get(d) ?? 0;
        const amount = amountOf(workload.demand, d);
        this.demand[w * width + i] = amount;
        this.sizes[w] = Math.max(this.sizes[w] ?? 0, ratio(amount, largest[i] ?? 0));
        this.reaches[w] = Math.max(this.reaches[w] ?? 0, ratio(amount, smallest[i] ?? 0));
      }
      if (keys.length !== lastKeys.length || keys.some((d, k) => d !== lastKeys[k])) {
        lastKeys = keys;
        lastDemanded = Int32Array.from(keys, (d) => position.get(d) ?? 0);
      }
      return lastDemanded;
    });
    this.groupOf = workloads.map((workload) => workload.constraints?.antiAffinityGroup);
    this.pinned = Uint8Array.from(workloads, (workload) => (workload.pinned ? 1 : 0));
    const masks = new Map<string, Uint8Array>();
    this.labelKeys = workloads.map((workload) => labelKey(workload));
    this.labelMatches = workloads.map((workload, w) =>
      labelMatch(resources, workload, at(this.labelKeys, w), masks),
    );
    this.alikeKeys = new Array(workloads.length);
    workloads.forEach((workload, w) => {
      if (!this.workloadSlots.has(workload.workloadId)) this.workloadSlots.set(workload.workloadId, w);
    });
  }

  resourceSlot(resourceId: string): number | undefined {
    return this.resourceSlots.get(resourceId);
  }

  /** The first workload of that id. */
  workloadSlot(workloadId: string): number | undefined {
    return this.workloadSlots.get(workloadId);
  }

  resourceId(r: number): string {
    return at(this.resources, r).resourceId;
  }

  workloadId(w: number): string {
    return at(this.workloads, w).workloadId;
  }

  stateOf(r: number): ResourceState {
    return at(this.resources, r).state;
  }

  isActive(r: number): boolean {
    return this.active[r] === 1;
  }

  /** No plan may move it. */
  isPinned(w: number): boolean {
    return this.pinned[w] === 1;
  }

  /** Its demand in the `i`-th of `dimensions`. */
  demandIn(w: number, i: number): number {
    return this.demand[w * this.width + i] ?? 0;
  }

  /** Its capacity in the `i`-th of `dimensions`. */
  capacityIn(r: number, i: number): number {
    return this.capacity[r * this.width + i] ?? 0;
  }

  /** The largest share of the biggest active resource its demand takes, in any dimension. */
  sizeOf(w: number): number {
    return this.sizes[w] ?? 0;
  }

  /** The most adding `w` can raise an active resource's utilisation: its share of the smallest. */
  reachOf(w: number): number {
    return this.reaches[w] ?? 0;
  }

  /**
   * A key that alike workloads share: the same demand and the same label constraints, so that
   * every resource takes either all of them or none — anti-affinity apart.
   */
  alikeKey(w: number): string {
    let key = this.alikeKeys[w];
    if (key === undefined) {
      const own = w * this.width;
      key = at(this.labelKeys, w);
      for (const i of at(this.demanded, w)) key += `|${i}:${this.demand[own + i]}`;
      this.alikeKeys[w] = key;
    }
    return key;
  }

  /** Whether it has label constraints: only some resources may take it. */
  isLabelBound(w: number): boolean {
    return this.labelMatches[w] !== undefined;
  }

  antiAffinityGroup(w: number): string | undefined {
    return this.groupOf[w];
  }

  /** Resource order for ties: by id, in code-unit order so that it depends on no locale. */
  compareResources(a: number, b: number): number {
    return (this.resourceRanks[a] ?? 0) - (this.resourceRanks[b] ?? 0);
  }

  compareWorkloads(a: number, b: number): number {
    return compareIds(this.workloadId(a), this.workloadId(b)) || a - b;
  }
}

/** Identifiers in code-unit order: the same on every machine, whatever its locale. */
export function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Indexing that a slot computed by the cluster's figures can be trusted to satisfy. */
export function at<T>(items: readonly T[], index: number): T {
  const item = items[index];
  if (item === undefined) throw new RangeError(`no slot ${index}`);
  return item;
}

/** A share of a capacity; any use of a dimension a resource lacks is infinite. */
export function ratio(used: number, capacity: number): number {
  if (capacity > 0) return used / capacity;
  return used > 0 ? Number.POSITIVE_INFINITY : 0;
}

/** Its label constraints as a key, in label order; '' for none. */
function labelKey(workload: WorkloadView): string {
  const wanted = Object.entries(workload.constraints?.labels ?? {}).sort(([a], [b]) => compareIds(a, b));
  return wanted.length === 0 ? '' : JSON.stringify(wanted);
}

function labelMatch(
  resources: readonly ResourceView[],
  workload: WorkloadView,
  key: string,
  cache: Map<string, Uint8Array>,
): Uint8Array | undefined {
  if (key === '') return undefined;
  const wanted = Object.entries(workload.constraints?.labels ?? {});
  let mask = cache.get(key);
  if (!mask) {
    mask = Uint8Array.from(resources, (resource) =>
      wanted.every(([label, value]) => resource.labels[label] === value) ? 1 : 0,
    );
    cache.set(key, mask);
  }
  return mask;
}

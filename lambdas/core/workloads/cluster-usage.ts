/**
 * The cluster as numbers, kept current move by move: per resource a usage vector, its
 * utilisation, its occupants and its anti-affinity groups, the active resources in order of
 * utilisation, and a log of which resource's usage changed (for `FitIndex`). A plan never
 * recounts the cluster — what keeps planning over 10 000 workloads well under a second.
 */
import { amountOf } from '../allocation/amounts';
import type { ResourceState, ResourceView, WorkloadView } from './cluster';

/** Why a resource cannot take a workload, in the order checked: a resource counts under its first. */
export type Refusal =
  | Exclude<ResourceState, 'active'>
  | 'label mismatch'
  | 'anti-affinity'
  | `insufficient ${string}`;

/** The location of a workload that runs on no resource the cluster lists (pending, or gone). */
export const NOWHERE = -1;

/**
 * Resources and workloads are addressed by slot, their index in the arrays given. Workloads on a
 * resource the cluster does not list occupy nothing.
 */
export class ClusterUsage {
  /** Every dimension of any capacity or demand; usage vectors are indexed by position in it. */
  readonly dimensions: readonly string[];
  private readonly width: number;
  private readonly capacity: Float64Array;
  private readonly used: Float64Array;
  private readonly utilisations: Float64Array;
  private readonly active: Uint8Array;
  /** The active resources by ascending utilisation, then id, but for those in `unsettled`. */
  private readonly order: Int32Array;
  private ordered = false;
  /**
   * Active resources whose utilisation changed since `order` was last read: they are merged back
   * in at the next read, so that a batch of changes costs one pass, not one each.
   */
  private readonly unsettled: number[] = [];
  private readonly isUnsettled: Uint8Array;
  private readonly demand: Float64Array;
  /** Per workload, the dimensions its demand names, in key order: those `dimensionsShort` checks. */
  private readonly demanded: Int32Array[];
  private readonly sizes: Float64Array;
  private readonly reaches: Float64Array;
  private readonly groupOf: (string | undefined)[];
  private readonly pinned: Uint8Array;
  /** Per workload with label constraints, which resources carry its labels (shared by equal constraints). */
  private readonly labelMatches: (Uint8Array | undefined)[];
  private readonly location: Int32Array;
  private readonly occupants: Set<number>[];
  private readonly groups: Map<string, number>[];
  private readonly resourceRanks: Int32Array;
  private readonly resourceSlots = new Map<string, number>();
  private readonly workloadSlots = new Map<string, number>();
  private readonly shortOf: Refusal[];
  /** Per workload, the key of its label constraints ('' for none): alike workloads share it. */
  private readonly labelKeys: string[];
  private readonly alikeKeys: (string | undefined)[];
  /** Per resource, how many times its usage changed: what an index keyed on its usage checks. */
  private readonly versions: Uint32Array;
  /** The resources whose usage changed since construction, in order (repeats kept). */
  private readonly changes: number[] = [];

  constructor(
    readonly resources: readonly ResourceView[],
    readonly workloads: readonly WorkloadView[],
  ) {
    const dimensions = new Set<string>();
    for (const resource of resources) for (const d of Object.keys(resource.capacity)) dimensions.add(d);
    for (const workload of workloads) for (const d of Object.keys(workload.demand)) dimensions.add(d);
    this.dimensions = [...dimensions];
    this.shortOf = this.dimensions.map((d): Refusal => `insufficient ${d}`);
    const width = this.dimensions.length;
    this.width = width;

    this.capacity = new Float64Array(resources.length * width);
    this.used = new Float64Array(resources.length * width);
    this.utilisations = new Float64Array(resources.length);
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
    this.occupants = resources.map(() => new Set<number>());
    this.groups = resources.map(() => new Map<string, number>());
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
    this.versions = new Uint32Array(resources.length);
    this.location = new Int32Array(workloads.length).fill(NOWHERE);
    workloads.forEach((workload, w) => {
      if (!this.workloadSlots.has(workload.workloadId)) this.workloadSlots.set(workload.workloadId, w);
      const r = workload.resourceId === undefined ? undefined : this.resourceSlots.get(workload.resourceId);
      if (r !== undefined) this.place(w, r);
    });

    // Sorted once everything is placed, then kept sorted move by move.
    this.order = Int32Array.from(
      resources.flatMap((_, r) => (this.active[r] ? [r] : [])).sort((a, b) => this.compareUtilisation(a, b)),
    );
    this.isUnsettled = new Uint8Array(resources.length);
    this.ordered = true;
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

  /** The active resources, the only ones that take workloads, by ascending utilisation then id; live. */
  get activeByUtilisation(): ArrayLike<number> {
    this.settle();
    return this.order;
  }

  /** No plan may move it. */
  isPinned(w: number): boolean {
    return this.pinned[w] === 1;
  }

  /** Its resource's slot, or `NOWHERE`. */
  locationOf(w: number): number {
    return this.location[w] ?? NOWHERE;
  }

  occupantsOf(r: number): ReadonlySet<number> {
    return at(this.occupants, r);
  }

  /** Its demand in the `i`-th of `dimensions`. */
  demandIn(w: number, i: number): number {
    return this.demand[w * this.width + i] ?? 0;
  }

  /** Its capacity in the `i`-th of `dimensions`. */
  capacityIn(r: number, i: number): number {
    return this.capacity[r * this.width + i] ?? 0;
  }

  /** What its workloads use of the `i`-th of `dimensions`. */
  usedIn(r: number, i: number): number {
    return this.used[r * this.width + i] ?? 0;
  }

  /** Max over its dimensions of used ÷ capacity (any use of a dimension it lacks is infinite). */
  utilisation(r: number): number {
    return this.utilisations[r] ?? 0;
  }

  /** Its utilisation were its workloads to use `used` (by dimension) instead. */
  utilisationOfUse(r: number, used: ArrayLike<number>): number {
    let utilisation = 0;
    for (let i = 0; i < this.width; i++) {
      const share = ratio(used[i] ?? 0, this.capacity[r * this.width + i] ?? 0);
      if (share > utilisation) utilisation = share;
    }
    return utilisation;
  }

  /** Its utilisation were workload `w` added to it. */
  utilisationWith(w: number, r: number): number {
    return this.utilisationShiftedBy(w, r, 1);
  }

  /** Its utilisation were workload `w` taken off it. */
  utilisationWithout(w: number, r: number): number {
    return this.utilisationShiftedBy(w, r, -1);
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

  /** Bumped each time `r`'s usage changes. */
  versionOf(r: number): number {
    return this.versions[r] ?? 0;
  }

  /** How many usage changes there were so far: a position in the log `changedAt` reads. */
  get changeCount(): number {
    return this.changes.length;
  }

  /** The resource whose usage changed `i`-th. */
  changedAt(i: number): number {
    return this.changes[i] ?? NOWHERE;
  }

  /** Whether `r` takes `w` on top of what it holds, anti-affinity apart. */
  fitsApartFromGroup(w: number, r: number): boolean {
    return (
      this.active[r] === 1 && this.labelMatches[w]?.[r] !== 0 && this.firstShortDimension(w, r) === NOWHERE
    );
  }

  /** Whether it has label constraints: only some resources may take it. */
  isLabelBound(w: number): boolean {
    return this.labelMatches[w] !== undefined;
  }

  antiAffinityGroup(w: number): string | undefined {
    return this.groupOf[w];
  }

  /** Whether `r` runs a workload of `w`'s anti-affinity group. */
  holdsGroupOf(w: number, r: number): boolean {
    const group = this.groupOf[w];
    return group !== undefined && at(this.groups, r).has(group);
  }

  /** Why `r` cannot take `w` on top of what it holds, or `undefined` if it can. */
  refusal(w: number, r: number): Refusal | undefined {
    const state = this.active[r] === 1 ? 'active' : this.stateOf(r);
    if (state !== 'active') return state;
    if (this.labelMatches[w]?.[r] === 0) return 'label mismatch';
    if (this.holdsGroupOf(w, r)) return 'anti-affinity';
    const short = this.firstShortDimension(w, r);
    return short === NOWHERE ? undefined : at(this.shortOf, short);
  }

  /** Resource order for ties: by id, in code-unit order so that it depends on no locale. */
  compareResources(a: number, b: number): number {
    return (this.resourceRanks[a] ?? 0) - (this.resourceRanks[b] ?? 0);
  }

  compareWorkloads(a: number, b: number): number {
    return compareIds(this.workloadId(a), this.workloadId(b)) || a - b;
  }

  /** The active resource with the highest utilisation (ties: the first by id), or `NOWHERE`. */
  peakResource(): number {
    this.settle();
    let i = this.order.length - 1;
    const peak = this.order[i] ?? NOWHERE;
    while (i > 0 && this.utilisation(this.order[i - 1] ?? NOWHERE) === this.utilisation(peak)) i--;
    return this.order[i] ?? NOWHERE;
  }

  /** Max utilisation over the active resources; 0 with none. */
  peakUtilisation(): number {
    this.settle();
    const peak = this.order[this.order.length - 1];
    return peak === undefined ? 0 : this.utilisation(peak);
  }

  place(w: number, r: number): void {
    this.addLoad(w, r);
    this.location[w] = r;
  }

  move(w: number, to: number): void {
    this.beginMove(w, to);
    this.finishMove(w, to);
  }

  /** Takes `w` off its resource: it runs nowhere until placed again. */
  lift(w: number): void {
    this.finishMove(w, NOWHERE);
  }

  /** A move made before it is broken: from now on `w` counts on `to` as well as where it is. */
  beginMove(w: number, to: number): void {
    this.addLoad(w, to);
  }

  /** The move begun to `to` is done: `w` no longer counts where it was. */
  finishMove(w: number, to: number): void {
    const from = this.locationOf(w);
    if (from !== NOWHERE) this.removeLoad(w, from);
    this.location[w] = to;
  }

  /**
   * The first dimension, in the demand's key order, where `used > capacity - demand`: the
   * arithmetic of `dimensionsShort` and of the ledger's write condition, on vectors instead of maps.
   */
  private firstShortDimension(w: number, r: number): number {
    const base = r * this.width;
    const own = w * this.width;
    const { used, capacity, demand } = this;
    const demanded = at(this.demanded, w);
    for (let k = 0; k < demanded.length; k++) {
      const i = demanded[k] ?? 0;
      if ((used[base + i] ?? 0) > (capacity[base + i] ?? 0) - (demand[own + i] ?? 0)) return i;
    }
    return NOWHERE;
  }

  /** Its utilisation with `w`'s demand added (1), taken off (-1) or as it is (0). */
  private utilisationShiftedBy(w: number, r: number, sign: 1 | 0 | -1): number {
    const { used, capacity, demand, width } = this;
    const base = r * width;
    const own = w * width;
    let utilisation = 0;
    for (let i = 0; i < width; i++) {
      const share = ratio((used[base + i] ?? 0) + sign * (demand[own + i] ?? 0), capacity[base + i] ?? 0);
      if (share > utilisation) utilisation = share;
    }
    return utilisation;
  }

  private addLoad(w: number, r: number): void {
    this.shiftLoad(w, r, 1);
    at(this.occupants, r).add(w);
    const group = this.groupOf[w];
    if (group !== undefined) {
      const groups = at(this.groups, r);
      groups.set(group, (groups.get(group) ?? 0) + 1);
    }
  }

  private removeLoad(w: number, r: number): void {
    this.shiftLoad(w, r, -1);
    at(this.occupants, r).delete(w);
    const group = this.groupOf[w];
    if (group !== undefined) {
      const groups = at(this.groups, r);
      const count = (groups.get(group) ?? 0) - 1;
      if (count > 0) groups.set(group, count);
      else groups.delete(group);
    }
  }

  private shiftLoad(w: number, r: number, sign: 1 | -1): void {
    const base = r * this.width;
    const own = w * this.width;
    for (let i = 0; i < this.width; i++) {
      this.used[base + i] = (this.used[base + i] ?? 0) + sign * (this.demand[own + i] ?? 0);
    }
    this.utilisations[r] = this.utilisationShiftedBy(w, r, 0);
    if (!this.ordered) return;
    this.versions[r] = (this.versions[r] ?? 0) + 1;
    this.changes.push(r);
    if (this.active[r] === 1 && this.isUnsettled[r] === 0) {
      this.isUnsettled[r] = 1;
      this.unsettled.push(r);
    }
  }

  /** Merges the resources whose utilisation changed back into `order`, where the others are still sorted. */
  private settle(): void {
    const { unsettled, order } = this;
    if (unsettled.length === 0) return;
    unsettled.sort((a, b) => this.compareUtilisation(a, b));
    const kept = order.filter((r) => this.isUnsettled[r] === 0);
    let k = 0;
    let m = 0;
    for (let i = 0; i < order.length; i++) {
      const next = kept[k];
      const changed = unsettled[m];
      if (changed !== undefined && (next === undefined || this.compareUtilisation(changed, next) < 0)) {
        order[i] = changed;
        this.isUnsettled[changed] = 0;
        m++;
      } else {
        order[i] = next ?? NOWHERE;
        k++;
      }
    }
    unsettled.length = 0;
  }

  private compareUtilisation(a: number, b: number): number {
    return this.utilisation(a) - this.utilisation(b) || this.compareResources(a, b);
  }
}

/** Identifiers in code-unit order: the same on every machine, whatever its locale. */
export function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Indexing that a slot computed by this module can be trusted to satisfy. */
function at<T>(items: readonly T[], index: number): T {
  const item = items[index];
  if (item === undefined) throw new RangeError(`no slot ${index}`);
  return item;
}

function ratio(used: number, capacity: number): number {
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

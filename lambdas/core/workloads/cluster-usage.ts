/**
 * The cluster as numbers, kept current move by move: on top of its fixed figures
 * (`ClusterFigures`), per resource a usage vector, its utilisation, its occupants and its
 * anti-affinity groups, the active resources in order of utilisation, and a log of which
 * resource's usage changed (for `FitIndex`). A plan never recounts the cluster — what keeps
 * planning over 10 000 workloads well under a second.
 */
import type { ResourceState, ResourceView, WorkloadView } from './cluster';
import { at, ClusterFigures, NOWHERE, ratio } from './cluster-figures';
import { UtilisationOrder } from './utilisation-order';

/** Why a resource cannot take a workload, in the order checked: a resource counts under its first. */
export type Refusal =
  | Exclude<ResourceState, 'active'>
  | 'label mismatch'
  | 'anti-affinity'
  | `insufficient ${string}`;

/**
 * Resources and workloads are addressed by slot, their index in the arrays given. Workloads on a
 * resource the cluster does not list occupy nothing.
 */
export class ClusterUsage extends ClusterFigures {
  private readonly used: Float64Array;
  private readonly utilisations: Float64Array;
  private readonly order: UtilisationOrder;
  /** Whether `order` is made: placing the workloads found in place comes before it. */
  private ordered = false;
  private readonly location: Int32Array;
  private readonly occupants: Set<number>[];
  private readonly groups: Map<string, number>[];
  private readonly shortOf: Refusal[];
  /** Per resource, how many times its usage changed: what an index keyed on its usage checks. */
  private readonly versions: Uint32Array;
  /** The resources whose usage changed since construction, in order (repeats kept). */
  private readonly changes: number[] = [];

  constructor(resources: readonly ResourceView[], workloads: readonly WorkloadView[]) {
    super(resources, workloads);
    this.shortOf = this.dimensions.map((d): Refusal => `insufficient ${d}`);
    this.used = new Float64Array(resources.length * this.width);
    this.utilisations = new Float64Array(resources.length);
    this.occupants = resources.map(() => new Set<number>());
    this.groups = resources.map(() => new Map<string, number>());
    this.versions = new Uint32Array(resources.length);
    this.location = new Int32Array(workloads.length).fill(NOWHERE);
    workloads.forEach((workload, w) => {
      const r = workload.resourceId === undefined ? undefined : this.resourceSlot(workload.resourceId);
      if (r !== undefined) this.place(w, r);
    });

    // Sorted once everything is placed, then kept sorted move by move.
    this.order = new UtilisationOrder(
      resources.flatMap((_, r) => (this.active[r] ? [r] : [])),
      this.utilisations,
      this.resourceRanks,
    );
    this.ordered = true;
  }

  /** The active resources, the only ones that take workloads, by ascending utilisation then id; live. */
  get activeByUtilisation(): ArrayLike<number> {
    return this.order.sorted();
  }

  /** Its resource's slot, or `NOWHERE`. */
  locationOf(w: number): number {
    return this.location[w] ?? NOWHERE;
  }

  occupantsOf(r: number): ReadonlySet<number> {
    return at(this.occupants, r);
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

  /** The active resource with the highest utilisation (ties: the first by id), or `NOWHERE`. */
  peakResource(): number {
    const order = this.order.sorted();
    let i = order.length - 1;
    const peak = order[i] ?? NOWHERE;
    while (i > 0 && this.utilisation(order[i - 1] ?? NOWHERE) === this.utilisation(peak)) i--;
    return order[i] ?? NOWHERE;
  }

  /** Max utilisation over the active resources; 0 with none. */
  peakUtilisation(): number {
    const order = this.order.sorted();
    const peak = order[order.length - 1];
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
    if (this.active[r] === 1) this.order.changed(r);
  }
}

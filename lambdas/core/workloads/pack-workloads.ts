/**
 * Bin-packing a batch of pending workloads, one resource at a time: those already in use first
 * (fullest first), then the empty ones (largest first), each filled until it takes no more with,
 * every time, the workload that best trades size against balance — the largest, less a penalty
 * for leaving the resource's contents out of the proportions of what is left to place.
 *
 * Largest-first alone (best-fit decreasing) fills the first resources with memory-heavy workloads
 * until their memory is full and their vcpu half used, and the last ones with vcpu-heavy workloads
 * the other way round: 5 % more resources than the lower bound on the bench's clusters. Keeping
 * each resource's contents in the proportions of the remaining demand ends every resource full in
 * all its dimensions at once, as a tight packing must.
 */
import { chooseResource } from './choose-resource';
import { NOWHERE } from './cluster-figures';
import type { ClusterUsage } from './cluster-usage';

/**
 * What a unit of imbalance (the distance of a resource's contents from the direction of the
 * remaining demand, in shares of its capacity) costs in units of size. Any weight from 1.5 to 4
 * packs the bench's clusters onto the lower bound; below, balance loses to size; above, small
 * workloads that balance win over large ones that fit.
 */
const IMBALANCE_WEIGHT = 3;

/** Alike workloads (`ClusterUsage.alikeKey`): every resource takes all of them or none, anti-affinity apart. */
interface Kind {
  /** Any one of them, to ask the usage about the kind. */
  readonly sample: number;
  /** By anti-affinity group (`undefined`: none), in the batch's order; `next` is the first not placed. */
  readonly queues: { readonly members: number[]; next: number }[];
  left: number;
}

/**
 * The usage with what can be placed of `pending` (workload slots, largest first) placed, the rest
 * nowhere, on the fewest resources found: the balanced filling, or best-fit decreasing where that
 * uses fewer (it can, with a few workloads each large against the resources: balance matters
 * less than fit when a resource holds two or three). `fresh` makes a usage of the cluster as it is.
 */
export function packWorkloads(fresh: () => ClusterUsage, pending: readonly number[]): ClusterUsage {
  const balanced = fresh();
  fillBalanced(balanced, pending);
  const bestFit = fresh();
  for (const w of pending) {
    const r = chooseResource(bestFit, w, 'binpack');
    if (r !== NOWHERE) bestFit.place(w, r);
  }
  return resourcesInUse(bestFit) < resourcesInUse(balanced) ? bestFit : balanced;
}

function resourcesInUse(usage: ClusterUsage): number {
  let count = 0;
  for (let r = 0; r < usage.resources.length; r++) if (usage.occupantsOf(r).size > 0) count++;
  return count;
}

function fillBalanced(usage: ClusterUsage, pending: readonly number[]): void {
  const remaining = new Float64Array(usage.dimensions.length);
  const kinds = kindsOf(usage, pending, remaining);
  let left = pending.length;
  for (const r of fillOrder(usage)) {
    const open = kinds.filter((kind) => kind.left > 0);
    for (let next = bestFor(usage, open, r, remaining); next; next = bestFor(usage, open, r, remaining)) {
      const { kind, queue } = next;
      const w = queue.members[queue.next++] ?? 0;
      kind.left--;
      left--;
      usage.place(w, r);
      for (let i = 0; i < remaining.length; i++) remaining[i] = (remaining[i] ?? 0) - usage.demandIn(w, i);
    }
    if (left === 0) return;
  }
}

/** `pending` by kind, the kinds in order of their first member; adds their demand to `remaining`. */
function kindsOf(usage: ClusterUsage, pending: readonly number[], remaining: Float64Array): Kind[] {
  const kinds = new Map<string, Kind & { byGroup: Map<string | undefined, number[]> }>();
  for (const w of pending) {
    const key = usage.alikeKey(w);
    let kind = kinds.get(key);
    if (!kind) {
      kind = { sample: w, queues: [], left: 0, byGroup: new Map() };
      kinds.set(key, kind);
    }
    const group = usage.antiAffinityGroup(w);
    let members = kind.byGroup.get(group);
    if (!members) {
      members = [];
      kind.byGroup.set(group, members);
      kind.queues.push({ members, next: 0 });
    }
    members.push(w);
    kind.left++;
    for (let i = 0; i < remaining.length; i++) remaining[i] = (remaining[i] ?? 0) + usage.demandIn(w, i);
  }
  return [...kinds.values()];
}

/** The active resources: those in use, fullest first, then the empty ones, largest first (ties: id). */
function fillOrder(usage: ClusterUsage): number[] {
  const active = Array.from(usage.activeByUtilisation);
  const largest = usage.dimensions.map((_, i) => Math.max(0, ...active.map((r) => usage.capacityIn(r, i))));
  const size = (r: number) =>
    largest.reduce((sum, most, i) => (most > 0 ? sum + usage.capacityIn(r, i) / most : sum), 0);
  const inUse = active.filter((r) => usage.occupantsOf(r).size > 0);
  const empty = active.filter((r) => usage.occupantsOf(r).size === 0);
  return [
    ...inUse.sort((a, b) => usage.utilisation(b) - usage.utilisation(a) || usage.compareResources(a, b)),
    ...empty.sort((a, b) => size(b) - size(a) || usage.compareResources(a, b)),
  ];
}

/**
 * The kind `r` should take next and the queue of the member to take, or `undefined` if it takes
 * none. Drops from `open` the kinds `r` no longer takes: filling only adds to `r`, so a kind it
 * cannot take now it will not take later in this filling.
 */
function bestFor(
  usage: ClusterUsage,
  open: Kind[],
  r: number,
  remaining: Float64Array,
): { kind: Kind; queue: Kind['queues'][number] } | undefined {
  let best: { kind: Kind; queue: Kind['queues'][number] } | undefined;
  let bestScore = Number.NEGATIVE_INFINITY;
  let kept = 0;
  for (const kind of open) {
    if (kind.left === 0 || !usage.fitsApartFromGroup(kind.sample, r)) continue;
    const queue = kind.queues.find(
      ({ members, next }) => next < members.length && !usage.holdsGroupOf(members[next] ?? 0, r),
    );
    if (!queue) continue;
    open[kept++] = kind;
    const score = fillScore(usage, kind.sample, r, remaining);
    // Ties keep the earlier kind: the larger.
    if (score > bestScore) {
      best = { kind, queue };
      bestScore = score;
    }
  }
  open.length = kept;
  return best;
}

/**
 * Its size on `r` (the sum of its shares of `r`'s capacity) less the imbalance `r`'s contents
 * would have with it: their distance from the direction of the demand left to place.
 */
function fillScore(usage: ClusterUsage, w: number, r: number, remaining: Float64Array): number {
  let size = 0;
  let contents = 0;
  let along = 0;
  let direction = 0;
  for (let i = 0; i < remaining.length; i++) {
    const capacity = usage.capacityIn(r, i);
    if (!(capacity > 0)) continue;
    const share = usage.demandIn(w, i) / capacity;
    const filled = usage.usedIn(r, i) / capacity + share;
    const wanted = Math.max(0, remaining[i] ?? 0) / capacity;
    size += share;
    contents += filled * filled;
    along += filled * wanted;
    direction += wanted * wanted;
  }
  const imbalance = direction > 0 ? Math.sqrt(Math.max(0, contents - (along * along) / direction)) : 0;
  return size - IMBALANCE_WEIGHT * imbalance;
}

/**
 * The resources that take a workload, best first under a strategy, kept per kind of workload so
 * that a choice is a look at the top of a heap rather than a scan of the cluster. Workloads alike
 * (the same demand and label constraints: `ClusterUsage.alikeKey`) share one heap of the resources
 * that take them. A heap is built the second time its kind is asked for (once is cheaper scanned)
 * and catches up with the usage changes since it was last asked, from the usage's change log: a
 * resource whose usage changed gets a fresh entry, and entries older than their resource's
 * version are dropped as they surface. Placing 10 000 workloads on 1 000 resources so costs a few
 * heap operations each instead of a thousand fit tests.
 */
import type { PlacementStrategy } from '../allocation/choose-pool';
import { NOWHERE } from './cluster-figures';
import type { ClusterUsage } from './cluster-usage';
import { choiceAllows, type ResourceChoice } from './resource-choice';

interface Entry {
  readonly r: number;
  /** The resource's version when the entry was made: its figures hold while that is current. */
  readonly version: number;
  /** Its utilisation with the workload added. */
  readonly after: number;
  /** Its utilisation as it is. */
  readonly now: number;
}

/** A kind of workload's heap; `pushed[r]` is the version of `r`'s newest entry (or none, -1). */
interface KindHeap {
  readonly heap: BinaryHeap<Entry>;
  readonly pushed: Int32Array;
  /** The usage's change count this heap has caught up with. */
  seen: number;
}

const indexes = new WeakMap<ClusterUsage, FitIndex>();

/** The index of `usage`, made on first use. */
export function fitIndexOf(usage: ClusterUsage): FitIndex {
  let index = indexes.get(usage);
  if (!index) {
    index = new FitIndex(usage);
    indexes.set(usage, index);
  }
  return index;
}

export class FitIndex {
  private readonly heaps = new Map<string, KindHeap>();
  /** Kinds asked for once: the second ask builds their heap. */
  private readonly askedOnce = new Set<string>();

  constructor(private readonly usage: ClusterUsage) {}

  /**
   * The resource `chooseResource` would choose for `w`, or `undefined` when its kind has no heap
   * yet: the caller scans instead.
   */
  best(w: number, strategy: PlacementStrategy, choice: ResourceChoice): number | undefined {
    const kind = `${strategy}#${this.usage.alikeKey(w)}`;
    let heap = this.heaps.get(kind);
    if (!heap) {
      if (!this.askedOnce.has(kind)) {
        this.askedOnce.add(kind);
        return undefined;
      }
      heap = this.build(w, strategy);
      this.heaps.set(kind, heap);
    } else if (!this.catchUp(heap, w)) {
      heap = this.build(w, strategy);
      this.heaps.set(kind, heap);
    }
    return this.top(heap, w, choice);
  }

  /** The best current entry that `choice` and anti-affinity allow; the entries passed over stay. */
  private top({ heap }: KindHeap, w: number, choice: ResourceChoice): number {
    const { usage } = this;
    const passedOver: Entry[] = [];
    let chosen = NOWHERE;
    for (let entry = heap.peek(); entry !== undefined; entry = heap.peek()) {
      if (entry.version !== usage.versionOf(entry.r)) {
        heap.pop();
        continue;
      }
      const r = entry.r;
      if (choiceAllows(usage, w, r, choice) && !usage.holdsGroupOf(w, r)) {
        chosen = r;
        break;
      }
      heap.pop();
      passedOver.push(entry);
    }
    for (const entry of passedOver) heap.push(entry);
    return chosen;
  }

  private build(w: number, strategy: PlacementStrategy): KindHeap {
    const { usage } = this;
    const entries: Entry[] = [];
    const pushed = new Int32Array(usage.resources.length).fill(-1);
    for (let r = 0; r < usage.resources.length; r++) {
      const entry = this.entry(w, r);
      pushed[r] = usage.versionOf(r);
      if (entry) entries.push(entry);
    }
    const heap = new BinaryHeap(strategy === 'spread' ? this.emptierFirst : this.fullerFirst, entries);
    return { heap, pushed, seen: usage.changeCount };
  }

  /** Fresh entries for the resources changed since the heap was last asked; false when a rebuild is cheaper. */
  private catchUp(kind: KindHeap, w: number): boolean {
    const { usage } = this;
    const changes = usage.changeCount;
    if (changes - kind.seen > usage.resources.length || kind.heap.size > 4 * usage.resources.length) {
      return false;
    }
    for (let i = kind.seen; i < changes; i++) {
      const r = usage.changedAt(i);
      const version = usage.versionOf(r);
      if (kind.pushed[r] === version) continue;
      kind.pushed[r] = version;
      const entry = this.entry(w, r);
      if (entry) kind.heap.push(entry);
    }
    kind.seen = changes;
    return true;
  }

  /** `r`'s entry for `w`'s kind, if `r` takes it (anti-affinity apart). */
  private entry(w: number, r: number): Entry | undefined {
    const { usage } = this;
    if (!usage.fitsApartFromGroup(w, r)) return undefined;
    return { r, version: usage.versionOf(r), after: usage.utilisationWith(w, r), now: usage.utilisation(r) };
  }

  /** `spread`: the lowest utilisation once added, then the lowest now, then id. */
  private readonly emptierFirst = (a: Entry, b: Entry): number =>
    a.after - b.after || a.now - b.now || this.usage.compareResources(a.r, b.r);

  /** `binpack`: the highest utilisation once added, then id. */
  private readonly fullerFirst = (a: Entry, b: Entry): number =>
    b.after - a.after || this.usage.compareResources(a.r, b.r);
}

/** A binary min-heap under `compare`. */
class BinaryHeap<T> {
  private readonly items: T[];

  constructor(
    private readonly compare: (a: T, b: T) => number,
    items: T[],
  ) {
    this.items = items;
    for (let i = (items.length >> 1) - 1; i >= 0; i--) this.down(i);
  }

  get size(): number {
    return this.items.length;
  }

  peek(): T | undefined {
    return this.items[0];
  }

  push(item: T): void {
    this.items.push(item);
    this.up(this.items.length - 1);
  }

  pop(): T | undefined {
    const { items } = this;
    const top = items[0];
    const last = items.pop();
    if (items.length > 0 && last !== undefined) {
      items[0] = last;
      this.down(0);
    }
    return top;
  }

  private up(i: number): void {
    const { items, compare } = this;
    const item = items[i] as T;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const above = items[parent] as T;
      if (compare(item, above) >= 0) break;
      items[i] = above;
      i = parent;
    }
    items[i] = item;
  }

  private down(i: number): void {
    const { items, compare } = this;
    const n = items.length;
    const item = items[i] as T;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= n) break;
      const right = child + 1;
      if (right < n && compare(items[right] as T, items[child] as T) < 0) child = right;
      const below = items[child] as T;
      if (compare(below, item) >= 0) break;
      items[i] = below;
      i = child;
    }
    items[i] = item;
  }
}

/**
 * The active resources in order of utilisation, then id, kept so as moves change utilisations:
 * a resource whose utilisation changed is set aside and merged back at the next read, so that a
 * batch of changes costs one pass, not one each.
 */
import { NOWHERE } from './cluster-figures';

export class UtilisationOrder {
  /** By ascending utilisation, then rank, but for those in `unsettled`. */
  private readonly order: Int32Array;
  private readonly unsettled: number[] = [];
  private readonly isUnsettled: Uint8Array;

  /**
   * @param utilisations every resource's utilisation, by slot: live, read at each comparison
   * @param ranks every resource's place in id order, by slot
   */
  constructor(
    activeSlots: readonly number[],
    private readonly utilisations: Float64Array,
    private readonly ranks: Int32Array,
  ) {
    this.order = Int32Array.from([...activeSlots].sort((a, b) => this.compare(a, b)));
    this.isUnsettled = new Uint8Array(utilisations.length);
  }

  /** `r`'s utilisation changed: it takes its place again at the next read. */
  changed(r: number): void {
    if (this.isUnsettled[r] === 1) return;
    this.isUnsettled[r] = 1;
    this.unsettled.push(r);
  }

  /** The order as it is now; live until the next change. */
  sorted(): Int32Array {
    this.settle();
    return this.order;
  }

  /** Merges the resources whose utilisation changed back into `order`, where the others are still sorted. */
  private settle(): void {
    const { unsettled, order } = this;
    if (unsettled.length === 0) return;
    unsettled.sort((a, b) => this.compare(a, b));
    const kept = order.filter((r) => this.isUnsettled[r] === 0);
    let k = 0;
    let m = 0;
    for (let i = 0; i < order.length; i++) {
      const next = kept[k];
      const changed = unsettled[m];
      if (changed !== undefined && (next === undefined || this.compare(changed, next) < 0)) {
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

  private compare(a: number, b: number): number {
    return (
      (this.utilisations[a] ?? 0) - (this.utilisations[b] ?? 0) || (this.ranks[a] ?? 0) - (this.ranks[b] ?? 0)
    );
  }
}

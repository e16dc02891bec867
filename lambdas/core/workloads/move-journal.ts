/**
 * The moves of a plan in the making, applied to the usage as they are made so that every later
 * choice sees them, and undone (last first) when a phase thinks better of them.
 */
import type { ClusterUsage } from './cluster-usage';
import type { Cooldown } from './cooldown';

export interface JournalEntry {
  readonly w: number;
  readonly from: number;
  readonly to: number;
  readonly reason: string;
  /** Made to empty a draining or released resource, rather than to improve the placement. */
  readonly evacuates: boolean;
}

export class MoveJournal {
  readonly entries: JournalEntry[] = [];
  private readonly moved = new Set<number>();

  constructor(
    readonly usage: ClusterUsage,
    readonly maxMoves: number,
  ) {}

  /** Moves left within `maxMoves`. */
  get remaining(): number {
    return this.maxMoves - this.entries.length;
  }

  /** Whether optimising may move `w`: not pinned, not moved in this plan (once is enough), not cooling down. */
  mayOptimise(w: number, cooldown: Cooldown): boolean {
    return !this.usage.isPinned(w) && !this.moved.has(w) && !cooldown.isCooling(w);
  }

  move(w: number, to: number, reason: string, evacuates: boolean): void {
    this.entries.push({ w, from: this.usage.locationOf(w), to, reason, evacuates });
    this.moved.add(w);
    this.usage.move(w, to);
  }

  /** Undoes every move after the first `length`, last first: each undo is valid, as its move was. */
  rollback(length: number): void {
    while (this.entries.length > length) {
      const entry = this.entries.pop();
      if (!entry) return;
      this.usage.move(entry.w, entry.from);
      this.moved.delete(entry.w);
    }
  }
}

/**
 * A move as the planner proposes it, and a move made earlier as the cooldown remembers it: the
 * words the planner's parts (cooldown, waves, applying and checking moves) share.
 */

export interface PlannedMove {
  readonly workloadId: string;
  readonly from: string;
  readonly to: string;
  /** "evacuate draining resource r-7", "lower peak: r-3 0.97 → 0.81", "consolidate: empty r-9" */
  readonly reason: string;
}

export interface RecentMove {
  readonly workloadId: string;
  readonly from: string;
  readonly to: string;
  /** Epoch ms. */
  readonly movedAt: number;
}

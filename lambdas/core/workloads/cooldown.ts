/**
 * No ping-pong: a workload moved within the cooldown is left where it is by optimisation, and no
 * move sends a workload back to a resource it left within the cooldown.
 */
import type { ClusterUsage } from './cluster-usage';
import type { RecentMove } from './rebalance-moves';

export const DEFAULT_COOLDOWN_MS = 600_000;

export interface Cooldown {
  /** Moved within the cooldown: only an evacuation may move it again. */
  isCooling(w: number): boolean;
  /** The resources it left within the cooldown, which no move may send it back to. */
  leftRecently(w: number): ReadonlySet<number> | undefined;
}

/**
 * The cooldown at `now`; without `now` every recent move given counts (the caller chose them).
 * Moves of workloads or from resources the cluster does not know are ignored.
 */
export function cooldownOf(
  usage: ClusterUsage,
  recentMoves: readonly RecentMove[],
  now: number | undefined,
  cooldownMs: number,
): Cooldown {
  const left = new Map<number, Set<number>>();
  for (const move of recentMoves) {
    if (now !== undefined && now - move.movedAt >= cooldownMs) continue;
    const w = usage.workloadSlot(move.workloadId);
    if (w === undefined) continue;
    const resources = left.get(w) ?? new Set<number>();
    left.set(w, resources);
    const from = usage.resourceSlot(move.from);
    if (from !== undefined) resources.add(from);
  }
  return {
    isCooling: (w) => left.has(w),
    leftRecently: (w) => left.get(w),
  };
}

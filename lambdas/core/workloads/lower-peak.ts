/**
 * Spreading: bring every active resource under the lowest level it can reach at once
 * (`levelPeak`); then move a workload off the most utilised active resource to where it lowers
 * the peak most, again and again while each move takes that resource strictly below the peak;
 * and so on in turn until neither lowers the peak. Moves that end up lowering no peak are undone,
 * and so is the whole phase when it gains less than `minGain` (hysteresis: a small gain is not
 * worth the disruption).
 */
import { NOWHERE } from './cluster-figures';
import type { ClusterUsage } from './cluster-usage';
import type { Cooldown } from './cooldown';
import { levelPeak } from './level-peak';
import type { MoveJournal } from './move-journal';

export interface PeakLowering {
  readonly peakBefore: number;
  /** The lowest peak reached, whether or not hysteresis kept the moves that reach it. */
  readonly peakReached: number;
  readonly moves: number;
  /** Moves undone because together they gained less than `minGain`. */
  readonly dropped: number;
  /** `maxMoves` ran out while the peak could still go lower. */
  readonly cutShort: boolean;
}

interface Candidate {
  readonly w: number;
  readonly to: number;
  /** The higher of the two resources' utilisations after the move: the lower, the better. */
  readonly peak: number;
  /** The target's utilisation before the move, for ties (then its id, then the workload's). */
  readonly target: number;
}

export function lowerPeak(journal: MoveJournal, cooldown: Cooldown, minGain: number): PeakLowering {
  const { usage } = journal;
  const start = journal.entries.length;
  const peakBefore = usage.peakUtilisation();
  let peakReached = peakBefore;
  let kept = start;
  let cutShort = false;
  const keepIfLower = () => {
    const now = usage.peakUtilisation();
    if (now < peakReached) {
      peakReached = now;
      kept = journal.entries.length;
    }
  };
  // Levelling and single moves, in turn, until neither lowers the peak: each can open a way for the other.
  for (let round = journal.entries.length; !cutShort; round = journal.entries.length) {
    const levelling = levelPeak(journal, cooldown);
    cutShort = levelling.cutShort;
    keepIfLower();
    for (let p = usage.peakResource(); p !== NOWHERE; p = usage.peakResource()) {
      const move = bestMoveOff(usage, p, journal, cooldown);
      if (!move) break;
      if (journal.remaining <= 0) {
        cutShort = true;
        break;
      }
      const peak = usage.utilisation(p);
      const reason = `lower peak: ${usage.resourceId(p)} ${peak.toFixed(2)} → ${usage.utilisationWithout(move.w, p).toFixed(2)}`;
      journal.move(move.w, move.to, reason, false);
      keepIfLower();
    }
    // Moves after the last that lowered the peak only shuffled resources at the same peak.
    journal.rollback(kept);
    if (journal.entries.length === round) break;
  }
  const moves = kept - start;
  if (moves > 0 && peakBefore - peakReached < minGain) {
    journal.rollback(start);
    return { peakBefore, peakReached, moves: 0, dropped: moves, cutShort };
  }
  return { peakBefore, peakReached, moves, dropped: 0, cutShort };
}

/**
 * The move off `p` with the lowest resulting peak of the two resources, if that is below `p`'s
 * utilisation now (ties: the emptier target, then ids). Targets are scanned emptiest first, so
 * the scan for a workload stops at the first target that could not beat the best move found.
 */
function bestMoveOff(
  usage: ClusterUsage,
  p: number,
  journal: MoveJournal,
  cooldown: Cooldown,
): Candidate | undefined {
  const peak = usage.utilisation(p);
  const order = usage.activeByUtilisation;
  let best: Candidate | undefined;
  for (const w of usage.occupantsOf(p)) {
    if (!journal.mayOptimise(w, cooldown)) continue;
    const left = usage.utilisationWithout(w, p);
    const avoid = cooldown.leftRecently(w);
    for (let i = 0; i < order.length; i++) {
      const to = order[i] ?? NOWHERE;
      const target = usage.utilisation(to);
      // The best any target from here on can do: the move's peak is at least `left` and `target`.
      const bound = { w, to, peak: Math.max(left, target), target };
      if (!(bound.peak < peak) || (best && compare(usage, bound, best) > 0)) break;
      if (to === p || avoid?.has(to) || usage.refusal(w, to) !== undefined) continue;
      const candidate = { ...bound, peak: Math.max(left, usage.utilisationWith(w, to)) };
      if (candidate.peak < peak && (!best || compare(usage, candidate, best) < 0)) best = candidate;
    }
  }
  return best;
}

function compare(usage: ClusterUsage, a: Candidate, b: Candidate): number {
  return (
    a.peak - b.peak ||
    a.target - b.target ||
    usage.compareResources(a.to, b.to) ||
    usage.compareWorkloads(a.w, b.w)
  );
}

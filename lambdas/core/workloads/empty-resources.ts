/**
 * Bin-packing: empty the least-filled active resources, one at a time, each only if every one of
 * its workloads fits on another resource already in use (best fit) within the moves left. A
 * resource that cannot be emptied keeps its workloads: half-emptying one frees nothing.
 */
import { chooseResource } from './choose-resource';
import { NOWHERE } from './cluster-figures';
import type { ClusterUsage } from './cluster-usage';
import type { Cooldown } from './cooldown';
import type { MoveJournal } from './move-journal';

export interface Consolidation {
  /** The resources emptied, in order. */
  readonly freed: number[];
  readonly moves: number;
  /** A resource could have been emptied but for `maxMoves`. */
  readonly cutShort: boolean;
}

/**
 * Passes over the candidates, least filled first, until a pass empties none: emptying one
 * resource fills others, which can change what fits, and planning must reach a state where
 * planning again finds nothing.
 */
export function emptyResources(journal: MoveJournal, cooldown: Cooldown): Consolidation {
  const { usage } = journal;
  const start = journal.entries.length;
  const freed: number[] = [];
  let cutShort = false;
  for (let emptied = -1; emptied !== 0; ) {
    emptied = 0;
    for (const r of candidates(usage)) {
      // Once `maxMoves` is known to cut the plan short, trying what it cannot afford teaches nothing.
      if (cutShort && usage.occupantsOf(r).size > journal.remaining) continue;
      const outcome = tryToEmpty(journal, cooldown, r);
      if (outcome === 'emptied') {
        freed.push(r);
        emptied++;
      } else if (outcome === 'over budget') cutShort = true;
    }
  }
  return { freed, moves: journal.entries.length - start, cutShort };
}

/** The active resources in use, least filled first (ties: id), as they are now. */
function candidates(usage: ClusterUsage): number[] {
  return Array.from(usage.activeByUtilisation).filter((r) => usage.occupantsOf(r).size > 0);
}

function tryToEmpty(
  journal: MoveJournal,
  cooldown: Cooldown,
  r: number,
): 'emptied' | 'does not fit' | 'over budget' | 'immovable' {
  const { usage } = journal;
  const workloads = [...usage.occupantsOf(r)];
  if (!workloads.every((w) => journal.mayOptimise(w, cooldown))) return 'immovable';
  workloads.sort((a, b) => usage.sizeOf(b) - usage.sizeOf(a) || usage.compareWorkloads(a, b));
  const mark = journal.entries.length;
  const budget = journal.remaining;
  for (const w of workloads) {
    const to = chooseResource(usage, w, 'binpack', { avoid: cooldown.leftRecently(w), occupiedOnly: true });
    if (to === NOWHERE) {
      journal.rollback(mark);
      return 'does not fit';
    }
    journal.move(w, to, `consolidate: empty ${usage.resourceId(r)}`, false);
  }
  if (workloads.length <= budget) return 'emptied';
  journal.rollback(mark);
  return 'over budget';
}

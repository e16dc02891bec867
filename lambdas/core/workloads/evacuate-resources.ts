/**
 * Evacuation: every workload on a draining or released resource moves to an active one. It comes
 * before any optimisation and ignores hysteresis and the cooldown, though never sends a workload
 * back to a resource it left recently.
 */
import type { PlacementStrategy } from '../allocation/choose-pool';
import { chooseResource } from './choose-resource';
import { NOWHERE } from './cluster-figures';
import type { Cooldown } from './cooldown';
import type { MoveJournal } from './move-journal';

export interface Evacuation {
  /** Workloads no active resource can take. */
  readonly stranded: number[];
  /** Workloads not tried: `maxMoves` ran out first. */
  readonly untried: number[];
}

/**
 * The workloads on draining or released resources but pinned ones, those of the resources with
 * the fewest first (so that a tight `maxMoves` empties whole resources), the largest first within
 * a resource.
 */
export function workloadsToEvacuate(journal: MoveJournal): number[] {
  const { usage } = journal;
  const sources = usage.resources
    .map((_, r) => [...usage.occupantsOf(r)].filter((w) => !usage.isPinned(w)))
    .map((workloads, r) => ({ r, workloads }))
    .filter(({ r, workloads }) => !usage.isActive(r) && workloads.length > 0)
    .sort((a, b) => a.workloads.length - b.workloads.length || usage.compareResources(a.r, b.r));
  return sources.flatMap(({ workloads }) =>
    workloads.sort((a, b) => usage.sizeOf(b) - usage.sizeOf(a) || usage.compareWorkloads(a, b)),
  );
}

export function evacuate(
  journal: MoveJournal,
  strategy: PlacementStrategy,
  cooldown: Cooldown,
  workloads: readonly number[],
): Evacuation {
  const { usage } = journal;
  const stranded: number[] = [];
  for (const [i, w] of workloads.entries()) {
    if (journal.remaining <= 0) return { stranded, untried: workloads.slice(i) };
    const from = usage.locationOf(w);
    const to = chooseResource(usage, w, strategy, { avoid: cooldown.leftRecently(w) });
    if (to === NOWHERE) stranded.push(w);
    else journal.move(w, to, `evacuate ${usage.stateOf(from)} resource ${usage.resourceId(from)}`, true);
  }
  return { stranded, untried: [] };
}

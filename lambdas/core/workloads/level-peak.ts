/**
 * Spreading jointly: the lowest level every active resource can be brought under at once, found
 * by bisection, and the moves that bring them there. For a level, each resource above it gives up
 * its largest movable workloads until it is under; those then go, largest first, each where it
 * leaves the lowest utilisation, none above the level. Moving one workload at a time off the
 * peak resource stalls as soon as one of the resources tied at the peak cannot be lowered; a
 * level is reached by all of them together or not at all.
 */
import { chooseResource } from './choose-resource';
import { NOWHERE } from './cluster-figures';
import type { ClusterUsage } from './cluster-usage';
import type { Cooldown } from './cooldown';
import type { MoveJournal } from './move-journal';

/** Levels closer than this are not told apart (a 64-vcpu resource steps 0.016 a vcpu): seven trials from 0.4 apart. */
const PRECISION = 0.004;

export interface Levelling {
  readonly moves: number;
  /** A lower level needed more moves than `maxMoves` leaves. */
  readonly cutShort: boolean;
}

type Trial = 'levelled' | 'stuck' | 'over budget';

/** Brings the active resources under the lowest level found, if it is below the peak now. */
export function levelPeak(journal: MoveJournal, cooldown: Cooldown): Levelling {
  const { usage } = journal;
  const start = journal.entries.length;
  let high = usage.peakUtilisation();
  let low = averageLoad(usage);
  let levelled: number | undefined;
  let cutShort = false;
  while (high - low > PRECISION) {
    const level = (low + high) / 2;
    const outcome = tryLevel(journal, cooldown, level);
    journal.rollback(start);
    if (outcome === 'levelled') {
      levelled = level;
      high = level;
    } else {
      cutShort ||= outcome === 'over budget';
      low = level;
    }
  }
  if (levelled !== undefined) tryLevel(journal, cooldown, levelled);
  return { moves: journal.entries.length - start, cutShort };
}

/**
 * No placement has a peak below this: in every dimension, what runs anywhere over what the
 * active resources hold.
 */
function averageLoad(usage: ClusterUsage): number {
  let load = 0;
  usage.dimensions.forEach((_, i) => {
    let used = 0;
    let capacity = 0;
    for (let r = 0; r < usage.resources.length; r++) {
      used += usage.usedIn(r, i);
      if (usage.isActive(r)) capacity += usage.capacityIn(r, i);
    }
    if (capacity > 0) load = Math.max(load, used / capacity);
  });
  return load;
}

/**
 * Moves every active resource under `level`, or says why it cannot (the moves made are then the
 * caller's to undo): the targets are chosen as if every workload to move had left already, then
 * the moves made in an order where each has room when it is made.
 */
function tryLevel(journal: MoveJournal, cooldown: Cooldown, level: number): Trial {
  const { usage } = journal;
  const leaving: Leaver[] = [];
  const order = Array.from(usage.activeByUtilisation);
  for (let i = order.length - 1; i >= 0; i--) {
    const r = order[i] ?? NOWHERE;
    if (usage.utilisation(r) <= level) break;
    const given = workloadsToGive(journal, cooldown, r, level);
    if (!given) return 'stuck';
    const reason = `lower peak: ${usage.resourceId(r)} ${usage.utilisation(r).toFixed(2)} → ${given.after.toFixed(2)}`;
    for (const w of given.workloads) leaving.push({ w, from: r, to: NOWHERE, reason });
  }
  if (leaving.length > journal.remaining) return 'over budget';
  leaving.sort(
    (a, b) =>
      Number(usage.isLabelBound(b.w)) - Number(usage.isLabelBound(a.w)) ||
      usage.sizeOf(b.w) - usage.sizeOf(a.w) ||
      usage.compareWorkloads(a.w, b.w),
  );
  if (!chooseTargets(journal, cooldown, leaving, level)) return 'stuck';
  if (leaving.length > journal.remaining) return 'over budget';
  return moveInOrder(journal, leaving) ? 'levelled' : 'stuck';
}

interface Leaver {
  readonly w: number;
  readonly from: number;
  to: number;
  readonly reason: string;
}

/** How many of the resources nearest to taking a leaver are tried for room, when none takes it as it is. */
const ROOM_MAKERS = 32;

/**
 * Each leaver's target, where it leaves the lowest utilisation with every leaver lifted off its
 * resource first, none above `level` (its own resource included: then it stays). A leaver that no
 * resource takes under the level has room made for it: a workload no larger leaves one of the
 * resources nearest to taking it, for a resource that takes that one under the level — and joins
 * the leavers. Leaves the usage as it found it; false if some leaver has nowhere to go.
 */
function chooseTargets(journal: MoveJournal, cooldown: Cooldown, leaving: Leaver[], level: number): boolean {
  const { usage } = journal;
  for (const { w } of leaving) usage.lift(w);
  const moving = new Map(leaving.map((leaver) => [leaver.w, leaver]));
  let found = true;
  // Only the leavers given: those that made room join `leaving` with their target chosen.
  const given = leaving.length;
  for (let i = 0; i < given && found; i++) {
    const leaver = leaving[i] as Leaver;
    const to = targetUnder(usage, cooldown, leaver.w, level);
    if (to === NOWHERE) found = makeRoom(journal, cooldown, leaver, level, leaving, moving);
    else {
      usage.place(leaver.w, to);
      leaver.to = to;
    }
  }
  for (const { w, from } of leaving) {
    if (usage.locationOf(w) !== NOWHERE) usage.lift(w);
    usage.place(w, from);
  }
  return found;
}

/** Where `w` goes with the lowest utilisation, if that is under `level`; never to `not`. */
function targetUnder(
  usage: ClusterUsage,
  cooldown: Cooldown,
  w: number,
  level: number,
  not = NOWHERE,
): number {
  const left = cooldown.leftRecently(w);
  const avoid = not === NOWHERE ? left : new Set([...(left ?? []), not]);
  const to = chooseResource(usage, w, 'spread', { avoid });
  return to !== NOWHERE && usage.utilisationWith(w, to) <= level ? to : NOWHERE;
}

/** Places `leaver` by sending a workload no larger away from a resource nearly able to take it; false if none can. */
function makeRoom(
  journal: MoveJournal,
  cooldown: Cooldown,
  leaver: Leaver,
  level: number,
  leaving: Leaver[],
  moving: Map<number, Leaver>,
): boolean {
  const { usage } = journal;
  const { w } = leaver;
  const left = cooldown.leftRecently(w);
  const nearest = Array.from(usage.activeByUtilisation)
    .filter((r) => !left?.has(r) && usage.refusal(w, r) !== 'label mismatch' && !usage.holdsGroupOf(w, r))
    .map((r) => ({ r, after: usage.utilisationWith(w, r) }))
    .sort((a, b) => a.after - b.after || usage.compareResources(a.r, b.r))
    .slice(0, ROOM_MAKERS);
  for (const { r } of nearest) {
    // A leaver placed here already may go elsewhere at no cost; another workload costs a move.
    const noLarger = [...usage.occupantsOf(r)]
      .filter(
        (v) => (moving.has(v) || journal.mayOptimise(v, cooldown)) && usage.sizeOf(v) <= usage.sizeOf(w),
      )
      .sort((a, b) => usage.sizeOf(a) - usage.sizeOf(b) || usage.compareWorkloads(a, b));
    for (const v of noLarger) {
      usage.lift(v);
      if (usage.refusal(w, r) === undefined && usage.utilisationWith(w, r) <= level) {
        usage.place(w, r);
        const to = targetUnder(usage, cooldown, v, level, r);
        if (to !== NOWHERE) {
          usage.place(v, to);
          leaver.to = r;
          const already = moving.get(v);
          if (already) already.to = to;
          else {
            const made = { w: v, from: r, to, reason: `lower peak: room on ${usage.resourceId(r)}` };
            leaving.push(made);
            moving.set(v, made);
          }
          return true;
        }
        usage.lift(w);
      }
      usage.place(v, r);
    }
  }
  return false;
}

/** Makes the leavers' moves, each once its target has room; false if some never has (a cycle). */
function moveInOrder(journal: MoveJournal, leaving: readonly Leaver[]): boolean {
  const { usage } = journal;
  let waiting = leaving.filter(({ from, to }) => to !== from);
  while (waiting.length > 0) {
    const later = waiting.filter(({ w, to }) => usage.refusal(w, to) !== undefined);
    if (later.length === waiting.length) return false;
    for (const { w, to, reason } of waiting) {
      if (usage.locationOf(w) !== to && usage.refusal(w, to) === undefined)
        journal.move(w, to, reason, false);
    }
    waiting = waiting.filter(({ w, to }) => usage.locationOf(w) !== to);
  }
  return true;
}

/**
 * The workloads `r` gives up to come under `level`, the largest share of it first, and its
 * utilisation without them; `undefined` if giving up all it may move is not enough.
 */
function workloadsToGive(
  journal: MoveJournal,
  cooldown: Cooldown,
  r: number,
  level: number,
): { workloads: number[]; after: number } | undefined {
  const { usage } = journal;
  const width = usage.dimensions.length;
  const used = Float64Array.from(usage.dimensions, (_, i) => usage.usedIn(r, i));
  const scratch = new Float64Array(width);
  const shares = new Map<number, number>();
  for (const w of usage.occupantsOf(r)) {
    if (!journal.mayOptimise(w, cooldown)) continue;
    let most = 0;
    for (let i = 0; i < width; i++) most = Math.max(most, usage.demandIn(w, i) / usage.capacityIn(r, i) || 0);
    shares.set(w, most);
  }
  const share = (w: number) => shares.get(w) ?? 0;
  const movable = [...shares.keys()].sort((a, b) => share(b) - share(a) || usage.compareWorkloads(a, b));
  const workloads: number[] = [];
  const without = (w: number) => {
    for (let i = 0; i < width; i++) used[i] = (used[i] ?? 0) - usage.demandIn(w, i);
    workloads.push(w);
    return usage.utilisationOfUse(r, used);
  };
  const afterGiving = (w: number) => {
    for (let i = 0; i < width; i++) scratch[i] = (used[i] ?? 0) - usage.demandIn(w, i);
    return usage.utilisationOfUse(r, scratch);
  };
  let after = usage.utilisation(r);
  // The largest first, but the last one the smallest that is enough: no more room given than needed.
  for (let k = 0; after > level && k < movable.length; ) {
    let last: number | undefined;
    for (let j = movable.length - 1; j >= k; j--) {
      const w = movable[j] ?? NOWHERE;
      const enough = afterGiving(w) <= level;
      // Among those as large as the smallest found enough, the first by id.
      if (last !== undefined && (share(w) !== share(last) || !enough)) break;
      if (enough) last = w;
    }
    if (last !== undefined) {
      after = without(last);
      break;
    }
    after = without(movable[k++] ?? NOWHERE);
  }
  return after <= level ? { workloads, after } : undefined;
}

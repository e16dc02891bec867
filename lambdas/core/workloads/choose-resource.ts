/**
 * Which resource takes one workload under a strategy, or why none can, in the words an operator
 * reads: "0/40 resources: 25 insufficient memoryGiB, 9 label mismatch, 6 anti-affinity".
 */
import type { PlacementStrategy } from '../allocation/choose-pool';
import { compareIds, NOWHERE } from './cluster-figures';
import type { ClusterUsage } from './cluster-usage';
import { fitIndexOf } from './fit-index';
import { choiceAllows, type ResourceChoice } from './resource-choice';

/** The refusal counted for a resource that would take the workload but for the cooldown. */
const LEFT_RECENTLY = 'left within cooldown';

/**
 * The resource for `w`, never the one it is on, or `NOWHERE`, read off the fit index (a scan the
 * first time a kind of workload is asked for). `spread`: the lowest utilisation
 * once it is added (ties: the lowest now, then id); `binpack`: the highest, i.e. the best fit, so
 * that the fewest resources are used (ties: id).
 */
export function chooseResource(
  usage: ClusterUsage,
  w: number,
  strategy: PlacementStrategy,
  choice: ResourceChoice = {},
): number {
  return fitIndexOf(usage).best(w, strategy, choice) ?? scanForResource(usage, w, strategy, choice);
}

/** `chooseResource`'s choice by a scan of the resources in order of utilisation, no index. */
export function scanForResource(
  usage: ClusterUsage,
  w: number,
  strategy: PlacementStrategy,
  choice: ResourceChoice = {},
): number {
  return strategy === 'spread' ? emptiestFit(usage, w, choice) : fullestFit(usage, w, choice);
}

function emptiestFit(usage: ClusterUsage, w: number, choice: ResourceChoice): number {
  const order = usage.activeByUtilisation;
  let best = NOWHERE;
  let bestAfter = Number.POSITIVE_INFINITY;
  for (let i = 0; i < order.length; i++) {
    const r = order[i] ?? NOWHERE;
    // Adding a workload never lowers a utilisation, and the rest are fuller: none can do better.
    if (usage.utilisation(r) > bestAfter) break;
    if (!takes(usage, w, r, choice)) continue;
    const after = usage.utilisationWith(w, r);
    // Ties keep the earlier: the lower utilisation now, then id.
    if (after < bestAfter) {
      best = r;
      bestAfter = after;
    }
  }
  return best;
}

function fullestFit(usage: ClusterUsage, w: number, choice: ResourceChoice): number {
  const order = usage.activeByUtilisation;
  const reach = usage.reachOf(w);
  let best = NOWHERE;
  let bestAfter = Number.NEGATIVE_INFINITY;
  for (let i = order.length - 1; i >= 0; i--) {
    const r = order[i] ?? NOWHERE;
    // Adding the workload raises a utilisation by its reach at most, and the rest are emptier.
    if (usage.utilisation(r) + reach < bestAfter) break;
    if (!takes(usage, w, r, choice)) continue;
    const after = usage.utilisationWith(w, r);
    if (after > bestAfter || (after === bestAfter && usage.compareResources(r, best) < 0)) {
      best = r;
      bestAfter = after;
    }
  }
  return best;
}

function takes(usage: ClusterUsage, w: number, r: number, choice: ResourceChoice): boolean {
  return choiceAllows(usage, w, r, choice) && usage.refusal(w, r) === undefined;
}

export interface RefusalSummary {
  readonly explanation: string;
  /** Resources refused, by reason (each counted once, under its first). */
  readonly reasons: Record<string, number>;
}

/** Why no resource takes `w`, counting every resource of the cluster once under its first refusal. */
export function summariseRefusals(
  usage: ClusterUsage,
  w: number,
  avoid?: ReadonlySet<number>,
): RefusalSummary {
  const total = usage.resources.length;
  if (total === 0) return { explanation: '0/0 resources: tenant has no resources', reasons: {} };
  const counts = new Map<string, number>();
  for (let r = 0; r < total; r++) {
    const refusal = usage.refusal(w, r) ?? (avoid?.has(r) ? LEFT_RECENTLY : undefined);
    if (refusal !== undefined) counts.set(refusal, (counts.get(refusal) ?? 0) + 1);
  }
  const sorted = [...counts].sort(([a, m], [b, n]) => n - m || compareIds(a, b));
  const summary = sorted.map(([reason, count]) => `${count} ${reason}`).join(', ');
  const tooLarge = usage.sizeOf(w) > 1 ? '; no active resource is large enough for its demand' : '';
  return {
    explanation: `0/${total} resources: ${summary}${tooLarge}`,
    reasons: Object.fromEntries(sorted),
  };
}

/**
 * Where rebalancing decides: which workloads move where, in which waves, and why — a pure
 * function of the cluster and the options. Draining and released resources are evacuated first;
 * then `spread` lowers the peak utilisation, or `binpack` empties resources, with hysteresis
 * against small gains and a cooldown against ping-pong.
 */
import type { PlacementStrategy } from '../allocation/choose-pool';
import { summariseRefusals } from './choose-resource';
import type { Cluster } from './cluster';
import { ClusterUsage } from './cluster-usage';
import { type Cooldown, cooldownOf, DEFAULT_COOLDOWN_MS } from './cooldown';
import { emptyResources } from './empty-resources';
import { evacuate, workloadsToEvacuate } from './evacuate-resources';
import { explainRebalance } from './explain-rebalance';
import { lowerPeak } from './lower-peak';
import { MoveJournal } from './move-journal';
import { orderInWaves } from './move-waves';
import { measureCluster } from './plan-metrics';
import type { PlannedMove, RecentMove } from './rebalance-moves';

export interface RebalanceOptions {
  readonly strategy: PlacementStrategy;
  readonly maxMoves: number;
  /** Max moves per wave. */
  readonly disruptionBudget: number;
  /**
   * Hysteresis for `spread`: the least drop of peak utilisation worth moving for (default 0.05).
   * `binpack` moves only to free at least one resource.
   */
  readonly minGain?: number | undefined;
  readonly recentMoves?: readonly RecentMove[] | undefined;
  /** Epoch ms, for the cooldown; without it every recent move given counts. */
  readonly now?: number | undefined;
  /** Default 600 000 (10 minutes). */
  readonly cooldownMs?: number | undefined;
}

export interface RebalancePlan {
  /** `waves.flat()`. */
  readonly moves: readonly PlannedMove[];
  readonly waves: readonly (readonly PlannedMove[])[];
  /** Flat numbers: peakUtilisation, resourcesUsed and workloadsOnDraining `Before`/`After`, move counts. */
  readonly metrics: Readonly<Record<string, number>>;
  /** What the plan does and why, or why there is none. */
  readonly explanation: string;
  /** `maxMoves` cut the plan short: planning again after it finds more to do. */
  readonly truncated: boolean;
}

export const DEFAULT_MIN_GAIN = 0.05;

export function planRebalance(cluster: Cluster, options: RebalanceOptions): RebalancePlan {
  const usage = new ClusterUsage(cluster.resources, cluster.workloads);
  const before = measureCluster(usage);
  // A maxMoves that is not a number allows none.
  const journal = new MoveJournal(usage, Math.max(0, Math.floor(options.maxMoves) || 0));
  const cooldown = cooldownOf(
    usage,
    options.recentMoves ?? [],
    options.now,
    options.cooldownMs ?? DEFAULT_COOLDOWN_MS,
  );
  const minGain = options.minGain ?? DEFAULT_MIN_GAIN;
  const story = rebalance(journal, cooldown, options.strategy, minGain);

  const planned = journal.entries.map((entry) => ({
    entry,
    move: {
      workloadId: usage.workloadId(entry.w),
      from: usage.resourceId(entry.from),
      to: usage.resourceId(entry.to),
      reason: entry.reason,
    },
  }));
  const applied = new ClusterUsage(cluster.resources, cluster.workloads);
  const { waves, unordered } = orderInWaves(
    applied,
    planned.map(({ move }) => move),
    options.disruptionBudget,
  );
  const leftOut = new Set(unordered);
  const kept = planned.filter(({ move }) => !leftOut.has(move)).map(({ entry }) => entry);
  const after = measureCluster(applied);
  const evacuations = kept.filter((entry) => entry.evacuates);

  const metrics = {
    peakUtilisationBefore: before.peakUtilisation,
    peakUtilisationAfter: after.peakUtilisation,
    resourcesUsedBefore: before.resourcesUsed,
    resourcesUsedAfter: after.resourcesUsed,
    workloadsOnDrainingBefore: before.workloadsOnDraining,
    workloadsOnDrainingAfter: after.workloadsOnDraining,
    moves: kept.length,
    waves: waves.length,
    evacuations: evacuations.length,
    optimisationMoves: kept.length - evacuations.length,
    unevacuable: story.stranded.length,
    droppedByHysteresis: story.dropped,
    resourcesFreed: story.freed.length,
    unorderedMoves: unordered.length,
  };
  return {
    moves: waves.flat(),
    waves,
    metrics,
    explanation: explainRebalance({
      ...story,
      strategy: options.strategy,
      maxMoves: journal.maxMoves,
      disruptionBudget: options.disruptionBudget,
      minGain,
      moves: kept.length,
      evacuations: evacuations.length,
      optimisationMoves: kept.length - evacuations.length,
      waves: waves.length,
      unordered: unordered.length,
      evacuatedFrom: [...new Set(evacuations.map((entry) => usage.resourceId(entry.from)))],
      peakAfter: after.peakUtilisation,
      stranded: story.stranded.map((w) => ({
        workloadId: usage.workloadId(w),
        explanation: summariseRefusals(usage, w, cooldown.leftRecently(w)).explanation,
      })),
      freed: story.freed.map((r) => usage.resourceId(r)),
    }),
    truncated: story.truncated,
  };
}

interface Phases {
  readonly stranded: number[];
  readonly untried: number;
  /** Whether the strategy's optimisation ran: evacuation left it moves to make. */
  readonly optimised: boolean;
  /** Peak utilisation once evacuated, when spreading ran. */
  readonly peakBeforeSpreading?: number | undefined;
  /** The lowest peak spreading reached, kept or not. */
  readonly peakReached?: number | undefined;
  readonly dropped: number;
  readonly freed: number[];
  readonly truncated: boolean;
}

/**
 * Evacuation, then the strategy's optimisation; while that frees room for workloads that could
 * not be evacuated, evacuate them and optimise again — until planning again would find nothing.
 */
function rebalance(
  journal: MoveJournal,
  cooldown: Cooldown,
  strategy: PlacementStrategy,
  minGain: number,
): Phases {
  let { stranded, untried } = evacuate(journal, strategy, cooldown, workloadsToEvacuate(journal));
  let truncated = untried.length > 0;
  const optimised = !truncated;
  let peakBeforeSpreading: number | undefined;
  let peakReached: number | undefined;
  let dropped = 0;
  const freed: number[] = [];
  while (!truncated) {
    let moved: number;
    if (strategy === 'spread') {
      const lowering = lowerPeak(journal, cooldown, minGain);
      peakBeforeSpreading ??= lowering.peakBefore;
      peakReached = lowering.peakReached;
      dropped += lowering.dropped;
      moved = lowering.moves;
      truncated = lowering.cutShort;
    } else {
      const consolidation = emptyResources(journal, cooldown);
      freed.push(...consolidation.freed);
      moved = consolidation.moves;
      truncated = consolidation.cutShort;
    }
    if (truncated || moved === 0 || stranded.length === 0) break;
    const retry = evacuate(journal, strategy, cooldown, stranded);
    const progress = retry.stranded.length + retry.untried.length < stranded.length;
    ({ stranded, untried } = retry);
    truncated = untried.length > 0;
    if (!progress) break;
  }
  return {
    stranded,
    untried: untried.length,
    optimised,
    peakBeforeSpreading,
    peakReached,
    dropped,
    freed,
    truncated,
  };
}

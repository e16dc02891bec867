/**
 * Moves in waves of at most `disruptionBudget`, run concurrently and make-before-break: a moving
 * workload counts on its target from the start of its wave and on its source until the wave
 * ends, and no such intermediate state may over-fill a resource or break anti-affinity.
 *
 * Waves follow the plan's order. A move may join a wave ahead of an earlier move still waiting
 * only if they share no resource, so every resource sees its moves in plan order; a plan whose
 * moves are valid one after another therefore always fits in waves, none left out.
 */
import type { Cluster } from './cluster';
import { ClusterUsage } from './cluster-usage';
import type { PlannedMove } from './rebalance-moves';

export interface MoveWaves {
  readonly waves: PlannedMove[][];
  /** Left out: no order makes them safe (a swap with no room to spare), or the cluster lacks what they name. */
  readonly unordered: PlannedMove[];
}

interface Step {
  readonly move: PlannedMove;
  readonly w: number;
  readonly from: number;
  readonly to: number;
}

export function planMoveWaves(
  cluster: Cluster,
  moves: readonly PlannedMove[],
  disruptionBudget: number,
): MoveWaves {
  return orderInWaves(new ClusterUsage(cluster.resources, cluster.workloads), moves, disruptionBudget);
}

/** As `planMoveWaves`, leaving `usage` as the waves leave the cluster. */
export function orderInWaves(
  usage: ClusterUsage,
  moves: readonly PlannedMove[],
  disruptionBudget: number,
): MoveWaves {
  const width = Math.floor(disruptionBudget);
  const waves: PlannedMove[][] = [];
  const unordered: PlannedMove[] = [];
  let waiting: Step[] = [];
  for (const move of moves) {
    const w = usage.workloadSlot(move.workloadId);
    const from = usage.resourceSlot(move.from);
    const to = usage.resourceSlot(move.to);
    if (w === undefined || from === undefined || to === undefined || from === to || !(width >= 1)) {
      unordered.push(move);
    } else waiting.push({ move, w, from, to });
  }
  while (waiting.length > 0) {
    const { wave, later } = nextWave(usage, waiting, width);
    if (wave.length === 0) {
      // Nothing can start: the first move waiting is impossible as things stand, and stays so.
      const [stuck, ...rest] = later;
      if (stuck) unordered.push(stuck.move);
      waiting = rest;
      continue;
    }
    for (const step of wave) usage.finishMove(step.w, step.to);
    waves.push(wave.map((step) => step.move));
    waiting = later;
  }
  return { waves, unordered };
}

/** Begins the moves of the next wave on `usage`; returns them and the moves left waiting. */
function nextWave(
  usage: ClusterUsage,
  waiting: readonly Step[],
  width: number,
): { wave: Step[]; later: Step[] } {
  const wave: Step[] = [];
  const later: Step[] = [];
  const passedOver = new Set<number>();
  const moving = new Set<number>();
  for (const [i, step] of waiting.entries()) {
    if (wave.length >= width) {
      later.push(...waiting.slice(i));
      break;
    }
    const { w, from, to } = step;
    const startsNow =
      !passedOver.has(from) &&
      !passedOver.has(to) &&
      !moving.has(w) &&
      usage.locationOf(w) === from &&
      usage.refusal(w, to) === undefined;
    if (startsNow) {
      usage.beginMove(w, to);
      moving.add(w);
      wave.push(step);
    } else {
      later.push(step);
      passedOver.add(from);
      passedOver.add(to);
    }
  }
  return { wave, later };
}

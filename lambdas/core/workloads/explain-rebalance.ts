/** A rebalance plan told as one paragraph: what it does and why, or why it does nothing. */
import type { PlacementStrategy } from '../allocation/choose-pool';

export interface RebalanceStory {
  readonly strategy: PlacementStrategy;
  readonly maxMoves: number;
  readonly disruptionBudget: number;
  readonly minGain: number;
  readonly moves: number;
  readonly waves: number;
  /** Moves left out of the waves. */
  readonly unordered: number;
  readonly evacuations: number;
  readonly evacuatedFrom: readonly string[];
  /** Workloads on draining resources that no active resource takes, with why. */
  readonly stranded: readonly { readonly workloadId: string; readonly explanation: string }[];
  /** Workloads on draining resources that `maxMoves` left unplanned. */
  readonly untried: number;
  readonly optimised: boolean;
  readonly optimisationMoves: number;
  readonly peakBeforeSpreading?: number | undefined;
  readonly peakReached?: number | undefined;
  readonly peakAfter: number;
  /** Moves dropped by hysteresis. */
  readonly dropped: number;
  readonly freed: readonly string[];
  readonly truncated: boolean;
}

const LISTED = 3;

export function explainRebalance(story: RebalanceStory): string {
  const { maxMoves, stranded } = story;
  const strategy = story.strategy === 'spread' ? 'Spread' : 'Binpack';
  const sentences = [
    story.moves === 0
      ? `${strategy} rebalance: no moves.`
      : `${strategy} rebalance: ${count(story.moves, 'move')} in ${count(story.waves, 'wave')} of at most ${story.disruptionBudget}.`,
  ];
  if (story.evacuations > 0) {
    sentences.push(`Evacuates ${count(story.evacuations, 'workload')} from ${list(story.evacuatedFrom)}.`);
  }
  if (stranded.length > 0) {
    const which = stranded.map(({ workloadId, explanation }) => `${workloadId} (${explanation})`);
    sentences.push(
      `${count(stranded.length, 'workload')} on draining resources cannot be evacuated: ${list(which)}.`,
    );
  }
  if (story.untried > 0) {
    sentences.push(
      `maxMoves ${maxMoves} leaves ${count(story.untried, 'more workload')} on draining resources.`,
    );
  }
  if (story.optimised) sentences.push(optimisation(story));
  if (story.truncated)
    sentences.push(`maxMoves ${maxMoves} cuts the plan short: plan again once it is done.`);
  if (story.unordered > 0) {
    sentences.push(
      story.disruptionBudget < 1
        ? `disruptionBudget ${story.disruptionBudget} allows no move: ${count(story.unordered, 'move')} left out.`
        : `${count(story.unordered, 'move')} left out: no order in waves keeps every resource within its capacity and anti-affinity.`,
    );
  }
  return sentences.join(' ');
}

function optimisation(story: RebalanceStory): string {
  const { peakBeforeSpreading = 0, peakReached = 0 } = story;
  if (story.strategy === 'binpack') {
    return story.freed.length > 0
      ? `Frees ${count(story.freed.length, 'resource')} (${list(story.freed)}) with ${count(story.optimisationMoves, 'move')}.`
      : 'Frees no resource: no resource in use has workloads that all fit on the others in use.';
  }
  if (story.optimisationMoves > 0) {
    return `Lowers peak utilisation ${fixed(peakBeforeSpreading)} → ${fixed(story.peakAfter)} with ${count(story.optimisationMoves, 'move')}.`;
  }
  if (story.dropped > 0) {
    return `Leaves the placement as it is: the best spreading found lowers peak utilisation only ${fixed(peakBeforeSpreading)} → ${fixed(peakReached)}, less than minGain ${story.minGain}.`;
  }
  return story.truncated
    ? `Peak utilisation ${fixed(peakBeforeSpreading)} could be lowered.`
    : `Peak utilisation ${fixed(peakBeforeSpreading)} is as low as moving workloads makes it.`;
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

function list(items: readonly string[]): string {
  const shown = items.slice(0, LISTED).join(', ');
  return items.length > LISTED ? `${shown} and ${items.length - LISTED} more` : shown;
}

function fixed(utilisation: number): string {
  return utilisation.toFixed(2);
}

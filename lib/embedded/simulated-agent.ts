/**
 * The built-in workload agent of the embedded runtime: it answers every `WorkloadMoveRequested`
 * with `WorkloadMoveCompleted` after a delay, failing a given share of moves, so that a
 * rebalance can be watched end to end on one machine. It talks to the bus as any external agent
 * would: it reads Baton's facts and puts its answer as a request from its own source.
 */
import { BATON_SOURCE } from '../../lambdas/core/events/define-event';
import { WorkloadMoveCompleted, WorkloadMoveRequested } from '../../lambdas/core/events/workload-events';
import { BATON_BUS_NAME, type LocalEventBus } from './event-bus';

export const SIMULATED_AGENT_SOURCE = 'baton.simulated-agent';

export interface SimulatedAgentOptions {
  /** How long a move takes, in ms. */
  readonly delayMs: number;
  /** The share of moves that fail, 0–1. */
  readonly failureRate: number;
}

/** Starts answering; the returned function stops it and drops the answers not yet sent. */
export function startSimulatedAgent(
  bus: LocalEventBus,
  options: SimulatedAgentOptions,
  random: () => number = Math.random,
): () => void {
  if (!(options.failureRate >= 0 && options.failureRate <= 1)) {
    throw new RangeError('the simulated agent failure rate must be between 0 and 1');
  }
  const pending = new Set<NodeJS.Timeout>();
  const unsubscribe = bus.subscribe((event) => {
    if (event.source !== BATON_SOURCE || event['detail-type'] !== WorkloadMoveRequested.detailType) return;
    const { taskToken, workloadId } = event.detail as { taskToken: string; workloadId: string };
    const ok = random() >= options.failureRate;
    const timer = setTimeout(() => {
      pending.delete(timer);
      answer(bus, { taskToken, workloadId, ok });
    }, options.delayMs);
    pending.add(timer);
  });
  return () => {
    unsubscribe();
    for (const timer of pending) clearTimeout(timer);
    pending.clear();
  };
}

/**
 * Puts the agent's answer as an external agent would. One the bus refuses (too big to put, say)
 * goes unanswered, as a real agent's would: the move's own timeout reverts it. The agent, like
 * the runtime it runs in, carries on.
 */
function answer(
  bus: LocalEventBus,
  completion: { taskToken: string; workloadId: string; ok: boolean },
): void {
  try {
    const result = bus.putEvents(
      [
        {
          EventBusName: BATON_BUS_NAME,
          Source: SIMULATED_AGENT_SOURCE,
          DetailType: WorkloadMoveCompleted.detailType,
          Detail: JSON.stringify(completion),
        },
      ],
      'external',
    );
    if (result.FailedEntryCount > 0) throw new Error(JSON.stringify(result.Entries));
  } catch (error) {
    console.error(
      `[baton] the simulated agent could not answer the move of ${String(completion.workloadId).slice(0, 200)}:`,
      error,
    );
  }
}

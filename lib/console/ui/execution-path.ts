/**
 * What an execution's history says about each state of its graph: visited or not, how it ended,
 * its last input and output, and which transitions were taken. Pure, like the layout it colours.
 */
import type { HistoryEventView } from '../console-api';
import { END_NODE, type GraphEdge, START_NODE } from './asl-graph';

export type StateOutcome = 'succeeded' | 'failed' | 'caught' | 'running';

export interface StateVisit {
  readonly outcome: StateOutcome;
  /** Times entered (Map iterations and loops enter a state more than once). */
  readonly entered: number;
  readonly input?: string | undefined;
  readonly output?: string | undefined;
  readonly error?: string | undefined;
  readonly cause?: string | undefined;
}

export interface ExecutionPath {
  readonly states: ReadonlyMap<string, StateVisit>;
  /** Taken edges as `from→to`. */
  readonly taken: ReadonlySet<string>;
}

export const edgeKey = (from: string, to: string) => `${from}→${to}`;

const ENDED_BADLY = new Set(['ExecutionFailed', 'ExecutionTimedOut', 'ExecutionAborted']);

interface Tracking {
  outcome: StateOutcome;
  entered: number;
  input?: string | undefined;
  output?: string | undefined;
  error?: string | undefined;
  cause?: string | undefined;
}

/**
 * Walks the history: a state entered and exited succeeded, unless its last attempt failed (then a
 * Catch took the error: caught); one left for its Catch's target without an exit was caught too;
 * one still open when the execution failed is where it failed (with the Map or Parallel around
 * it); one still open otherwise is running.
 */
export function traceExecution(
  history: readonly HistoryEventView[],
  edges: readonly GraphEdge[],
): ExecutionPath {
  const edgeSet = new Set(edges.map((edge) => edgeKey(edge.from, edge.to)));
  const catchTargets = new Map<string, Set<string>>();
  for (const edge of edges) {
    if (edge.kind !== 'catch') continue;
    const targets = catchTargets.get(edge.from) ?? new Set();
    targets.add(edge.to);
    catchTargets.set(edge.from, targets);
  }
  const states = new Map<string, Tracking>();
  const taken = new Set<string>();
  const open: string[] = [];
  let lastLeft: string = START_NODE;
  let lastEntered: string = START_NODE;
  let failure: { error?: string | undefined; cause?: string | undefined } | undefined;
  let endedBadly = false;
  let succeeded = false;
  for (const event of history) {
    const name = typeof event.details.name === 'string' ? event.details.name : undefined;
    const innermost = open.at(-1);
    if (event.type.endsWith('StateEntered') && name) {
      const caughtBy = open.filter((state) => catchTargets.get(state)?.has(name));
      for (const state of caughtBy) {
        markEnded(states, state, 'caught', failure);
        taken.add(edgeKey(joinOf(state, edgeSet), name));
        open.splice(open.indexOf(state), 1);
      }
      for (const from of [lastLeft, lastEntered])
        if (edgeSet.has(edgeKey(from, name))) taken.add(edgeKey(from, name));
      const state = states.get(name) ?? { outcome: 'running', entered: 0 };
      state.entered += 1;
      state.outcome = 'running';
      state.input = text(event.details.input);
      states.set(name, state);
      open.push(name);
      lastEntered = name;
      failure = undefined;
    } else if (event.type.endsWith('StateExited') && name) {
      const state = states.get(name);
      if (state) {
        // The engine exits a state whose error a Catch took, with the error as its output.
        if (failure && name === innermost) markEnded(states, name, 'caught', failure);
        else state.outcome = 'succeeded';
        state.output = text(event.details.output);
      }
      const at = open.lastIndexOf(name);
      if (at >= 0) open.splice(at, 1);
      lastLeft = joinOf(name, edgeSet);
      failure = undefined;
    } else if (event.type === 'TaskScheduled') {
      // A new attempt (a Retry): the failure before it was not the state's last word.
      failure = undefined;
    } else if (event.type.endsWith('Failed') || event.type.endsWith('TimedOut')) {
      failure = { error: text(event.details.error), cause: text(event.details.cause) };
      if (ENDED_BADLY.has(event.type)) endedBadly = true;
    } else if (event.type === 'ExecutionAborted') {
      endedBadly = true;
    } else if (event.type === 'ExecutionSucceeded') {
      succeeded = true;
    }
  }
  if (succeeded && edgeSet.has(edgeKey(lastLeft, END_NODE))) taken.add(edgeKey(lastLeft, END_NODE));
  if (endedBadly) for (const name of open) markEnded(states, name, 'failed', failure);
  return { states, taken };
}

/** Transitions out of a Map or Parallel state leave from its join node. */
function joinOf(name: string, edgeSet: ReadonlySet<string>): string {
  const join = `${name}::join`;
  for (const key of edgeSet) if (key.startsWith(`${join}→`)) return join;
  return name;
}

function markEnded(
  states: Map<string, Tracking>,
  name: string,
  outcome: 'caught' | 'failed',
  failure: { error?: string | undefined; cause?: string | undefined } | undefined,
): void {
  const state = states.get(name);
  if (!state) return;
  state.outcome = outcome;
  state.error = failure?.error;
  state.cause = failure?.cause;
}

function text(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  return typeof value === 'string' ? value : JSON.stringify(value);
}

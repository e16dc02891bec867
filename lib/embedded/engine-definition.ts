/**
 * Prepares a validated ASL definition for aws-local-stepfunctions, which differs from AWS in
 * ways Baton must hide: Task states time out after 60 s by default (AWS: never for Standard),
 * Node timers cap at ~24.8 days, and a Wait override is a fixed duration that cannot follow
 * `SecondsPath`. So Wait states run as locally bound tasks (honouring `--time-scale`), Task
 * states get AWS's timeout, and every task site is listed with its resource for binding.
 */
import {
  type AslDefinition,
  type AslState,
  type AslStates,
  nestedMachines,
} from '../topology/asl-definition';

/** The resource the rewritten Wait states carry; bound to a scaled, abortable sleep. */
export const LOCAL_WAIT_RESOURCE = 'arn:aws:states:::baton:wait';
/** The longest timer Node can set, in seconds (2^31-1 ms). */
export const MAX_TIMER_SECONDS = 2_147_483;

/** A state that runs through a local binding: a Task, or a Wait rewritten as one. */
export interface TaskSite {
  readonly name: string;
  readonly resource: string;
  readonly originalType: 'Task' | 'Wait';
  readonly heartbeatSeconds: number | undefined;
  readonly timeoutSeconds: number | undefined;
}

export interface EngineDefinition {
  readonly definition: AslDefinition;
  readonly sites: ReadonlyMap<string, TaskSite>;
  /** Every state's type as written in the ASL (history reports these, not the rewrites). */
  readonly stateTypes: ReadonlyMap<string, string>;
}

export function toEngineDefinition(source: AslDefinition): EngineDefinition {
  const definition = structuredClone(source);
  const sites = new Map<string, TaskSite>();
  const stateTypes = new Map<string, string>();
  if (definition.TimeoutSeconds !== undefined) {
    definition.TimeoutSeconds = Math.min(definition.TimeoutSeconds, MAX_TIMER_SECONDS);
  }
  rewriteStates(definition, sites, stateTypes);
  return { definition, sites, stateTypes };
}

function rewriteStates(
  machine: AslStates,
  sites: Map<string, TaskSite>,
  stateTypes: Map<string, string>,
): void {
  for (const [name, state] of Object.entries(machine.States)) {
    stateTypes.set(name, state.Type);
    if (state.Type === 'Task') {
      sites.set(name, taskSite(name, state));
      if (state.TimeoutSeconds === undefined && state.TimeoutSecondsPath === undefined) {
        state.TimeoutSeconds = MAX_TIMER_SECONDS;
      }
    } else if (state.Type === 'Wait') {
      machine.States[name] = waitAsTask(state);
      sites.set(name, {
        name,
        resource: LOCAL_WAIT_RESOURCE,
        originalType: 'Wait',
        heartbeatSeconds: undefined,
        timeoutSeconds: undefined,
      });
    }
    for (const nested of nestedMachines(state)) rewriteStates(nested, sites, stateTypes);
  }
}

function taskSite(name: string, state: AslState): TaskSite {
  return {
    name,
    resource: String(state.Resource),
    originalType: 'Task',
    heartbeatSeconds: typeof state.HeartbeatSeconds === 'number' ? state.HeartbeatSeconds : undefined,
    timeoutSeconds: typeof state.TimeoutSeconds === 'number' ? state.TimeoutSeconds : undefined,
  };
}

/**
 * A Wait's output is its (InputPath-filtered) input: the bound task returns the `input` it is
 * given, the default ResultPath makes that the state's result, and the Wait's own OutputPath
 * then applies as it would have.
 */
function waitAsTask(wait: AslState): AslState {
  const duration =
    wait.Seconds !== undefined
      ? { seconds: wait.Seconds }
      : wait.SecondsPath !== undefined
        ? { 'seconds.$': wait.SecondsPath }
        : wait.Timestamp !== undefined
          ? { timestamp: wait.Timestamp }
          : { 'timestamp.$': wait.TimestampPath };
  const task: AslState = {
    Type: 'Task',
    Resource: LOCAL_WAIT_RESOURCE,
    Parameters: { ...duration, 'input.$': '$' },
    TimeoutSeconds: MAX_TIMER_SECONDS,
  };
  for (const field of ['InputPath', 'OutputPath', 'Next', 'End', 'Comment'] as const) {
    if (wait[field] !== undefined) task[field] = wait[field];
  }
  return task;
}

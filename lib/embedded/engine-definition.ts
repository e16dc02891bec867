/**
 * Prepares a validated ASL definition for aws-local-stepfunctions, which differs from AWS in
 * ways Baton must hide: Task states time out after 60 s by default (AWS: never for Standard),
 * Node timers cap at ~24.8 days, and a Wait override is a fixed duration that cannot follow
 * `SecondsPath`. So Wait states run as locally bound tasks (honouring `--time-scale`), Task
 * states get AWS's timeout, `.waitForTaskToken` tasks leave their timeout and heartbeat to the
 * token registry (one timer, so history stays in order), and every task site is listed with its
 * resource for binding.
 */
import {
  type AslDefinition,
  type AslState,
  type AslStates,
  InvalidWorkflowDefinition,
  nestedMachines,
} from '../topology/asl-definition';

/** The resource the rewritten Wait states carry; bound to a scaled, abortable sleep. */
export const LOCAL_WAIT_RESOURCE = 'arn:aws:states:::baton:wait';
/** The longest timer Node can set, in seconds (2^31-1 ms). */
export const MAX_TIMER_SECONDS = 2_147_483;
export const WAIT_FOR_TASK_TOKEN = '.waitForTaskToken';
/**
 * The parameter a rewritten `.waitForTaskToken` task carries its `TimeoutSecondsPath` in: the
 * engine resolves it with the other parameters, the binding takes it out and gives it to the
 * token registry (AWS resolves the path against the state's input, as the parameter does).
 */
export const LOCAL_TIMEOUT_PARAMETER = 'BatonLocalTimeoutSeconds';

/** A delay for `setTimeout`, held to what Node can wait (longer delays would fire at once). */
export function timerDelayMs(ms: number): number {
  return Math.min(Math.max(0, ms), MAX_TIMER_SECONDS * 1000);
}

/** A state that runs through a local binding: a Task, or a Wait rewritten as one. */
export interface TaskSite {
  readonly name: string;
  readonly resource: string;
  readonly originalType: 'Task' | 'Wait';
  /** A `.waitForTaskToken` task: its timeout and heartbeat are the token registry's to enforce. */
  readonly waitsForToken: boolean;
  /** Its timeout comes from `TimeoutSecondsPath`, in the {@link LOCAL_TIMEOUT_PARAMETER} parameter. */
  readonly timeoutFromInput: boolean;
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
      const site = taskSite(name, state);
      sites.set(name, site);
      if (site.timeoutFromInput) {
        state.Parameters = {
          ...(state.Parameters as Record<string, unknown>),
          [`${LOCAL_TIMEOUT_PARAMETER}.$`]: state.TimeoutSecondsPath,
        };
        delete state.TimeoutSecondsPath;
      }
      if (site.waitsForToken || state.TimeoutSecondsPath === undefined) {
        state.TimeoutSeconds = site.waitsForToken
          ? MAX_TIMER_SECONDS
          : Math.min(Number(state.TimeoutSeconds ?? MAX_TIMER_SECONDS), MAX_TIMER_SECONDS);
      }
    } else if (state.Type === 'Wait') {
      machine.States[name] = waitAsTask(state);
      sites.set(name, {
        name,
        resource: LOCAL_WAIT_RESOURCE,
        originalType: 'Wait',
        waitsForToken: false,
        timeoutFromInput: false,
        heartbeatSeconds: undefined,
        timeoutSeconds: undefined,
      });
    }
    for (const nested of nestedMachines(state)) rewriteStates(nested, sites, stateTypes);
  }
}

function taskSite(name: string, state: AslState): TaskSite {
  const resource = String(state.Resource);
  const waitsForToken = resource.endsWith(WAIT_FOR_TASK_TOKEN);
  if (waitsForToken && state.HeartbeatSecondsPath !== undefined) {
    throw new InvalidWorkflowDefinition(
      `${name}: the embedded runtime holds ${WAIT_FOR_TASK_TOKEN} tasks to HeartbeatSeconds, not HeartbeatSecondsPath`,
    );
  }
  const timeoutFromInput = waitsForToken && state.TimeoutSecondsPath !== undefined;
  if (timeoutFromInput && (typeof state.Parameters !== 'object' || state.Parameters === null)) {
    throw new InvalidWorkflowDefinition(
      `${name}: a ${WAIT_FOR_TASK_TOKEN} task needs Parameters to pass its token`,
    );
  }
  return {
    name,
    resource,
    originalType: 'Task',
    waitsForToken,
    timeoutFromInput,
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

/**
 * The embedded runtime's defaults that `baton dev --help` shows, in a module of their own so that
 * the help does not load the runtime to show them.
 */
import type { SimulatedAgentOptions } from './simulated-agent';

/** Execution records kept (with their histories) before the oldest finished ones are dropped. */
export const DEFAULT_MAX_EXECUTIONS = 1000;

/** The built-in workload agent: each move takes this long, and none fails. */
export const DEFAULT_SIMULATED_AGENT: SimulatedAgentOptions = { delayMs: 200, failureRate: 0 };

import type { Command } from 'commander';
import { DEFAULT_PORT } from '../../embedded/local-aws';
import { DEFAULT_MAX_EXECUTIONS, DEFAULT_SIMULATED_AGENT } from '../../embedded/runtime-defaults';
import { lazyAction } from '../lazy-action';
import { fraction, nonNegativeInteger, port, positiveInteger, positiveNumber } from '../option-parsers';

export function registerDev(program: Command): void {
  program
    .command('dev')
    .description(
      'run Baton embedded on 127.0.0.1: local bus, workflows, handlers and store (what `npm start` runs)',
    )
    .option(
      '--port <port>',
      'the port on 127.0.0.1 (env BATON_PORT)',
      port,
      port(process.env.BATON_PORT ?? String(DEFAULT_PORT)),
    )
    .option('--data-dir <dir>', 'where the store and event log persist', '.baton')
    .option(
      '--time-scale <n>',
      'run workflow time n times faster: Waits, callback deadlines, schedules (demos)',
      positiveNumber,
      1,
    )
    .option(
      '--max-executions <n>',
      'execution records kept (oldest finished dropped first)',
      positiveInteger,
      DEFAULT_MAX_EXECUTIONS,
    )
    .option('--no-agent', 'do not answer WorkloadMoveRequested with the built-in simulated agent')
    .option(
      '--agent-delay-ms <ms>',
      'how long a simulated workload move takes',
      nonNegativeInteger,
      DEFAULT_SIMULATED_AGENT.delayMs,
    )
    .option(
      '--agent-failure-rate <share>',
      'the share of simulated workload moves that fail (0–1)',
      fraction,
      DEFAULT_SIMULATED_AGENT.failureRate,
    )
    .option(
      '--lambda-throttle-rate <share>',
      'the share of Lambda control-plane calls answered TooManyRequestsException (0–1)',
      fraction,
      0,
    )
    .option('--quiet', 'no line as each execution starts and ends')
    .action(lazyAction(async () => (await import('../actions/dev')).runEmbeddedRuntime));
}

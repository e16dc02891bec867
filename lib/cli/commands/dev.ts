import type { Command } from 'commander';
import { hostRuntimeInLittleMemory } from '../../embedded/host-memory';
import { DEFAULT_PORT } from '../../embedded/local-aws';
import { DEFAULT_MAX_EXECUTIONS, startEmbeddedRuntime } from '../../embedded/runtime';
import { DEFAULT_SIMULATED_AGENT } from '../../embedded/simulated-agent';
import { routes } from '../../topology/routes';
import { fraction, nonNegativeInteger, port, positiveInteger, positiveNumber } from '../option-parsers';

interface DevOptions {
  port: number;
  dataDir: string;
  timeScale: number;
  maxExecutions: number;
  agent: boolean;
  agentDelayMs: number;
  agentFailureRate: number;
  lambdaThrottleRate: number;
}

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
    .action(async (options: DevOptions) => {
      const started = performance.now();
      hostRuntimeInLittleMemory();
      const runtime = await startEmbeddedRuntime({
        port: options.port,
        dataDirectory: options.dataDir,
        timeScale: options.timeScale,
        maxExecutions: options.maxExecutions,
        simulatedAgent: options.agent && {
          delayMs: options.agentDelayMs,
          failureRate: options.agentFailureRate,
        },
        lambdaThrottleRate: options.lambdaThrottleRate,
      });
      const workflows = [...runtime.engine.stateMachines.values()].map((machine) => machine.name);
      console.log(
        [
          `Baton embedded runtime ready on ${runtime.url} in ${Math.round(performance.now() - started)} ms`,
          `  web console: ${runtime.url}/`,
          `  EventBridge, Step Functions, DynamoDB and Lambda (simulated fleet) APIs at ${runtime.url} (any AWS SDK client: endpoint)`,
          `  data: ${options.dataDir}/ (store, executions.ndjson, events.ndjson, dead-letters.ndjson, lambda-fleet.json)`,
          `  routes: ${routes.map((route) => route.id).join(', ')}`,
          `  workflows: ${workflows.length > 0 ? workflows.join(', ') : '(none yet)'}`,
          ...(options.lambdaThrottleRate > 0
            ? [`  Lambda control plane: ${options.lambdaThrottleRate * 100}% of calls throttled`]
            : []),
          `  workload agent: ${options.agent ? `simulated (moves take ${options.agentDelayMs} ms, ${options.agentFailureRate * 100}% fail)` : 'off (answer WorkloadMoveRequested yourself)'}`,
          `  try: npx baton emit ResourcePoolChanged --detail '{"poolId":"p1","kind":"compute","capacity":{"vcpu":64},"state":"active"}'`,
          'Ctrl-C to stop',
        ].join('\n'),
      );
      await new Promise<void>((resolve) => {
        const stop = () => resolve();
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      console.log('stopping…');
      await runtime.close();
      console.log('stopped');
    });
}

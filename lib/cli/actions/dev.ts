/** What `baton dev` does, loaded when it runs (options and help: `../commands/dev.ts`). */
import { hostRuntimeInLittleMemory } from '../../embedded/host-memory';
import { startEmbeddedRuntime } from '../../embedded/runtime';
import { routes } from '../../topology/routes';

export async function runEmbeddedRuntime(options: DevOptions) {
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
    logExecutions: !options.quiet,
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
}

interface DevOptions {
  port: number;
  dataDir: string;
  timeScale: number;
  maxExecutions: number;
  agent: boolean;
  agentDelayMs: number;
  agentFailureRate: number;
  lambdaThrottleRate: number;
  quiet?: boolean;
}

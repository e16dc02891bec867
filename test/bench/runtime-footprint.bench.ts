/**
 * The embedded runtime's start-to-ready time (as `npm start` runs it: the compiled CLI, in a fresh
 * process) beside a bare Node process and a bare tsx one (baselines), and its memory idle, after
 * 10 000 executions and once its functions' environments have gone idle, beside the same process before the runtime started
 * (baseline): resident (what the OS sees; V8 keeps heap it grew under load) and V8 heap in use
 * after a full GC (what the runtime actually retains) of the runtime's process, and the resident
 * and proportional memory of that process with the functions' execution environments (processes
 * of their own).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SendTaskSuccessCommand, SFNClient } from '@aws-sdk/client-sfn';
import { hostRuntimeInLittleMemory } from '../../lib/embedded/host-memory';
import { startEmbeddedRuntime } from '../../lib/embedded/runtime';
import { fixtureFunction, fixtureWorkflows } from '../fixtures/fixture-topology';
import { runtimeMemory } from './process-memory';
import { medianOf, timeToOutput } from './process-timing';
import { drive, report } from './report';

const STARTS = 5;
const EXECUTIONS = 10_000;
const ENVIRONMENT_IDLE_MS = 2000;

// Start to ready as `npm start` runs it: the compiled CLI (`bin/baton.js dev`), a fresh process
// and a data directory of its own each time, beside a bare Node process and a bare tsx one.
const ready = "console.log('ready')";
report(
  'runtime.baseline.node_start',
  await medianOf(STARTS, () => timeToOutput(process.execPath, ['-e', ready], 'ready')),
  'ms',
);
report(
  'runtime.baseline.tsx_start',
  await medianOf(STARTS, () => timeToOutput(process.execPath, ['--import', 'tsx', '-e', ready], 'ready')),
  'ms',
);
report(
  'runtime.start_to_ready',
  await medianOf(STARTS, async () => {
    const startDirectory = mkdtempSync(join(tmpdir(), 'baton-start-'));
    try {
      return await timeToOutput(
        process.execPath,
        ['bin/baton.js', 'dev', '--port', '0', '--data-dir', startDirectory],
        'ready on',
      );
    } finally {
      rmSync(startDirectory, { recursive: true, force: true });
    }
  }),
  'ms',
);

const dataDirectory = mkdtempSync(join(tmpdir(), 'baton-footprint-'));
function reportMemory(label: string): void {
  globalThis.gc?.();
  const { rss, heapUsed } = process.memoryUsage();
  report(`runtime.${label}.rss`, rss / 2 ** 20, 'MiB');
  report(`runtime.${label}.heap_used`, heapUsed / 2 ** 20, 'MiB');
  const withEnvironments = runtimeMemory();
  report(`runtime.${label}.function_environments`, withEnvironments.environments, 'processes');
  report(`runtime.${label}.with_environments.rss`, withEnvironments.rssMiB, 'MiB');
  report(`runtime.${label}.with_environments.pss`, withEnvironments.pssMiB, 'MiB');
}
// As `baton dev` hosts it.
hostRuntimeInLittleMemory();
reportMemory('baseline');
const runtime = await startEmbeddedRuntime({
  port: 0,
  dataDirectory,
  functions: [fixtureFunction],
  workflows: fixtureWorkflows,
  routes: [],
  // Short, so that the bench sees the environments go (the default keeps them 90 s).
  functionEnvironments: { idleMs: ENVIRONMENT_IDLE_MS },
});
reportMemory('idle');

const sfn = new SFNClient({
  endpoint: runtime.url,
  region: 'us-east-1',
  credentials: { accessKeyId: 'b', secretAccessKey: 'b' },
});
// Answers still on their way when the runs are done must land before the runtime closes.
const answers = new Set<Promise<unknown>>();
runtime.bus.subscribe((event) => {
  const { taskToken } = event.detail as { taskToken?: string };
  if (event['detail-type'] === 'FixtureApprovalRequested' && taskToken) {
    const answer = sfn.send(new SendTaskSuccessCommand({ taskToken, output: '{}' }));
    answers.add(answer);
    const settled = () => answers.delete(answer);
    answer.then(settled, settled);
  }
});
const arn = runtime.engine.workflowArn('fixture');
await drive(EXECUTIONS, 50, async (i) => {
  const record = runtime.engine.start(
    arn,
    JSON.stringify({ id: `m-${i}`, items: [1, 2, 3], waitSeconds: 0 }),
  );
  await record.done;
});
reportMemory('after_10k_executions');
await Promise.allSettled([...answers]);
await new Promise((resolve) => setTimeout(resolve, ENVIRONMENT_IDLE_MS + 1000));
reportMemory('environments_ended');
sfn.destroy();
await runtime.close();
rmSync(dataDirectory, { recursive: true, force: true });

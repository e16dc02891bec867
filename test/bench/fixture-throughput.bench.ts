/**
 * The fixture workflow driven end to end through PutEvents in the embedded runtime (HTTP, bus,
 * route, engine, the function in its execution environments, dynalite, task token answered over
 * the SFN API), beside the same ASL run directly by aws-local-stepfunctions with trivial
 * in-process overrides (baseline).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { SendTaskSuccessCommand, SFNClient } from '@aws-sdk/client-sfn';
import { startEmbeddedRuntime } from '../../lib/embedded/runtime';
import { fixtureRoute } from '../e2e/embedded-runtime';
import { fixtureFunction, fixtureWorkflows } from '../fixtures/fixture-topology';
import { fixtureDetail as detail, rawFixtureBaseline } from './raw-fixture-baseline';
import { drive, percentile, report } from './report';

const RUNS = 1000;
const WARMUP = 100;
const CONCURRENCY = 20;

/**
 * Through the front door (`sdk`: PutEvents and SendTaskSuccess with the AWS SDK over HTTP, as a
 * user's system would) or straight onto the bus and token registry (`direct`: the runtime's own
 * cost, without the client's signing, serialization and HTTP).
 */
async function embedded(door: 'sdk' | 'direct'): Promise<number[]> {
  const dataDirectory = mkdtempSync(join(tmpdir(), 'baton-bench-'));
  const runtime = await startEmbeddedRuntime({
    port: 0,
    dataDirectory,
    functions: [fixtureFunction],
    workflows: fixtureWorkflows,
    routes: [fixtureRoute],
  });
  const config = {
    endpoint: runtime.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'b', secretAccessKey: 'b' },
  };
  const eventBridge = new EventBridgeClient(config);
  const sfn = new SFNClient(config);
  const completions = new Map<string, () => void>();
  // The "agent" answering each approval request.
  runtime.bus.subscribe((event) => {
    const { id, taskToken } = event.detail as { id: string; taskToken?: string };
    if (event['detail-type'] === 'FixtureApprovalRequested' && taskToken) {
      if (door === 'sdk')
        void sfn.send(new SendTaskSuccessCommand({ taskToken, output: '{"approved":true}' }));
      else queueMicrotask(() => runtime.tokens.succeed(taskToken, { approved: true }));
    }
    if (event['detail-type'] === 'FixtureCompleted') completions.get(id)?.();
  });
  const runOnce = async (id: string) => {
    const done = new Promise<void>((resolve) => completions.set(id, resolve));
    const entry = {
      Source: 'test.fixture',
      DetailType: 'FixtureRunRequested',
      Detail: JSON.stringify(detail(id)),
    };
    if (door === 'sdk') await eventBridge.send(new PutEventsCommand({ Entries: [entry] }));
    else runtime.bus.putEvents([entry], 'external');
    await done;
    completions.delete(id);
  };
  await drive(WARMUP, CONCURRENCY, (i) => runOnce(`warm-${i}`));
  const started = performance.now();
  const latencies = await drive(RUNS, CONCURRENCY, (i) => runOnce(`run-${i}`));
  const seconds = (performance.now() - started) / 1000;
  report(`fixture.embedded_${door}.throughput`, RUNS / seconds, 'runs/s');
  eventBridge.destroy();
  sfn.destroy();
  await runtime.close();
  rmSync(dataDirectory, { recursive: true, force: true });
  return latencies;
}

const base = await rawFixtureBaseline(RUNS, WARMUP, CONCURRENCY);
report('fixture.baseline.latency.p50', percentile(base, 50), 'ms');
report('fixture.baseline.latency.p99', percentile(base, 99), 'ms');
for (const door of ['sdk', 'direct'] as const) {
  const local = await embedded(door);
  report(`fixture.embedded_${door}.latency.p50`, percentile(local, 50), 'ms');
  report(`fixture.embedded_${door}.latency.p99`, percentile(local, 99), 'ms');
  report(`fixture.embedded_${door}.overhead.p50`, percentile(local, 50) / percentile(base, 50), 'ratio');
}

/**
 * Allocations end to end in the embedded runtime: `ResourceAllocationRequested` put with the AWS
 * SDK → rule → allocate-resources → `ResourceAllocated` on the bus; throughput and latency, the
 * state transitions and Lambda invocations each allocation costs (read from execution
 * histories), the ledger calls (counted by the store), and the AWS bill those counts imply —
 * beside the raw fixture baseline.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import {
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  type HistoryEvent,
  ListExecutionsCommand,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { DEFAULT_ENVIRONMENT_LIMITS } from '../../lib/embedded/lambda-host';
import { startEmbeddedRuntime } from '../../lib/embedded/runtime';
import { functions } from '../../lib/topology/functions';
import { rawFixtureBaseline } from './raw-fixture-baseline';
import { drive, percentile, report } from './report';

const RUNS = 1000;
const WARMUP = 100;
const CONCURRENCY = 20;

/**
 * List prices, us-east-1, as published when this was written (check before quoting): Step
 * Functions Standard $0.025 per 1 000 state transitions; Lambda arm64 $0.20 per million requests
 * and $0.0000133334 per GB-second; EventBridge $1.00 per million events put; DynamoDB on demand
 * $0.625 per million write and $0.125 per million read request units.
 */
const PRICE = {
  transition: 0.025 / 1000,
  lambdaRequest: 0.2 / 1e6,
  lambdaGbSecond: 0.0000133334,
  event: 1 / 1e6,
  write: 0.625 / 1e6,
  read: 0.125 / 1e6,
};
/** DynamoDB operations that write (a unit per 1 KB: every ledger item is smaller). */
const WRITES = new Set(['PutItem', 'UpdateItem', 'DeleteItem']);
/** …and that read, strongly consistent (a unit per 4 KB: a pool partition of a few pools is smaller). */
const READS = new Set(['GetItem', 'Query']);
/** Per allocation: the request and the `ResourceAllocated` fact. */
const EVENTS = 2;

const base = await rawFixtureBaseline(RUNS, WARMUP, CONCURRENCY);
report('allocation.baseline_fixture.latency.p50', percentile(base, 50), 'ms');

const dataDirectory = mkdtempSync(join(tmpdir(), 'baton-bench-'));
const runtime = await startEmbeddedRuntime({ port: 0, dataDirectory });
const config = {
  endpoint: runtime.url,
  region: 'us-east-1',
  credentials: { accessKeyId: 'b', secretAccessKey: 'b' },
};
const eventBridge = new EventBridgeClient(config);
const sfn = new SFNClient(config);

const inventory = runtime.engine.workflowArn('declare-inventory');
const { executionArn: declared } = await sfn.send(
  new StartExecutionCommand({
    stateMachineArn: inventory,
    input: JSON.stringify({
      pools: Array.from({ length: 8 }, (_, i) => ({
        poolId: `bench-${i}`,
        kind: 'bench',
        capacity: { vcpu: 1e6 },
        state: 'active',
      })),
      quotas: [{ tenantId: 'bench', limits: { vcpu: 1e7 } }],
    }),
  }),
);
// Functions start cold: the pools must be declared before the first request, whatever that takes.
while ((await sfn.send(new DescribeExecutionCommand({ executionArn: declared }))).status === 'RUNNING')
  await new Promise((resolve) => setTimeout(resolve, 50));

const answered = new Map<string, { allocated: () => void; rejected: (reason: Error) => void }>();
runtime.bus.subscribe((event) => {
  const { requestId, reason } = event.detail as { requestId: string; reason?: string };
  if (event['detail-type'] === 'ResourceAllocated') answered.get(requestId)?.allocated();
  // A refusal would otherwise leave the bench waiting for ever.
  if (event['detail-type'] === 'ResourceAllocationRejected')
    answered.get(requestId)?.rejected(new Error(`${requestId} was rejected: ${reason}`));
});
const allocateOnce = async (requestId: string) => {
  const done = new Promise<void>((allocated, rejected) => answered.set(requestId, { allocated, rejected }));
  await eventBridge.send(
    new PutEventsCommand({
      Entries: [
        {
          Source: 'bench.capacity',
          DetailType: 'ResourceAllocationRequested',
          Detail: JSON.stringify({ requestId, tenantId: 'bench', kind: 'bench', amount: { vcpu: 1 } }),
        },
      ],
    }),
  );
  await done;
  answered.delete(requestId);
};
await drive(WARMUP, CONCURRENCY, (i) => allocateOnce(`warm-${i}`));
// How many execution environments the allocations keep busy, beside the runtime's cap on them.
let peakEnvironments = 0;
const sampler = setInterval(() => {
  peakEnvironments = Math.max(peakEnvironments, runtime.lambda.environments());
}, 10);
const servedBefore = await runtime.store.requestsServed();
const started = performance.now();
const latencies = await drive(RUNS, CONCURRENCY, (i) => allocateOnce(`run-${i}`));
report('allocation.throughput', RUNS / ((performance.now() - started) / 1000), 'allocations/s');
clearInterval(sampler);
// Every ledger call of every function the allocations set off (allocate-resources, follow-resources).
const served = Object.entries(await runtime.store.requestsServed()).map(
  ([operation, count]) => [operation, (count - (servedBefore[operation] ?? 0)) / RUNS] as const,
);
const perAllocation = (operations: Set<string>) =>
  served.filter(([operation]) => operations.has(operation)).reduce((sum, [, count]) => sum + count, 0);
const ledgerWrites = perAllocation(WRITES);
const ledgerReads = perAllocation(READS);
const ledgerCalls = served.reduce((sum, [, count]) => sum + count, 0);
report('allocation.ledger_calls', ledgerCalls, 'per allocation');
report('allocation.ledger_writes', ledgerWrites, 'per allocation');
report('allocation.ledger_reads', ledgerReads, 'per allocation');
report('allocation.environments.peak', peakEnvironments, 'environments');
report('allocation.environments.cap', DEFAULT_ENVIRONMENT_LIMITS.maxTotalEnvironments, 'environments');
report('allocation.latency.p50', percentile(latencies, 50), 'ms');
report('allocation.latency.p99', percentile(latencies, 99), 'ms');

// Costs per successful allocation, from the histories of the last executions.
const { executions = [] } = await sfn.send(
  new ListExecutionsCommand({
    stateMachineArn: runtime.engine.workflowArn('allocate-resources'),
    maxResults: 100,
    statusFilter: 'SUCCEEDED',
  }),
);
const histories: HistoryEvent[][] = [];
for (const execution of executions) {
  histories.push(
    (
      await sfn.send(
        new GetExecutionHistoryCommand({ executionArn: execution.executionArn, maxResults: 1000 }),
      )
    ).events ?? [],
  );
}
const mean = (values: number[]) => values.reduce((sum, v) => sum + v, 0) / Math.max(1, values.length);
const transitions = mean(
  histories.map((events) => events.filter((e) => e.type?.endsWith('StateEntered')).length),
);
const invocations = mean(
  histories.map(
    (events) =>
      events.filter(
        (e) => e.type === 'TaskScheduled' && e.taskScheduledEventDetails?.resourceType === 'lambda',
      ).length,
  ),
);
const lambdaSeconds = mean(
  histories.map((events) => {
    const scheduled = events.find((e) => e.type === 'TaskScheduled')?.timestamp?.getTime() ?? 0;
    const succeeded = events.find((e) => e.type === 'TaskSucceeded')?.timestamp?.getTime() ?? scheduled;
    return (succeeded - scheduled) / 1000;
  }),
);
report('allocation.state_transitions', transitions, 'per allocation');
report('allocation.lambda_invocations', invocations, 'per allocation');
report('allocation.lambda_duration_local', lambdaSeconds * 1000, 'ms');
const memoryGb = (functions.find((fn) => fn.id === 'allocate-resources')?.memoryMiB ?? 512) / 1024;
// Billed Lambda time is at least 1 ms per invocation and, in AWS, network-bound: take 20 ms as the floor.
const billedSeconds = Math.max(lambdaSeconds, 0.02);
const costPerAllocation =
  transitions * PRICE.transition +
  invocations * (PRICE.lambdaRequest + billedSeconds * memoryGb * PRICE.lambdaGbSecond) +
  EVENTS * PRICE.event +
  ledgerWrites * PRICE.write +
  ledgerReads * PRICE.read;
report('allocation.aws_cost_per_million', costPerAllocation * 1e6, 'USD');

eventBridge.destroy();
sfn.destroy();
await runtime.close();
rmSync(dataDirectory, { recursive: true, force: true });

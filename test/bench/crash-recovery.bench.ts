/**
 * What a crash costs: `baton dev` killed (SIGKILL) with 1 000 finished executions in its journal
 * and 100 callback allocations waiting for their provisioners, then started again on its data
 * directory — its start-to-ready time beside a start on an empty data directory (baseline), and the
 * time from the restart (the process spawned) until every one of the 100 reservations is returned.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { ledgerKeys } from '../../lambdas/adapters/ledger-keys';
import { LEDGER_TABLE_NAME } from '../../lib/embedded/local-aws';
import { repositoryRoot } from '../../lib/topology/repository-root';
import { drive, report } from './report';

const FINISHED = 1000;
const WAITING = 100;
const READY = /ready on (http:\/\/127\.0\.0\.1:\d+)/;

interface Started {
  readonly child: ChildProcess;
  readonly url: string;
  /** When it was spawned (performance.now()). */
  readonly spawnedAt: number;
  readonly readyAfterMs: number;
}

function startDev(dataDirectory: string): Promise<Started> {
  const started = performance.now();
  const child = spawn(
    process.execPath,
    [join(repositoryRoot, 'bin', 'baton.js'), 'dev', '--port', '0', '--data-dir', dataDirectory],
    {
      cwd: repositoryRoot,
      stdio: ['ignore', 'pipe', 'ignore'],
      env: { ...process.env, POWERTOOLS_LOG_LEVEL: 'ERROR' },
    },
  );
  return new Promise((resolve, reject) => {
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const url = READY.exec(output)?.[1];
      if (url) resolve({ child, url, spawnedAt: started, readyAfterMs: performance.now() - started });
    });
    child.on('exit', (code) => reject(new Error(`baton dev exited (${code}) before it was ready`)));
  });
}

async function kill(child: ChildProcess): Promise<void> {
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
}

function clients(url: string) {
  const config = {
    endpoint: url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'b', secretAccessKey: 'b' },
  };
  return { sfn: new SFNClient(config), ledger: DynamoDBDocumentClient.from(new DynamoDBClient(config)) };
}

const stateMachineArn = (workflowId: string) =>
  `arn:aws:states:us-east-1:000000000000:stateMachine:baton-local-${workflowId}`;

// The first start of a process warms caches (compiled handlers) that every later one finds warm.
const warmup = mkdtempSync(join(tmpdir(), 'baton-bench-warmup-'));
const empty = mkdtempSync(join(tmpdir(), 'baton-bench-empty-'));
await kill((await startDev(warmup)).child);
const baseline = await startDev(empty);
await kill(baseline.child);
report('crash.baseline_start_empty.ready', baseline.readyAfterMs, 'ms');

const dataDirectory = mkdtempSync(join(tmpdir(), 'baton-bench-crash-'));
const first = await startDev(dataDirectory);
const before = clients(first.url);
await drive(FINISHED, 20, async (index) => {
  await before.sfn.send(
    new StartExecutionCommand({
      stateMachineArn: stateMachineArn('declare-inventory'),
      input: JSON.stringify({
        pools:
          index === 0
            ? [{ poolId: 'crash-pool', kind: 'crash', capacity: { vcpu: 1000 }, state: 'active' }]
            : [],
        quotas: [{ tenantId: `t-${index}`, limits: { vcpu: 1000 } }],
      }),
    }),
  );
});
await drive(WAITING, 20, async (index) => {
  await before.sfn.send(
    new StartExecutionCommand({
      stateMachineArn: stateMachineArn('allocate-resources'),
      input: JSON.stringify({
        requestId: `crash-${index}`,
        tenantId: `t-${index}`,
        kind: 'crash',
        amount: { vcpu: 1 },
        provisioner: 'callback',
      }),
    }),
  );
});
const requestsOf = async (ledger: DynamoDBDocumentClient) =>
  Promise.all(
    Array.from({ length: WAITING }, async (_, index) => {
      const { Item } = await ledger.send(
        new GetCommand({ TableName: LEDGER_TABLE_NAME, Key: ledgerKeys.request(`crash-${index}`) }),
      );
      return Item?.outcome as { status: string; allocationId: string } | undefined;
    }),
  );
for (;;) {
  const outcomes = await requestsOf(before.ledger);
  if (outcomes.every((outcome) => outcome?.status === 'ALLOCATED')) break;
  await new Promise((resolve) => setTimeout(resolve, 100));
}
await kill(first.child);
report('crash.journal.size', statSync(join(dataDirectory, 'executions.ndjson')).size / 1024, 'KiB');

const second = await startDev(dataDirectory);
report('crash.restart.ready', second.readyAfterMs, 'ms');
const after = clients(second.url);
for (;;) {
  const outcomes = await requestsOf(after.ledger);
  if (outcomes.every((outcome) => outcome?.status === 'PROVISIONING_FAILED')) break;
  await new Promise((resolve) => setTimeout(resolve, 50));
}
report(`crash.restart.recovered_${WAITING}_reservations`, performance.now() - second.spawnedAt, 'ms');
await kill(second.child);
for (const directory of [warmup, empty]) rmSync(directory, { recursive: true, force: true });
rmSync(dataDirectory, { recursive: true, force: true });

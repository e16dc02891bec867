/**
 * The embedded runtime stopped while work is in flight — a rollout baking, a callback provisioning
 * waiting for its provisioner, a rebalance waiting for its moves — then started again on the same
 * data directory. Killed (SIGKILL) or stopped (SIGTERM, which must also exit promptly): within
 * seconds of the new start every execution it was running is ABORTED and describable, and Baton's
 * own recovery has put everything back — the alias on its old version, the lock free, the
 * reservation returned, the moves reverted — and `baton audit` finds nothing amiss.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import {
  CreateAliasCommand,
  CreateFunctionCommand,
  GetAliasCommand,
  PublishVersionCommand,
} from '@aws-sdk/client-lambda';
import {
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ledgerKeys } from '../../lambdas/adapters/ledger-keys';
import { readLedgerSnapshot } from '../../lambdas/adapters/ledger-snapshot';
import { auditLedger } from '../../lambdas/core/allocation/audit';
import { auditWorkloads } from '../../lambdas/core/workloads/audit-workloads';
import { LEDGER_TABLE_NAME } from '../../lib/embedded/local-aws';
import { eventually } from './embedded-runtime';
import { type RuntimeProcess, startRuntimeProcess } from './runtime-process';

/** Starting a runtime process and setting the scene take a while on a busy machine. */
const ROUND_MS = 150_000;
/** "Within seconds of the restart." */
const RECOVERY_MS = 15_000;

let dataDirectory: string;
let runtime: RuntimeProcess;

beforeAll(async () => {
  dataDirectory = mkdtempSync(join(tmpdir(), 'baton-crash-'));
  // No simulated agent: the rebalance's moves wait for answers that never come.
  runtime = await startRuntimeProcess(dataDirectory, '--no-agent');
}, ROUND_MS);
afterAll(async () => {
  await runtime?.stop('SIGKILL');
  rmSync(dataDirectory, { recursive: true, force: true });
});

const item = async (key: { pk: string; sk: string }) =>
  (await runtime.ledger.send(new GetCommand({ TableName: LEDGER_TABLE_NAME, Key: key }))).Item;

async function startWorkflow(workflowId: string, input: object): Promise<string> {
  const { executionArn } = await runtime.sfn.send(
    new StartExecutionCommand({
      stateMachineArn: `arn:aws:states:us-east-1:000000000000:stateMachine:baton-local-${workflowId}`,
      input: JSON.stringify(input),
    }),
  );
  return executionArn ?? '';
}

async function runWorkflow(workflowId: string, input: object): Promise<Record<string, unknown>> {
  const executionArn = await startWorkflow(workflowId, input);
  const ended = await eventually(async () => {
    const description = await runtime.sfn.send(new DescribeExecutionCommand({ executionArn }));
    return description.status === 'RUNNING' ? undefined : description;
  });
  expect(ended.status).toBe('SUCCEEDED');
  return JSON.parse(ended.output ?? 'null');
}

async function put(detailType: string, detail: object): Promise<void> {
  const { FailedEntryCount } = await runtime.eventBridge.send(
    new PutEventsCommand({
      Entries: [{ Source: 'test.crash', DetailType: detailType, Detail: JSON.stringify(detail) }],
    }),
  );
  expect(FailedEntryCount).toBe(0);
}

interface Scene {
  readonly round: string;
  readonly rollout: string;
  readonly allocation: string;
  readonly rebalance: string;
  readonly callbackAllocationId: string;
  readonly oldResource: string;
  readonly newResource: string;
  readonly workloads: readonly string[];
}

/** A rollout baking, a callback provisioning waiting, a rebalance's moves waiting for their agent. */
async function workInFlight(round: string): Promise<Scene> {
  const tenant = `wl-${round}`;
  const kind = `${tenant}-kind`;
  const pool = (poolId: string, rack: string, state = 'active') => ({
    poolId,
    kind,
    labels: { rack },
    capacity: { vcpu: 64 },
    state,
  });
  await runWorkflow('declare-inventory', {
    pools: [
      { poolId: `cb-${round}`, kind: `cb-${round}`, capacity: { vcpu: 10 }, state: 'active' },
      pool(`old-${round}`, 'old'),
      pool(`new-${round}`, 'new'),
    ],
    quotas: [
      { tenantId: `cb-${round}`, limits: { vcpu: 10 } },
      { tenantId: tenant, limits: { vcpu: 1000 } },
    ],
  });

  // Three workloads on a resource in the old rack, a resource in the new one, the old rack draining.
  const resourceIn = async (rack: string) => {
    const allocated = await runWorkflow('allocate-resources', {
      requestId: `${tenant}-${rack}`,
      tenantId: tenant,
      kind,
      amount: { vcpu: 8 },
      labels: { rack },
    });
    const resourceId = String(allocated.allocationId);
    await eventually(() => item(ledgerKeys.resource(tenant, resourceId)));
    return resourceId;
  };
  const oldResource = await resourceIn('old');
  const workloads = [1, 2, 3].map((n) => `w${n}-${round}`);
  for (const workloadId of workloads)
    await put('WorkloadSubmitted', { workloadId, tenantId: tenant, demand: { vcpu: 1 } });
  for (const workloadId of workloads)
    await eventually(async () => (await item(ledgerKeys.workload(tenant, workloadId)))?.resourceId);
  const newResource = await resourceIn('new');
  await put('ResourcePoolChanged', pool(`old-${round}`, 'old', 'draining'));
  await eventually(async () =>
    (await item(ledgerKeys.pool(`old-${round}`)))?.state === 'draining' ? true : undefined,
  );
  const rebalance = await startWorkflow('rebalance-workloads', { scope: { tenantId: tenant } });
  for (const workloadId of workloads)
    await eventually(async () => (await item(ledgerKeys.workload(tenant, workloadId)))?.move);

  // A canary at 10 %, baking for an hour.
  const functionName = `svc-${round}`;
  await runtime.lambda.send(
    new CreateFunctionCommand({
      FunctionName: functionName,
      Role: 'arn:aws:iam::000000000000:role/r',
      Code: {},
    }),
  );
  await runtime.lambda.send(new PublishVersionCommand({ FunctionName: functionName }));
  await runtime.lambda.send(new PublishVersionCommand({ FunctionName: functionName }));
  await runtime.lambda.send(
    new CreateAliasCommand({ FunctionName: functionName, Name: 'live', FunctionVersion: '1' }),
  );
  const rollout = await startWorkflow('roll-out-service', {
    rolloutId: `ro-${round}`,
    functionName,
    alias: 'live',
    targetVersion: '2',
    strategy: 'canary:10:3600',
  });
  await eventually(async () => ((await item(ledgerKeys.rollout(`ro-${round}`)))?.gate ? true : undefined));
  expect((await aliasOf(round)).RoutingConfig?.AdditionalVersionWeights).toEqual({ '2': 0.1 });

  // A callback provisioning whose provisioner never answers.
  const allocation = await startWorkflow('allocate-resources', {
    requestId: `cb-req-${round}`,
    tenantId: `cb-${round}`,
    kind: `cb-${round}`,
    amount: { vcpu: 4 },
    provisioner: 'callback',
  });
  const outcome = await eventually(async () => {
    const request = await item(ledgerKeys.request(`cb-req-${round}`));
    return request?.outcome as { allocationId: string; provisioning: boolean } | undefined;
  });
  expect(outcome.provisioning).toBe(true);
  expect(await item(ledgerKeys.pool(`cb-${round}`))).toMatchObject({ used: { vcpu: 4 } });

  return {
    round,
    rollout,
    allocation,
    rebalance,
    callbackAllocationId: outcome.allocationId,
    oldResource,
    newResource,
    workloads,
  };
}

const aliasOf = (round: string) =>
  runtime.lambda.send(new GetAliasCommand({ FunctionName: `svc-${round}`, Name: 'live' }));

/** Everything the scene left in flight is back where it was, and its executions ended ABORTED. */
async function expectRecovered(scene: Scene): Promise<void> {
  const { round } = scene;
  const tenant = `wl-${round}`;
  await eventually(async () => {
    const alias = await aliasOf(round);
    const rolledBack =
      alias.FunctionVersion === '1' &&
      Object.keys(alias.RoutingConfig?.AdditionalVersionWeights ?? {}).length === 0;
    const lockFree = (await item(ledgerKeys.aliasLock(`svc-${round}`, 'live'))) === undefined;
    const released = (await item(ledgerKeys.allocation(scene.callbackAllocationId)))?.status === 'RELEASED';
    const reverted = await Promise.all(
      scene.workloads.map(
        async (workloadId) => (await item(ledgerKeys.workload(tenant, workloadId)))?.move === undefined,
      ),
    );
    return rolledBack && lockFree && released && reverted.every(Boolean) ? true : undefined;
  }, RECOVERY_MS);

  expect(await item(ledgerKeys.rollout(`ro-${round}`))).toMatchObject({
    status: 'ROLLED_BACK',
    reason: 'ExecutionAborted',
  });
  for (const key of [ledgerKeys.pool(`cb-${round}`), ledgerKeys.quota(`cb-${round}`)])
    expect(await item(key)).toMatchObject({ used: { vcpu: 0 } });
  for (const workloadId of scene.workloads)
    expect(await item(ledgerKeys.workload(tenant, workloadId))).toMatchObject({
      resourceId: scene.oldResource,
    });
  expect(await item(ledgerKeys.resource(tenant, scene.newResource))).toMatchObject({
    members: {},
    used: { vcpu: 0 },
  });
  const snapshot = await readLedgerSnapshot(runtime.ledger, LEDGER_TABLE_NAME);
  expect(auditLedger(snapshot)).toEqual([]);
  expect(auditWorkloads(snapshot.resources, snapshot.workloads)).toEqual([]);

  for (const executionArn of [scene.rollout, scene.allocation, scene.rebalance]) {
    const description = await runtime.sfn.send(new DescribeExecutionCommand({ executionArn }));
    expect(description).toMatchObject({ status: 'ABORTED', error: 'Baton.RuntimeStopped' });
    const { events = [] } = await runtime.sfn.send(
      new GetExecutionHistoryCommand({ executionArn, reverseOrder: true, maxResults: 1 }),
    );
    expect(events[0]?.type).toBe('ExecutionAborted');
  }
  const audit = await runtime.baton('audit');
  expect(audit).toMatchObject({ code: 0 });
  expect(audit.stdout).toMatch(/^clean: /);
}

describe('a runtime stopped with work in flight, started again on its data directory', () => {
  it(
    'SIGKILL: ends what ran as ABORTED and recovers it all within seconds of the restart',
    async () => {
      const scene = await workInFlight('kill');
      await runtime.stop('SIGKILL');
      runtime = await startRuntimeProcess(dataDirectory, '--no-agent');
      await expectRecovered(scene);
      // Finished executions outlive the runtime too.
      const { executions = [] } = await runtime.sfn.send(
        new ListExecutionsCommand({
          stateMachineArn: 'arn:aws:states:us-east-1:000000000000:stateMachine:baton-local-declare-inventory',
        }),
      );
      expect(executions).toEqual([expect.objectContaining({ status: 'SUCCEEDED' })]);
    },
    ROUND_MS,
  );

  it(
    'SIGTERM: exits within seconds, even with a provisioning waiting, and leaves nothing that is not recovered',
    async () => {
      const scene = await workInFlight('term');
      const { exitedAfterMs, output } = await runtime.stop('SIGTERM');
      expect(output).toContain('stopped');
      expect(exitedAfterMs).toBeLessThan(6_000);
      runtime = await startRuntimeProcess(dataDirectory, '--no-agent');
      await expectRecovered(scene);
    },
    ROUND_MS,
  );
});

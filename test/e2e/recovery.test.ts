/**
 * Recovery in the embedded runtime, through the real SDK clients: the status-change routes act
 * only on an execution Step Functions says has ended, and only on what that execution drives — a
 * forged or replayed event, or a duplicate's end, harms nothing — a stopped rebalance's moves are
 * reverted, and the reconciler finds (and `baton audit` names) whatever a lost event left behind,
 * recovering it once however often it runs.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import {
  CreateAliasCommand,
  CreateFunctionCommand,
  GetAliasCommand,
  LambdaClient,
  PublishVersionCommand,
  UpdateAliasCommand,
} from '@aws-sdk/client-lambda';
import { StartExecutionCommand, StopExecutionCommand } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbAllocationLedger } from '../../lambdas/adapters/dynamodb-allocation-ledger';
import type { DynamoDbWorkloadLedger } from '../../lambdas/adapters/dynamodb-workload-ledger';
import { ledgerKeys } from '../../lambdas/adapters/ledger-keys';
import { readLedgerSnapshot } from '../../lambdas/adapters/ledger-snapshot';
import { allocate } from '../../lambdas/core/allocation/allocate';
import type { AllocationLedger } from '../../lambdas/core/allocation/allocation';
import { auditLedger } from '../../lambdas/core/allocation/audit';
import { beginMove, finishMove, revertMove } from '../../lambdas/core/workloads/rebalance-workloads';
import type { BusEvent } from '../../lib/embedded/event-bus';
import { LEDGER_TABLE_NAME } from '../../lib/embedded/runtime';
import { repositoryRoot } from '../../lib/topology/repository-root';
import { eventually, startTestRuntime, type TestRuntime } from './embedded-runtime';
import { submission, workloadScene } from './workload-setup';

const STATUS_CHANGE = 'Step Functions Execution Status Change';
let t: TestRuntime;
let lambda: LambdaClient;
let allocations: DynamoDbAllocationLedger;
let scene: ReturnType<typeof workloadScene>;
const facts: BusEvent[] = [];

beforeAll(async () => {
  // No simulated agent: moves wait until a test answers or stops them.
  t = await startTestRuntime({ simulatedAgent: false });
  lambda = new LambdaClient({
    endpoint: t.runtime.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  allocations = new DynamoDbAllocationLedger(t.ledger, LEDGER_TABLE_NAME);
  scene = workloadScene(t);
  t.runtime.bus.subscribe((event) => {
    if (event.source === 'baton') facts.push(event);
  });
});
afterAll(async () => {
  lambda.destroy();
  await t.stop();
});

async function start(workflowId: string, input: unknown, name?: string): Promise<string> {
  const { executionArn } = await t.sfn.send(
    new StartExecutionCommand({
      stateMachineArn: t.runtime.engine.workflowArn(workflowId),
      input: JSON.stringify(input),
      name,
    }),
  );
  return executionArn ?? '';
}

/** A callback allocation of 4 vcpu (of 10), waiting for its provisioner. */
async function provisioningWaiting(tenantId: string) {
  const declared = await t.run('declare-inventory', {
    pools: [{ poolId: `${tenantId}-pool`, kind: tenantId, capacity: { vcpu: 10 }, state: 'active' }],
    quotas: [{ tenantId, limits: { vcpu: 10 } }],
  });
  expect(declared.status).toBe('SUCCEEDED');
  const input = {
    requestId: `${tenantId}-req`,
    tenantId,
    kind: tenantId,
    amount: { vcpu: 4 },
    provisioner: 'callback',
  };
  const executionArn = await start('allocate-resources', input);
  const asked = await eventually(() =>
    facts.find(
      (f) =>
        f['detail-type'] === 'ResourceProvisionRequested' &&
        (f.detail as { tenantId: string }).tenantId === tenantId,
    ),
  );
  const { taskToken, allocationId } = asked.detail as { taskToken: string; allocationId: string };
  return { executionArn, input, taskToken, allocationId };
}

/** A rollout of `functionName` from version 1 to 2, at its first step and baking for an hour. */
async function rolloutBaking(functionName: string) {
  await lambda.send(
    new CreateFunctionCommand({
      FunctionName: functionName,
      Role: 'arn:aws:iam::000000000000:role/r',
      Code: {},
    }),
  );
  await lambda.send(new PublishVersionCommand({ FunctionName: functionName }));
  await lambda.send(new PublishVersionCommand({ FunctionName: functionName }));
  await lambda.send(
    new CreateAliasCommand({ FunctionName: functionName, Name: 'live', FunctionVersion: '1' }),
  );
  const rolloutId = `${functionName}-rollout`;
  const input = { rolloutId, functionName, alias: 'live', targetVersion: '2', strategy: 'canary:10:3600' };
  const executionArn = await start('roll-out-service', input);
  await eventually(async () =>
    (await t.ledgerItem(ledgerKeys.rollout(rolloutId)))?.gate ? true : undefined,
  );
  return { executionArn, input, rolloutId };
}

const weightsOf = async (functionName: string) =>
  (await lambda.send(new GetAliasCommand({ FunctionName: functionName, Name: 'live' }))).RoutingConfig
    ?.AdditionalVersionWeights ?? {};

/** Puts a status-change event as anyone on the default bus could (locally, `aws.*` sources are open). */
async function forgeStatusChange(detail: object): Promise<void> {
  const { FailedEntryCount } = await t.eventBridge.send(
    new PutEventsCommand({
      Entries: [{ Source: 'aws.states', DetailType: STATUS_CHANGE, Detail: JSON.stringify(detail) }],
    }),
  );
  expect(FailedEntryCount).toBe(0);
  await t.runtime.bus.settle();
}

const run = promisify(execFile);
async function audit(): Promise<{
  code: number;
  report: { clean: boolean; drift: string[]; orphans: string[] };
}> {
  const args = [join(repositoryRoot, 'bin', 'baton.js'), '--endpoint', t.runtime.url, '--json', 'audit'];
  const outcome = await run(process.execPath, args, { cwd: repositoryRoot }).then(
    ({ stdout }) => ({ stdout, code: 0 }),
    (error: { stdout: string; code: number }) => error,
  );
  return { code: outcome.code, report: JSON.parse(outcome.stdout) };
}

async function reconcile(): Promise<{ orphans: string[]; failures: string[] }> {
  const result = await t.runtime.lambda.invoke('baton-local-reconcile', {});
  await t.runtime.bus.settle();
  return result as { orphans: string[]; failures: string[] };
}

describe('the status-change routes', () => {
  it('take no forged or replayed end for the truth: a running provisioning and rollout go on', async () => {
    const provisioning = await provisioningWaiting('forged-alloc');
    const rollout = await rolloutBaking('forged-svc');
    for (const [workflowId, { executionArn, input }] of [
      ['allocate-resources', provisioning],
      ['roll-out-service', rollout],
    ] as const) {
      await forgeStatusChange({
        executionArn,
        stateMachineArn: t.runtime.engine.workflowArn(workflowId),
        status: 'ABORTED',
        input: JSON.stringify(input),
      });
    }
    expect(await t.ledgerItem(ledgerKeys.allocation(provisioning.allocationId))).toMatchObject({
      status: 'RESERVED',
    });
    expect(await weightsOf('forged-svc')).toEqual({ '2': 0.1 });
    expect(await t.ledgerItem(ledgerKeys.rollout(rollout.rolloutId))).toMatchObject({ status: 'RUNNING' });

    // Both still finish as they should.
    await t.eventBridge.send(
      new PutEventsCommand({
        Entries: [
          {
            Source: 'acme.provisioner',
            DetailType: 'ResourceProvisionCompleted',
            Detail: JSON.stringify({ taskToken: provisioning.taskToken, ok: true }),
          },
        ],
      }),
    );
    expect(await t.finished(provisioning.executionArn)).toMatchObject({ status: 'SUCCEEDED' });
    await t.sfn.send(new StopExecutionCommand({ executionArn: rollout.executionArn }));
    await eventually(async () => ((await weightsOf('forged-svc'))['2'] === undefined ? true : undefined));
  });

  it('end a rollout whose alias someone else took over as FAILED: the alias left to them, its lock freed', async () => {
    const rollout = await rolloutBaking('hotfix-svc');
    // A hotfix: someone points the alias at a version 3, then the rollout's execution is stopped.
    await lambda.send(new PublishVersionCommand({ FunctionName: 'hotfix-svc' }));
    await lambda.send(
      new UpdateAliasCommand({
        FunctionName: 'hotfix-svc',
        Name: 'live',
        FunctionVersion: '3',
        RoutingConfig: { AdditionalVersionWeights: {} },
      }),
    );
    await t.sfn.send(new StopExecutionCommand({ executionArn: rollout.executionArn }));
    // Ended and announced (before the fix, recovery failed on every try and it stayed RUNNING).
    const record = await eventually(async () => {
      const item = await t.ledgerItem(ledgerKeys.rollout(rollout.rolloutId));
      return item?.endingAnnounced ? item : undefined;
    });
    expect(record).toMatchObject({
      status: 'FAILED',
      reason: 'AliasTakenOver',
      explanation: expect.stringContaining('after ExecutionAborted'),
    });
    await t.runtime.bus.settle();
    expect(
      facts.filter(
        (f) =>
          f['detail-type'] === 'ServiceRolloutFailed' &&
          (f.detail as { rolloutId: string }).rolloutId === rollout.rolloutId,
      ),
    ).toMatchObject([{ detail: { reason: 'AliasTakenOver' } }]);
    const alias = await lambda.send(new GetAliasCommand({ FunctionName: 'hotfix-svc', Name: 'live' }));
    expect([alias.FunctionVersion, alias.RoutingConfig?.AdditionalVersionWeights ?? {}]).toEqual(['3', {}]);
    expect(await t.ledgerItem(ledgerKeys.aliasLock('hotfix-svc', 'live'))).toBeUndefined();
    // The alias is free for the next rollout.
    const next = await t.run('roll-out-service', {
      rolloutId: 'hotfix-svc-next',
      functionName: 'hotfix-svc',
      alias: 'live',
      targetVersion: '2',
      strategy: 'allAtOnce',
    });
    expect(JSON.parse(next.output ?? 'null')).toMatchObject({ status: 'SUCCEEDED' });
  });

  it.each([
    [
      'fails on invalid input',
      (input: object) => start('allocate-resources', { ...input, amount: { vcpu: -1 } }),
    ],
    [
      'is stopped',
      async (input: object) => {
        const executionArn = await start('allocate-resources', input);
        await t.sfn.send(new StopExecutionCommand({ executionArn }));
        return executionArn;
      },
    ],
  ])('leave a live provisioning alone when a duplicate of its request %s', async (_, duplicate) => {
    const tenantId = `dup-${_.length}`;
    const provisioning = await provisioningWaiting(tenantId);
    const duplicateArn = await duplicate(provisioning.input);
    expect((await t.finished(duplicateArn)).status).not.toBe('SUCCEEDED');
    await t.runtime.bus.settle();
    expect(await t.ledgerItem(ledgerKeys.allocation(provisioning.allocationId))).toMatchObject({
      status: 'RESERVED',
    });
    expect(await t.ledgerItem(ledgerKeys.pool(`${tenantId}-pool`))).toMatchObject({ used: { vcpu: 4 } });
    // Its own end is the one that counts.
    await t.sfn.send(new StopExecutionCommand({ executionArn: provisioning.executionArn }));
    await eventually(async () =>
      (await t.ledgerItem(ledgerKeys.allocation(provisioning.allocationId)))?.status === 'RELEASED'
        ? true
        : undefined,
    );
    expect(await t.ledgerItem(ledgerKeys.pool(`${tenantId}-pool`))).toMatchObject({ used: { vcpu: 0 } });
  });

  it("revert a stopped rebalance's moves in flight and leave the workloads where they were", async () => {
    await scene.declare('halt-co', [
      { poolId: 'halt-old', vcpu: 64, labels: { rack: 'old' } },
      { poolId: 'halt-new', vcpu: 64, labels: { rack: 'new' } },
    ]);
    const old = await scene.allocate('halt-co', 8, { rack: 'old' });
    await scene.submitAndPlace('halt-co', [submission('halt-co', 'h1', 1), submission('halt-co', 'h2', 1)]);
    const spare = await scene.allocate('halt-co', 8, { rack: 'new' });
    await scene.put('ResourcePoolChanged', [
      {
        poolId: 'halt-old',
        kind: 'halt-co-kind',
        labels: { rack: 'old' },
        capacity: { vcpu: 64, memoryGiB: 256 },
        state: 'draining',
      },
    ]);
    await eventually(async () =>
      (await t.ledgerItem(ledgerKeys.pool('halt-old')))?.state === 'draining' ? true : undefined,
    );
    const executionArn = await start('rebalance-workloads', { scope: { tenantId: 'halt-co' } });
    for (const workloadId of ['h1', 'h2'])
      await eventually(async () => (await scene.workloads.workload('halt-co', workloadId))?.move);
    // A move is noted on its workload before it takes room on its target: wait for the room too.
    await eventually(async () => (await scene.workloads.resource('halt-co', spare))?.members?.h1);

    await t.sfn.send(new StopExecutionCommand({ executionArn, error: 'Operator', cause: 'not today' }));
    await eventually(async () => {
      const moving = await Promise.all(
        ['h1', 'h2'].map(async (workloadId) => (await scene.workloads.workload('halt-co', workloadId))?.move),
      );
      return moving.every((move) => move === undefined) ? true : undefined;
    });
    expect(await scene.placementOf('halt-co')).toEqual(
      new Map([
        ['h1', old],
        ['h2', old],
      ]),
    );
    expect((await scene.workloads.resource('halt-co', spare))?.members).toEqual({});
  });
});

describe('a move reverted after its execution ended', () => {
  it('cannot be finished by a finish still on its way: the workload stays where it was, its room whole', async () => {
    await scene.declare('late-co', [{ poolId: 'late-a', vcpu: 64 }]);
    const from = await scene.allocate('late-co', 8);
    await scene.submitAndPlace('late-co', [submission('late-co', 'tardy', 2)]);
    const to = await scene.allocate('late-co', 8);
    const move = {
      tenantId: 'late-co',
      workloadId: 'tardy',
      from,
      to,
      reason: 'test',
      wave: 1,
      moveId: 'plan-1/tardy',
      executionId: 'arn:aws:states:us-east-1:000000000000:execution:baton-local-rebalance-workloads:late',
    };
    expect(await beginMove(scene.workloads, move)).toEqual({ outcome: 'STARTED' });
    // The FinishMove its execution invoked just before it was stopped lands while the revert runs.
    const finishes: unknown[] = [];
    const racing = Object.create(scene.workloads) as DynamoDbWorkloadLedger;
    racing.vacate = async (...args) => {
      finishes.push(await finishMove(scene.workloads, scene.publisher, move, new Date()));
      return scene.workloads.vacate(...args);
    };
    await revertMove(racing, move, 'the rebalance execution ended');
    expect(finishes).toEqual([expect.objectContaining({ outcome: 'SKIPPED' })]);
    expect(await scene.placementOf('late-co')).toEqual(new Map([['tardy', from]]));
    expect((await scene.workloads.resource('late-co', to))?.members).toEqual({});
  });
});

describe('the reconciler', () => {
  it('finds what a lost status-change event left, as `baton audit` names it, and recovers it once', async () => {
    const rollout = await rolloutBaking('lost-svc');
    // The end of the execution is never announced (as when EventBridge gives up on it).
    const unfault = t.runtime.bus.injectFault((entry) =>
      entry.DetailType === STATUS_CHANGE ? 'entry' : undefined,
    );
    try {
      await t.sfn.send(new StopExecutionCommand({ executionArn: rollout.executionArn }));
      await t.finished(rollout.executionArn);
    } finally {
      unfault();
    }
    await t.runtime.bus.settle();
    expect(await weightsOf('lost-svc')).toEqual({ '2': 0.1 });
    const orphan = `rollout ${rollout.rolloutId} RUNNING, its execution ${rollout.executionArn} ABORTED`;
    expect(await audit()).toMatchObject({ code: 1, report: { clean: false, orphans: [orphan] } });

    expect(await reconcile()).toEqual({ orphans: [orphan], failures: [] });
    expect(await weightsOf('lost-svc')).toEqual({});
    expect(await t.ledgerItem(ledgerKeys.aliasLock('lost-svc', 'live'))).toBeUndefined();
    expect(await t.ledgerItem(ledgerKeys.rollout(rollout.rolloutId))).toMatchObject({
      status: 'ROLLED_BACK',
      reason: 'ExecutionAborted',
    });
    expect(await reconcile()).toEqual({ orphans: [], failures: [] });
    expect(await audit()).toMatchObject({ code: 0, report: { clean: true, orphans: [] } });
  });

  it('finishes what dead functions left: a saga cut short, a release left half-way, a placement note', async () => {
    const longAgo = new Date(Date.now() - 10 * 60_000);
    const declared = await t.run('declare-inventory', {
      pools: [{ poolId: 'dead-pool', kind: 'dead', capacity: { vcpu: 10 }, state: 'active' }],
      quotas: [{ tenantId: 'dead-tenant', limits: { vcpu: 10 } }],
    });
    expect(declared.status).toBe('SUCCEEDED');

    // An allocation saga whose function died after holding the quota, in an execution that is gone.
    const dying = new Proxy(allocations, {
      get: (target, property: keyof AllocationLedger) =>
        property === 'reservePool'
          ? () => Promise.reject(new Error('the Lambda died'))
          : property === 'returnQuota' || property === 'unclaimRequest'
            ? () => Promise.reject(new Error('the Lambda is dead'))
            : target[property].bind(target),
    });
    const gone = 'arn:aws:states:us-east-1:000000000000:execution:baton-local-allocate-resources:gone';
    await expect(
      allocate(
        {
          ledger: dying,
          now: () => new Date(),
          newAllocationId: () => 'alloc-cut-short',
          newClaimId: () => 'claim-cut-short',
          pause: () => Promise.resolve(),
        },
        { requestId: 'cut-short', tenantId: 'dead-tenant', kind: 'dead', amount: { vcpu: 3 } },
        gone,
      ),
    ).rejects.toThrow();
    expect(await t.ledgerItem(ledgerKeys.quota('dead-tenant'))).toMatchObject({ used: { vcpu: 3 } });

    // A release whose execution died after taking the allocation, long ago.
    const released = await t.run('allocate-resources', {
      requestId: 'half-released',
      tenantId: 'dead-tenant',
      kind: 'dead',
      amount: { vcpu: 2 },
    });
    const { allocationId } = JSON.parse(released.output ?? 'null');
    expect(await allocations.claimRelease(allocationId, 'ACTIVE', longAgo, longAgo, 'request')).toBe(true);

    // A placer that died after taking room, before pointing the workload at it.
    await scene.declare('placer-co', [{ poolId: 'placer-a', vcpu: 64 }]);
    const resourceId = await scene.allocate('placer-co', 4);
    const workload = { ...submission('placer-co', 'stranded', 3), submittedAt: longAgo.toISOString() };
    expect(await scene.workloads.registerWorkload(workload)).toBe(true);
    const placing = { resourceId, token: 'dead-placer', at: longAgo.toISOString() };
    expect(await scene.workloads.notePlacing('placer-co', 'stranded', placing, longAgo.toISOString())).toBe(
      true,
    );
    const resource = await scene.workloads.resource('placer-co', resourceId);
    if (!resource) throw new Error('no resource');
    expect(await scene.workloads.occupy('placer-co', resource, workload, 'dead-placer')).toBe('occupied');

    const orphans = [
      `allocation request cut-short claimed with no outcome, its execution ${gone} does not exist`,
      `allocation ${allocationId} RELEASING since ${longAgo.toISOString()}, its release stopped`,
      `workload stranded of placer-co being placed on ${resourceId} since ${longAgo.toISOString()}, its placer stopped`,
    ];
    const before = await audit();
    expect(before.code).toBe(1);
    expect(before.report.orphans.toSorted()).toEqual(orphans.toSorted());
    expect(before.report.drift).toEqual(['tenant dead-tenant vcpu recorded 5, allocations hold 2']);

    expect((await reconcile()).orphans.toSorted()).toEqual(orphans.toSorted());
    expect(await t.ledgerItem(ledgerKeys.request('cut-short'))).toBeUndefined();
    expect(await t.ledgerItem(ledgerKeys.allocation(allocationId))).toMatchObject({ status: 'RELEASED' });
    for (const key of [ledgerKeys.pool('dead-pool'), ledgerKeys.quota('dead-tenant')])
      expect(await t.ledgerItem(key)).toMatchObject({ used: { vcpu: 0 } });
    expect(await scene.placementOf('placer-co')).toEqual(new Map([['stranded', resourceId]]));
    expect(facts.map((f) => [f['detail-type'], f.detail])).toEqual(
      expect.arrayContaining([
        ['ResourceReleased', expect.objectContaining({ allocationId })],
        ['WorkloadPlaced', expect.objectContaining({ workloadId: 'stranded', resourceId })],
      ]),
    );
    expect(auditLedger(await readLedgerSnapshot(t.ledger, LEDGER_TABLE_NAME))).toEqual([]);
    expect(await reconcile()).toEqual({ orphans: [], failures: [] });
    expect((await audit()).code).toBe(0);
  });
});

/**
 * Recovery in the embedded runtime, through the real SDK clients: the status-change routes act
 * only on an execution Step Functions says has ended, and only on what that execution drives — a
 * forged or replayed event, or a duplicate's end, harms nothing — a stopped rebalance's moves are
 * reverted, and the reconciler finds (and `baton audit` names) whatever a lost event left behind,
 * recovering it once however often it runs.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
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
import { DynamoDbRolloutLedger } from '../../lambdas/adapters/dynamodb-rollout-ledger';
import { DynamoDbUnsettledRecords } from '../../lambdas/adapters/dynamodb-unsettled-records';
import type { DynamoDbWorkloadLedger } from '../../lambdas/adapters/dynamodb-workload-ledger';
import { LambdaAliasTraffic } from '../../lambdas/adapters/lambda-alias-traffic';
import { ledgerKeys } from '../../lambdas/adapters/ledger-keys';
import { readLedgerSnapshot } from '../../lambdas/adapters/ledger-snapshot';
import { StepFunctionsExecutions } from '../../lambdas/adapters/step-functions-executions';
import { allocate } from '../../lambdas/core/allocation/allocate';
import { auditLedger } from '../../lambdas/core/allocation/audit';
import { release } from '../../lambdas/core/allocation/release';
import { DESCRIBE_CONCURRENCY, findOrphans } from '../../lambdas/core/recovery/orphans';
import {
  RECOVERY_GRACE_MS,
  type Reconciliation,
  reconcile as reconcileAt,
} from '../../lambdas/core/recovery/reconcile';
import { placePendingWorkloads } from '../../lambdas/core/workloads/place-pending-workloads';
import { beginMove, finishMove, revertMove } from '../../lambdas/core/workloads/rebalance-workloads';
import type { BusEvent } from '../../lib/embedded/event-bus';
import { LEDGER_TABLE_NAME } from '../../lib/embedded/local-aws';
import { repositoryRoot } from '../../lib/topology/repository-root';
import { eventually, startTestRuntime, type TestRuntime } from './embedded-runtime';
import { intercepted } from './ledger-steps';
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

/** A run of Baton's reconciler function, now. */
async function reconcileNow(): Promise<Reconciliation> {
  const result = await t.runtime.lambda.invoke('baton-local-reconcile', {});
  await t.runtime.bus.settle();
  return result as Reconciliation;
}

/** The reconciler's work at `now` (by default once what ended just now is its own), with Baton's adapters. */
async function reconcile(now = new Date(Date.now() + RECOVERY_GRACE_MS)): Promise<Reconciliation> {
  const workloads = scene.workloads;
  const result = await reconcileAt(
    {
      records: new DynamoDbUnsettledRecords(t.ledger, LEDGER_TABLE_NAME),
      workloads,
      allocations: allocations.records,
      executions: new StepFunctionsExecutions(t.sfn),
    },
    {
      allocations,
      rollouts: new DynamoDbRolloutLedger(t.ledger, LEDGER_TABLE_NAME),
      traffic: new LambdaAliasTraffic(lambda),
      workloads,
      publisher: scene.publisher,
      newClaimId: () => `recovery-${randomUUID()}`,
    },
    now,
  );
  await t.runtime.bus.settle();
  return result;
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
    // Both moves begun: noted on the workload, then their room taken on the target (a look between
    // the two would see the move without its room).
    await eventually(async () => {
      const moving = await Promise.all(
        ['h1', 'h2'].map(async (workloadId) => (await scene.workloads.workload('halt-co', workloadId))?.move),
      );
      const members = (await scene.workloads.resource('halt-co', spare))?.members ?? {};
      return moving.every(Boolean) && 'h1' in members && 'h2' in members ? true : undefined;
    });

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
    // Just ended: the reconciler leaves it to its route (at a restart both would recover it at once).
    expect(await reconcileNow()).toEqual({ orphans: [], failures: [] });
    expect(await weightsOf('lost-svc')).toEqual({ '2': 0.1 });

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
    const dying = intercepted(allocations, (step, call) =>
      step === 'holders.reserve:pool'
        ? Promise.reject(new Error('the Lambda died'))
        : step === 'holders.returnHold:quota' || step === 'claims.unclaim'
          ? Promise.reject(new Error('the Lambda is dead'))
          : call(),
    );
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
    expect(await allocations.records.claimRelease(allocationId, 'ACTIVE', longAgo, longAgo, 'request')).toBe(
      true,
    );

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
        // The saga cut short is refused in public, for its tenant to ask again.
        [
          'ResourceAllocationRejected',
          expect.objectContaining({
            requestId: 'cut-short',
            tenantId: 'dead-tenant',
            reason: 'RequestAbandoned',
          }),
        ],
        ['WorkloadPlaced', expect.objectContaining({ workloadId: 'stranded', resourceId })],
      ]),
    );
    expect(auditLedger(await readLedgerSnapshot(t.ledger, LEDGER_TABLE_NAME))).toEqual([]);
    expect(await reconcile()).toEqual({ orphans: [], failures: [] });
    expect((await audit()).code).toBe(0);
  });

  it('announces an outcome whose deciding function died before announcing it, once', async () => {
    const declared = await t.run('declare-inventory', {
      pools: [{ poolId: 'mute-pool', kind: 'mute', capacity: { vcpu: 10 }, state: 'active' }],
      quotas: [{ tenantId: 'mute-tenant', limits: { vcpu: 10 } }],
    });
    expect(declared.status).toBe('SUCCEEDED');
    const decider = 'arn:aws:states:us-east-1:000000000000:execution:baton-local-allocate-resources:mute';
    const request = { requestId: 'mute', tenantId: 'mute-tenant', kind: 'mute', amount: { vcpu: 2 } };
    const deps = (claimId: string) => ({
      ledger: allocations,
      now: () => new Date(),
      newAllocationId: () => 'alloc-mute',
      newClaimId: () => claimId,
      pause: () => Promise.resolve(),
    });
    // Decided; the function is killed before it publishes (SIGKILL, or a sandbox timeout).
    expect(await allocate(deps('claim-mute'), request, decider)).toMatchObject({
      decided: true,
      announce: true,
    });
    // A duplicate delivery leaves the announcing to the decider while its claim is fresh.
    expect(await allocate(deps('claim-mute-2'), request, `${decider}-2`)).toMatchObject({
      decided: false,
      announce: false,
    });
    const announced = () =>
      facts.filter(
        (f) =>
          f['detail-type'] === 'ResourceAllocated' &&
          (f.detail as { requestId: string }).requestId === 'mute',
      );
    const orphan = 'allocation request mute ALLOCATED, its fact never announced';
    expect(await reconcile()).toEqual({ orphans: [orphan], failures: [] });
    expect(announced().map((f) => f.detail)).toEqual([
      expect.objectContaining({ allocationId: 'alloc-mute' }),
    ]);
    expect(await reconcile()).toEqual({ orphans: [], failures: [] });
    expect(announced()).toHaveLength(1);
  });

  it('judges records a few at a time, and names one it cannot judge without failing the others', async () => {
    const execution = (i: number) =>
      `arn:aws:states:us-east-1:000000000000:execution:baton-local-allocate-resources:unjudged-${i}`;
    const ids = Array.from({ length: 20 }, (_, i) => i);
    for (const i of ids)
      expect(
        await allocations.claims.claim(
          `unjudged-${i}`,
          { claimId: `claim-${i}`, executionId: execution(i) },
          new Date(),
        ),
      ).toBe(true);
    const stepFunctions = new StepFunctionsExecutions(t.sfn);
    let asking = 0;
    let mostAtOnce = 0;
    const executions = {
      describe: async (executionArn: string) => {
        mostAtOnce = Math.max(mostAtOnce, ++asking);
        try {
          if (executionArn === execution(3))
            throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
          return await stepFunctions.describe(executionArn);
        } finally {
          asking--;
        }
      },
    };
    try {
      const { orphans, failures } = await findOrphans(
        {
          records: new DynamoDbUnsettledRecords(t.ledger, LEDGER_TABLE_NAME),
          workloads: scene.workloads,
          allocations: allocations.records,
          executions,
        },
        new Date(),
      );
      const judged = orphans.flatMap((orphan) =>
        orphan.kind === 'request' && orphan.requestId.startsWith('unjudged-') ? [orphan.requestId] : [],
      );
      expect(judged.toSorted()).toEqual(
        ids
          .filter((i) => i !== 3)
          .map((i) => `unjudged-${i}`)
          .toSorted(),
      );
      expect(failures).toEqual([
        'allocation request unjudged-3 could not be judged: ThrottlingException: Rate exceeded',
      ]);
      expect(mostAtOnce).toBe(DESCRIBE_CONCURRENCY);
    } finally {
      for (const i of ids) await allocations.claims.unclaim(`unjudged-${i}`, `claim-${i}`);
    }
  });

  it('announces what was done and never announced: a rollout ending, a release, a placement', async () => {
    // A rollout whose ending's fact cannot go out: its recovery ends it, and gives up announcing.
    const rollout = await rolloutBaking('mute-svc');
    const unfault = t.runtime.bus.injectFault((entry) =>
      entry.DetailType === 'ServiceRolloutRolledBack' && String(entry.Detail).includes(rollout.rolloutId)
        ? 'entry'
        : undefined,
    );
    try {
      await t.sfn.send(new StopExecutionCommand({ executionArn: rollout.executionArn }));
      await eventually(async () =>
        (await t.ledgerItem(ledgerKeys.rollout(rollout.rolloutId)))?.status === 'ROLLED_BACK'
          ? true
          : undefined,
      );
      await t.runtime.bus.settle();
    } finally {
      unfault();
    }
    // A release whose function died between returning the capacity and announcing it (no lease:
    // no sweep will ever look at it).
    const declared = await t.run('declare-inventory', {
      pools: [{ poolId: 'quiet-pool', kind: 'quiet', capacity: { vcpu: 10 }, state: 'active' }],
      quotas: [{ tenantId: 'quiet-tenant', limits: { vcpu: 10 } }],
    });
    expect(declared.status).toBe('SUCCEEDED');
    const allocated = await t.run('allocate-resources', {
      requestId: 'quiet',
      tenantId: 'quiet-tenant',
      kind: 'quiet',
      amount: { vcpu: 2 },
    });
    const { allocationId } = JSON.parse(allocated.output ?? 'null');
    expect(await release(allocations, allocationId)).toMatchObject({ released: true });
    // A placement whose placer died before announcing it, the tenant placing nothing since.
    await scene.declare('hushed-co', [{ poolId: 'hushed-a', vcpu: 64 }]);
    const resourceId = await scene.allocate('hushed-co', 4);
    expect(
      await scene.workloads.registerWorkload({
        ...submission('hushed-co', 'hushed', 1),
        submittedAt: new Date().toISOString(),
      }),
    ).toBe(true);
    const placed = await placePendingWorkloads(scene.workloads, 'hushed-co', 'binpack');
    expect(placed.placed).toEqual([{ workloadId: 'hushed', resourceId }]);
    const announced = (detailType: string, key: string, id: string) =>
      facts.filter(
        (f) => f['detail-type'] === detailType && (f.detail as Record<string, unknown>)[key] === id,
      );
    const unannounced = () => [
      ...announced('ServiceRolloutRolledBack', 'rolloutId', rollout.rolloutId),
      ...announced('ResourceReleased', 'allocationId', allocationId),
      ...announced('WorkloadPlaced', 'workloadId', 'hushed'),
    ];
    expect(unannounced()).toEqual([]);

    const { orphans, failures } = await reconcile();
    expect(failures).toEqual([]);
    expect(orphans.toSorted()).toEqual([
      `allocation ${allocationId} RELEASED, its release never announced`,
      `rollout ${rollout.rolloutId} ROLLED_BACK, its ending never announced`,
      expect.stringMatching(/^workload hushed of hushed-co placed on .*, its placement not announced since /),
    ]);
    expect(
      unannounced()
        .map((f) => f['detail-type'])
        .toSorted(),
    ).toEqual(['ResourceReleased', 'ServiceRolloutRolledBack', 'WorkloadPlaced']);
    expect(await reconcile()).toEqual({ orphans: [], failures: [] });
    expect(unannounced()).toHaveLength(3);
  });
});

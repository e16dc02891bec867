/**
 * Facts at least once, and never a false one — at every step that publishes (each function that
 * calls the publisher, and the workflows' `events:putEvents` tasks), with PutEvents failures
 * injected on that step's fact:
 * - transient entry failures outlasting the publisher's own tries (so the step's retry — the
 *   workflow's Retry, the bus's redelivery, Lambda's retry of a scheduled run — must announce
 *   again what its failed first try did not): the fact is delivered exactly once;
 * - transient failures of the whole call: delivered exactly once — except by a step that hands a
 *   task token out, which gives up rather than risk asking twice;
 * - the fact lost for good: it is never delivered, and no other fact contradicts the ledger.
 * After each scenario every fact it caused is checked against the ledger and the alias: no
 * `ServiceRolloutSucceeded` for an alias on the old version, no `ResourceReleased` for an ACTIVE
 * allocation, no `WorkloadPlaced` for a workload that is elsewhere.
 */
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { GetAliasCommand, LambdaClient, UpdateAliasCommand } from '@aws-sdk/client-lambda';
import { DescribeExecutionCommand, SendTaskSuccessCommand, StopExecutionCommand } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ledgerKeys } from '../../lambdas/adapters/ledger-keys';
import type { BusEvent, PutEventsEntry } from '../../lib/embedded/event-bus';
import { eventually, startTestRuntime, type TestRuntime } from './embedded-runtime';
import { publishedService, rolloutRequest } from './rollout-setup';

let t: TestRuntime;
let lambda: LambdaClient;
const facts: BusEvent[] = [];

beforeAll(async () => {
  // No lease sweep on a timer: the scenario runs it, as the schedule would.
  t = await startTestRuntime({ timeScale: 600, schedules: [] });
  const local = {
    endpoint: t.runtime.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  };
  lambda = new LambdaClient(local);
  t.runtime.bus.subscribe((event) => {
    if (event.source === 'baton') facts.push(event);
  });
});
afterAll(async () => {
  lambda.destroy();
  await t.stop();
});

type Detail = Record<string, unknown>;

/** What a scenario does; `id` is in every id it uses, so its facts are its own. */
interface Scene {
  readonly id: string;
  emit(detailType: string, detail: object): Promise<string>;
  start(workflowId: string, input: object): Promise<string>;
  run(workflowId: string, input: object): Promise<Detail>;
  factsOf(detailType: string): Detail[];
}

interface Row {
  /** The function or workflow state that publishes. */
  readonly step: string;
  /** The fact it must announce. */
  readonly fact: string;
  /** Which of the scenario's facts of that type the fault hits (default: those naming the scene's id). */
  readonly target?: (detail: Detail, id: string) => boolean;
  /** Failures the step itself must outlast (an ASL putEvents task has 3 retries and no publisher). */
  readonly tries?: number;
  /**
   * Hands a task token out: a failed call, which may have gone through, is not retried (a retry
   * would hand out a second token) — the step gives up instead, its Catch returning the capacity
   * or reverting the move.
   */
  readonly handsOutToken?: boolean;
  /** Starts the scenario; the execution it waits on, if any. */
  run(scene: Scene): Promise<string | undefined>;
  /** Brings the scenario to its end once the fact is out (answers a provisioner, aborts a rollout…). */
  after?(scene: Scene, fact: Detail): Promise<void>;
  /** How the execution ends when the fact goes out. */
  readonly succeeds?: boolean;
}

function scene(id: string): Scene {
  return {
    id,
    async emit(detailType, detail) {
      const { Entries = [] } = await t.eventBridge.send(
        new PutEventsCommand({
          Entries: [{ Source: `test.${id}`, DetailType: detailType, Detail: JSON.stringify(detail) }],
        }),
      );
      return Entries[0]?.EventId ?? '';
    },
    start: (workflowId, input) => t.start(workflowId, input),
    async run(workflowId, input) {
      return JSON.parse((await t.run(workflowId, input)).output ?? 'null');
    },
    factsOf(detailType) {
      return ofScene(id, detailType);
    },
  };
}

function ofScene(id: string, detailType?: string): Detail[] {
  return facts
    .filter((event) => !detailType || event['detail-type'] === detailType)
    .filter((event) => JSON.stringify(event.detail).includes(id))
    .map((event) => ({ ...(event.detail as Detail), '@type': event['detail-type'] }));
}

const fact = (s: Scene, detailType: string) => eventually(() => s.factsOf(detailType)[0], 30_000);

// ---- setting scenes ----

async function inventory(s: Scene, vcpu = 10): Promise<void> {
  const declared = await t.run('declare-inventory', {
    pools: [{ poolId: `${s.id}-a`, kind: s.id, capacity: { vcpu }, state: 'active' }],
    quotas: [{ tenantId: s.id, limits: { vcpu } }],
  });
  expect(declared.status).toBe('SUCCEEDED');
}

async function allocation(s: Scene, extra: object = {}): Promise<string> {
  await inventory(s);
  const allocated = await s.run('allocate-resources', {
    requestId: `${s.id}-setup`,
    tenantId: s.id,
    kind: s.id,
    amount: { vcpu: 2 },
    ...extra,
  });
  expect(allocated.status).toBe('ALLOCATED');
  return String(allocated.allocationId);
}

/** A callback allocation waiting on its provisioner: its execution and task token. */
async function provisioning(s: Scene): Promise<{ executionArn: string; taskToken: string }> {
  await inventory(s);
  const executionArn = await s.start('allocate-resources', {
    requestId: `${s.id}-cb`,
    tenantId: s.id,
    kind: s.id,
    amount: { vcpu: 2 },
    provisioner: 'callback',
  });
  const asked = await fact(s, 'ResourceProvisionRequested');
  return { executionArn, taskToken: String(asked.taskToken) };
}

/** A resource of the tenant that workloads may use. */
async function resource(s: Scene, suffix = '', vcpu = 2): Promise<string> {
  const allocated = await s.run('allocate-resources', {
    requestId: `${s.id}-r${suffix}`,
    tenantId: s.id,
    kind: s.id,
    amount: { vcpu },
    ...(suffix ? { labels: { zone: suffix } } : {}),
  });
  expect(allocated.status).toBe('ALLOCATED');
  await eventually(async () =>
    (await t.ledgerItem(ledgerKeys.resource(s.id, String(allocated.allocationId)))) ? true : undefined,
  );
  return String(allocated.allocationId);
}

async function rollout(s: Scene, strategy: unknown): Promise<string> {
  await publishedService(lambda, s.id);
  return t.start('roll-out-service', rolloutRequest(s.id, s.id, strategy));
}

/** A rollout baking its first step for long (until the scene controls or stops it). */
async function bakingRollout(s: Scene): Promise<string> {
  const executionArn = await rollout(s, 'canary:10:600000');
  await eventually(() => s.factsOf('ServiceRolloutStepCompleted')[0], 30_000);
  return executionArn;
}

/** The scene's pool and quota, and one resource of the tenant for workloads. */
async function tenantWithResource(s: Scene): Promise<void> {
  await inventory(s);
  await resource(s);
}

const submit = (s: Scene, name: string, vcpu: number) =>
  s.emit('WorkloadSubmitted', { workloadId: workload(s, name), tenantId: s.id, demand: { vcpu } });

const control = (s: Scene, action: string) => s.emit('ServiceRolloutControl', { rolloutId: s.id, action });
const workload = (s: Scene, name: string) => `${s.id}-${name}`;

// ---- the publishing steps ----

const rows: Row[] = [
  {
    step: 'declare-pool',
    fact: 'ResourcePoolUpdated',
    run: async (s) => {
      await s.emit('ResourcePoolChanged', {
        poolId: s.id,
        kind: 'k',
        capacity: { vcpu: 1 },
        state: 'active',
      });
      return undefined;
    },
  },
  {
    step: 'declare-quota',
    fact: 'TenantQuotaUpdated',
    run: async (s) => {
      await s.emit('TenantQuotaChanged', { tenantId: s.id, limits: { vcpu: 1 } });
      return undefined;
    },
  },
  {
    step: 'declare-inventory',
    fact: 'ResourcePoolUpdated',
    succeeds: true,
    run: (s) =>
      s.start('declare-inventory', {
        pools: [{ poolId: s.id, kind: 'k', capacity: { vcpu: 1 }, state: 'active' }],
      }),
  },
  {
    step: 'allocate-resources (allocated)',
    fact: 'ResourceAllocated',
    succeeds: true,
    run: async (s) => {
      await inventory(s);
      return s.start('allocate-resources', {
        requestId: s.id,
        tenantId: s.id,
        kind: s.id,
        amount: { vcpu: 2 },
      });
    },
  },
  {
    step: 'allocate-resources (refused)',
    fact: 'ResourceAllocationRejected',
    succeeds: true,
    run: async (s) => {
      await inventory(s);
      return s.start('allocate-resources', {
        requestId: s.id,
        tenantId: s.id,
        kind: s.id,
        amount: { vcpu: 99 },
      });
    },
  },
  {
    step: 'release-resources',
    fact: 'ResourceReleased',
    succeeds: true,
    run: async (s) => s.start('release-resources', { allocationId: await allocation(s) }),
  },
  {
    step: 'allocate-resources Provision (events:putEvents)',
    fact: 'ResourceProvisionRequested',
    tries: 3,
    handsOutToken: true,
    succeeds: true,
    run: async (s) => {
      await inventory(s);
      return s.start('allocate-resources', {
        requestId: `${s.id}-cb`,
        tenantId: s.id,
        kind: s.id,
        amount: { vcpu: 2 },
        provisioner: 'callback',
      });
    },
    after: async (_, asked) => {
      await t.sfn.send(new SendTaskSuccessCommand({ taskToken: String(asked.taskToken), output: '{}' }));
    },
  },
  {
    step: 'finish-provisioning (confirm)',
    fact: 'ResourceAllocated',
    succeeds: true,
    run: async (s) => {
      const { executionArn, taskToken } = await provisioning(s);
      await s.emit('ResourceProvisionCompleted', { taskToken, ok: true, attributes: { host: s.id } });
      return executionArn;
    },
  },
  {
    step: 'finish-provisioning (cancel)',
    fact: 'ResourceReleased',
    succeeds: false,
    run: async (s) => {
      const { executionArn, taskToken } = await provisioning(s);
      await s.emit('ResourceProvisionCompleted', { taskToken, ok: false });
      return executionArn;
    },
  },
  {
    step: 'recover-allocation',
    fact: 'ResourceReleased',
    run: async (s) => {
      const { executionArn } = await provisioning(s);
      await t.sfn.send(new StopExecutionCommand({ executionArn, error: 'Operator' }));
      return undefined;
    },
  },
  {
    step: 'place-workload (placed)',
    fact: 'WorkloadPlaced',
    run: async (s) => {
      await tenantWithResource(s);
      await submit(s, 'w', 1);
      return undefined;
    },
  },
  {
    step: 'place-workload (unschedulable)',
    fact: 'WorkloadUnschedulable',
    run: async (s) => {
      await tenantWithResource(s);
      await submit(s, 'w', 9);
      return undefined;
    },
  },
  {
    step: 'remove-workload',
    fact: 'WorkloadPlaced',
    target: (detail, id) => detail.workloadId === `${id}-second`,
    run: async (s) => {
      await tenantWithResource(s);
      await submit(s, 'first', 2);
      await eventually(() => s.factsOf('WorkloadPlaced')[0]);
      await submit(s, 'second', 2);
      await eventually(() => s.factsOf('WorkloadUnschedulable')[0]);
      await s.emit('WorkloadRemoved', { workloadId: workload(s, 'first'), tenantId: s.id });
      return undefined;
    },
  },
  {
    step: 'follow-resources',
    fact: 'WorkloadPlaced',
    run: async (s) => {
      await inventory(s);
      await submit(s, 'w', 1);
      await eventually(() => s.factsOf('WorkloadUnschedulable')[0]);
      await resource(s);
      return undefined;
    },
  },
  {
    step: 'start-rollout (started)',
    fact: 'ServiceRolloutStarted',
    succeeds: true,
    run: (s) => rollout(s, 'allAtOnce'),
  },
  {
    step: 'start-rollout (refused)',
    fact: 'ServiceRolloutRejected',
    succeeds: true,
    run: async (s) => {
      await publishedService(lambda, s.id);
      await lambda.send(
        new UpdateAliasCommand({
          FunctionName: s.id,
          Name: 'live',
          RoutingConfig: { AdditionalVersionWeights: { '2': 0.5 } },
        }),
      );
      return s.start('roll-out-service', {
        rolloutId: s.id,
        functionName: s.id,
        alias: 'live',
        targetVersion: '2',
        strategy: 'allAtOnce',
      });
    },
  },
  {
    step: 'shift-traffic',
    fact: 'ServiceRolloutStepCompleted',
    succeeds: true,
    run: (s) => rollout(s, 'allAtOnce'),
  },
  {
    step: 'open-gate (pause)',
    fact: 'ServiceRolloutPaused',
    succeeds: true,
    run: async (s) => {
      const executionArn = await bakingRollout(s);
      await control(s, 'pause');
      return executionArn;
    },
    after: async (s) => {
      await control(s, 'promote');
    },
  },
  {
    step: 'finish-rollout (succeed)',
    fact: 'ServiceRolloutSucceeded',
    succeeds: true,
    run: (s) => rollout(s, 'allAtOnce'),
  },
  {
    step: 'finish-rollout (roll back)',
    fact: 'ServiceRolloutRolledBack',
    succeeds: true,
    run: async (s) => {
      const executionArn = await bakingRollout(s);
      await control(s, 'abort');
      return executionArn;
    },
  },
  {
    step: 'recover-rollout',
    fact: 'ServiceRolloutRolledBack',
    run: async (s) => {
      const executionArn = await bakingRollout(s);
      await t.sfn.send(new StopExecutionCommand({ executionArn, error: 'Operator' }));
      return undefined;
    },
  },
  {
    step: 'signal-rollout',
    fact: 'RequestRejected',
    run: async (s) => {
      await control(s, 'pause');
      return undefined;
    },
  },
  {
    step: 'reject-invalid-requests',
    fact: 'RequestRejected',
    run: async (s) => {
      await s.emit('ResourceAllocationRequested', { requestId: s.id, amount: { vcpu: 1e308 } });
      return undefined;
    },
  },
  {
    step: 'answer-provisioning',
    fact: 'RequestRejected',
    run: async (s) => {
      await s.emit('ResourceProvisionCompleted', { taskToken: 'x', ok: 'yes' });
      return undefined;
    },
  },
  {
    step: 'answer-workload-move',
    fact: 'RequestRejected',
    run: async (s) => {
      await s.emit('WorkloadMoveCompleted', { taskToken: 'x', workloadId: s.id, ok: 'yes' });
      return undefined;
    },
  },
];

/** Steps whose fact names no id of the scene, or that act on every lease: one scene at a time. */
const sequentialRows: Row[] = [
  {
    step: 'expire-leases',
    fact: 'ResourceLeaseExpired',
    run: async (s) => {
      await allocation(s, { leaseSeconds: 1 });
      await new Promise((resolve) => setTimeout(resolve, 1100));
      // The schedule's run, and Lambda's two retries of a failed asynchronous invocation.
      for (let attempt = 1; attempt <= 3; attempt++) {
        const swept = await t.runtime.lambda
          .invoke('baton-local-expire-leases', {
            source: 'aws.events',
            'detail-type': 'Scheduled Event',
            detail: {},
          })
          .then(
            () => true,
            () => false,
          );
        if (swept) break;
      }
      return undefined;
    },
  },
  {
    step: 'report-rebalance',
    fact: 'WorkloadsRebalanced',
    target: () => true,
    succeeds: true,
    run: async (s) => {
      await tenantWithResource(s);
      await submit(s, 'w', 1);
      await eventually(() => s.factsOf('WorkloadPlaced')[0]);
      return s.start('rebalance-workloads', { scope: { tenantId: s.id }, dryRun: true });
    },
  },
  {
    step: 'rebalance-workloads ApplyMove (events:putEvents)',
    fact: 'WorkloadMoveRequested',
    tries: 3,
    handsOutToken: true,
    succeeds: true,
    run: async (s) => {
      const declared = await t.run('declare-inventory', {
        pools: ['a', 'b'].map((zone) => ({
          poolId: `${s.id}-${zone}`,
          kind: s.id,
          labels: { zone },
          capacity: { vcpu: 10 },
          state: 'active',
        })),
        quotas: [{ tenantId: s.id, limits: { vcpu: 20 } }],
      });
      expect(declared.status).toBe('SUCCEEDED');
      await resource(s, 'a');
      await submit(s, 'w', 1);
      await eventually(() => s.factsOf('WorkloadPlaced')[0]);
      await resource(s, 'b');
      await s.emit('ResourcePoolChanged', {
        poolId: `${s.id}-a`,
        kind: s.id,
        labels: { zone: 'a' },
        capacity: { vcpu: 10 },
        state: 'draining',
      });
      await eventually(() => s.factsOf('ResourcePoolUpdated').find((pool) => pool.state === 'draining'));
      return s.start('rebalance-workloads', { scope: { tenantId: s.id }, maxMoves: 5 });
    },
  },
];

// ---- the oracle: does any fact contradict the ledger? ----

const item = (key: { pk: string; sk: string }) => t.ledgerItem(key);

/**
 * The facts of a scene that the ledger contradicts. A fact superseded by one that was `lost` (the
 * scene's fault) is stale, not false: the latest placement fact is only held to the ledger when
 * no placement fact was lost.
 */
async function contradictions(id: string, lost?: string): Promise<string[]> {
  const found: string[] = [];
  const all = ofScene(id);
  const later = (detail: Detail, type: string, key: string) =>
    all.slice(all.indexOf(detail) + 1).some((next) => next['@type'] === type && next[key] === detail[key]);
  for (const detail of all) {
    const type = String(detail['@type']);
    const false_ = (why: string) => found.push(`${type} ${JSON.stringify(detail)}: ${why}`);
    switch (type) {
      case 'ResourcePoolUpdated':
        if (!(await item(ledgerKeys.pool(String(detail.poolId))))) false_('no such pool');
        break;
      case 'TenantQuotaUpdated':
        if (!(await item(ledgerKeys.quota(String(detail.tenantId))))) false_('no such quota');
        break;
      case 'ResourceAllocated': {
        // Usable capacity: ACTIVE — or since released (the release's own fact may be the one
        // lost), but never a reservation not provisioned, nor one cancelled before it was.
        const allocation = await item(ledgerKeys.allocation(String(detail.allocationId)));
        const neverActive = allocation?.releaseCause === 'cancel' && allocation.attributes === undefined;
        if (!allocation || allocation.status === 'RESERVED' || neverActive)
          false_(`the allocation is ${allocation?.status ?? 'missing'}`);
        break;
      }
      case 'ResourceReleased':
      case 'ResourceLeaseExpired': {
        const allocation = await item(ledgerKeys.allocation(String(detail.allocationId)));
        if (allocation?.status !== 'RELEASED') false_(`the allocation is ${allocation?.status ?? 'missing'}`);
        break;
      }
      case 'ResourceAllocationRejected': {
        const request = await item(ledgerKeys.request(String(detail.requestId)));
        if ((request?.outcome as Detail | undefined)?.status !== 'REJECTED')
          false_('the request was not refused');
        break;
      }
      case 'WorkloadPlaced':
      case 'WorkloadUnschedulable': {
        if (lost === 'WorkloadPlaced' || lost === 'WorkloadUnschedulable') break;
        if (
          later(detail, 'WorkloadPlaced', 'workloadId') ||
          later(detail, 'WorkloadUnschedulable', 'workloadId')
        )
          break;
        const record = await item(ledgerKeys.workload(String(detail.tenantId), String(detail.workloadId)));
        if (!record) break; // removed since
        const where = record.resourceId ?? (record.move as Detail | undefined)?.from;
        if (type === 'WorkloadPlaced' && where !== detail.resourceId && !record.lastMove)
          false_(`the workload is on ${String(where)}`);
        if (type === 'WorkloadUnschedulable' && record.resourceId)
          false_(`the workload is on ${String(record.resourceId)}`);
        break;
      }
      case 'ServiceRolloutSucceeded':
      case 'ServiceRolloutRolledBack': {
        const record = await item(ledgerKeys.rollout(String(detail.rolloutId)));
        const alias = await lambda.send(
          new GetAliasCommand({ FunctionName: String(detail.functionName), Name: 'live' }),
        );
        const version = type === 'ServiceRolloutSucceeded' ? detail.toVersion : detail.fromVersion;
        const statuses = type === 'ServiceRolloutSucceeded' ? ['SUCCEEDED'] : ['ROLLED_BACK', 'ABORTED'];
        if (!statuses.includes(String(record?.status))) false_(`the rollout is ${String(record?.status)}`);
        if (
          alias.FunctionVersion !== version ||
          Object.keys(alias.RoutingConfig?.AdditionalVersionWeights ?? {}).length > 0
        )
          false_(`the alias routes ${JSON.stringify(alias.RoutingConfig ?? {})} to ${alias.FunctionVersion}`);
        break;
      }
      case 'ServiceRolloutFailed':
      case 'ServiceRolloutRejected': {
        const record = await item(ledgerKeys.rollout(String(detail.rolloutId)));
        const status = type === 'ServiceRolloutFailed' ? 'FAILED' : 'REJECTED';
        if (record && record.status !== status) false_(`the rollout is ${String(record.status)}`);
        if (!record && type === 'ServiceRolloutFailed') false_('no such rollout');
        break;
      }
      case 'ServiceRolloutStarted':
      case 'ServiceRolloutStepCompleted':
      case 'ServiceRolloutPaused': {
        const record = await item(ledgerKeys.rollout(String(detail.rolloutId)));
        if (!record || record.status === 'REJECTED') false_(`the rollout is ${String(record?.status)}`);
        break;
      }
    }
  }
  return found;
}

// ---- faults ----

/** Fails the scene's entries of the row's fact, the first `tries` times (counted over all of them). */
function inject(row: Row, id: string, kind: 'entry' | 'call', tries: number) {
  let refused = 0;
  const target = row.target ?? ((detail: Detail) => JSON.stringify(detail).includes(id));
  const stop = t.runtime.bus.injectFault((entry: PutEventsEntry) => {
    if (entry.DetailType !== row.fact) return undefined;
    const detail = JSON.parse(String(entry.Detail)) as Detail;
    if (!target(detail, id) || refused >= tries) return undefined;
    refused++;
    return kind;
  });
  return { stop, refused: () => refused };
}

/** The scene's facts of the row's type, announced since `from` (an index into every fact seen). */
const delivered = (row: Row, id: string, from: number) =>
  facts
    .slice(from)
    .filter(
      (event) =>
        event['detail-type'] === row.fact &&
        (row.target ?? ((detail: Detail) => JSON.stringify(detail).includes(id)))(event.detail as Detail, id),
    );

/** The publisher's own tries: failing more of them makes the step itself retry. */
const PUBLISHER_TRIES = 4;

async function transient(row: Row, id: string, kind: 'entry' | 'call') {
  if (kind === 'call' && row.handsOutToken) return givenUp(row, id);
  const tries = kind === 'call' ? 2 : (row.tries ?? PUBLISHER_TRIES + 1);
  const fault = inject(row, id, kind, tries);
  const s = scene(id);
  const from = facts.length;
  try {
    const executionArn = await row.run(s);
    const announced = await eventually(() => delivered(row, id, from)[0], 45_000);
    await row.after?.(s, announced.detail as Detail);
    if (executionArn) {
      const ended = await t.finished(executionArn);
      if (row.succeeds !== undefined) expect(ended.status).toBe(row.succeeds ? 'SUCCEEDED' : 'FAILED');
    }
    await t.runtime.bus.settle();
    expect(fault.refused()).toBe(tries);
    // At least once, and none twice: what went through was never sent again.
    expect(delivered(row, id, from)).toHaveLength(1);
    expect(await contradictions(id)).toEqual([]);
  } finally {
    fault.stop();
  }
}

/** A step that hands a token out, its call failed once: nothing is asked, and nothing is false. */
async function givenUp(row: Row, id: string) {
  const fault = inject(row, id, 'call', 1);
  const s = scene(id);
  const from = facts.length;
  try {
    const executionArn = await row.run(s);
    if (executionArn) await t.finished(executionArn);
    await t.runtime.bus.settle();
    expect(fault.refused()).toBe(1);
    expect(delivered(row, id, from)).toEqual([]);
    expect(await contradictions(id, row.fact)).toEqual([]);
  } finally {
    fault.stop();
  }
}

async function lost(row: Row, id: string) {
  const fault = inject(row, id, 'entry', Number.POSITIVE_INFINITY);
  const s = scene(id);
  const from = facts.length;
  try {
    const executionArn = await row.run(s);
    // Until the step has given up at least once, or its execution has ended.
    await eventually(async () => {
      if (fault.refused() >= (row.tries ?? PUBLISHER_TRIES)) return true;
      if (!executionArn) return undefined;
      const { status } = await t.sfn.send(new DescribeExecutionCommand({ executionArn }));
      return status === 'RUNNING' ? undefined : true;
    }, 45_000);
    // An operator stops what still runs: the recoveries run too, and announce nothing false either.
    if (executionArn)
      await t.sfn.send(new StopExecutionCommand({ executionArn, error: 'Operator' })).catch(() => undefined);
    await t.runtime.bus.settle();
    expect(delivered(row, id, from)).toEqual([]);
    expect(await contradictions(id, row.fact)).toEqual([]);
  } finally {
    fault.stop();
  }
}

const short = (step: string) =>
  step
    .replaceAll(/[^a-z ]/g, ' ')
    .split(/\s+/)
    .filter(Boolean)
    .map((word) => word.slice(0, 3))
    .join('');

describe.concurrent('every publishing step', () => {
  it.each(rows.map((row) => [row.step, row.fact, row] as const))(
    '%s: %s delivered exactly once through failures outlasting its publisher',
    (_, __, row) => transient(row, `fd-${short(row.step)}-t`, 'entry'),
    90_000,
  );
  it.each(rows.filter((row) => !row.handsOutToken).map((row) => [row.step, row.fact, row] as const))(
    '%s: %s delivered exactly once through failed calls',
    (_, __, row) => transient(row, `fd-${short(row.step)}-c`, 'call'),
    90_000,
  );
  it.each(rows.filter((row) => row.handsOutToken).map((row) => [row.step, row.fact, row] as const))(
    '%s: %s not asked again after a failed call, which may have gone through',
    (_, __, row) => givenUp(row, `fd-${short(row.step)}-c`),
    90_000,
  );
  it.each(rows.map((row) => [row.step, row.fact, row] as const))(
    '%s: %s lost for good, and no fact contradicts the ledger',
    (_, __, row) => lost(row, `fd-${short(row.step)}-l`),
    90_000,
  );
});

describe('every publishing step that acts beyond its scene', () => {
  it.each(sequentialRows.map((row) => [row.step, row.fact, row] as const))(
    '%s: %s delivered exactly once, through failed entries and calls, and when lost no fact is false',
    async (_, __, row) => {
      await transient(row, `fd-${short(row.step)}-t`, 'entry');
      await transient(row, `fd-${short(row.step)}-c`, 'call');
      await lost(row, `fd-${short(row.step)}-l`);
    },
    180_000,
  );
});

/**
 * The web console's server in the embedded runtime, through HTTP as the page uses it: every read
 * shows what real workflows wrote (pools over capacity after a shrink, quotas, allocations with
 * their lease, rejections with their explanation, workloads on their resources and pending ones
 * with why, rollouts, executions with their ASL and history, events filtered by a pattern); the
 * live stream pushes what the pattern matches; actions need the session's token, and a refused
 * one changes nothing; a foreign page is refused.
 */
import { request as httpRequest } from 'node:http';
import type { LambdaClient } from '@aws-sdk/client-lambda';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ledgerKeys } from '../../lambdas/adapters/ledger-keys';
import type {
  Capacity,
  ConsoleEvent,
  ConsoleSession,
  ExecutionDetail,
  Executions,
  Overview,
  RebalancePreview,
  RecentEvents,
  Rollouts,
  Workloads,
} from '../../lib/console/console-api';
import { MAX_STREAMS } from '../../lib/console/live-streams';
import { LEDGER_TABLE_NAME } from '../../lib/embedded/local-aws';
import { eventually, startTestRuntime, type TestRuntime } from './embedded-runtime';
import { lambdaOf, publishedService, rolloutRequest } from './rollout-setup';
import { submission, workloadScene } from './workload-setup';

let t: TestRuntime;
let lambda: LambdaClient;
let session: ConsoleSession;
const scene = () => workloadScene(t);

beforeAll(async () => {
  t = await startTestRuntime({ timeScale: 600 });
  lambda = lambdaOf(t);
  session = await get<ConsoleSession>('/console/api/session');
});
afterAll(async () => {
  lambda.destroy();
  await t.stop();
});

async function get<T>(path: string, expectedStatus = 200): Promise<T> {
  const response = await fetch(`${t.runtime.url}${path}`);
  const body = (await response.json()) as T;
  expect(response.status, JSON.stringify(body)).toBe(expectedStatus);
  return body;
}

async function post<T>(path: string, body: object, token: string | null = session.token) {
  const response = await fetch(`${t.runtime.url}${path}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(token !== null ? { 'x-baton-console-token': token } : {}),
    },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as T & { error?: string } };
}

describe('the session', () => {
  it('names the stage, its workflows and a token', () => {
    expect(session.stage).toBe('local');
    expect(session.mode).toBe('embedded');
    expect(session.token.length).toBeGreaterThanOrEqual(40);
    expect(session.workflows.map((workflow) => workflow.workflowId)).toEqual(
      expect.arrayContaining(['allocate-resources', 'rebalance-workloads', 'roll-out-service']),
    );
  });
});

describe('capacity, workloads and the overview', () => {
  beforeAll(async () => {
    const { declare, allocate, submitAndPlace, put } = scene();
    await declare('acme', [
      { poolId: 'acme-a', vcpu: 16 },
      { poolId: 'acme-b', vcpu: 16 },
    ]);
    // Two resources: the two web workloads may not share one (anti-affinity).
    await allocate('acme', 8);
    await allocate('acme', 8);
    await submitAndPlace('acme', [
      submission('acme', 'web-1', 2, { antiAffinityGroup: 'web' }),
      submission('acme', 'web-2', 2, { antiAffinityGroup: 'web' }),
    ]);
    // Too big for any resource of acme: pending, with why.
    await put('WorkloadSubmitted', [submission('acme', 'huge', 64)]);
    await eventually(async () => (await scene().workloads.workload('acme', 'huge'))?.pendingReason);
    // Over the pool's capacity: rejected, with its explanation.
    const rejected = await t.run('allocate-resources', {
      requestId: 'acme-too-big',
      tenantId: 'acme',
      kind: 'acme-kind',
      amount: { vcpu: 64, memoryGiB: 8 },
    });
    expect(JSON.parse(rejected.output ?? '{}').status).toBe('REJECTED');
  });

  it('shows each pool with its use, the quota, the allocation and the rejected request', async () => {
    const capacity = await get<Capacity>('/console/api/capacity');
    const used = capacity.pools.map((pool) => pool.used.vcpu ?? 0);
    expect(used.reduce((sum, vcpu) => sum + vcpu, 0)).toBe(16);
    expect(capacity.pools.every((pool) => pool.state === 'active' && pool.overCapacity.length === 0)).toBe(
      true,
    );
    expect(capacity.quotas).toEqual([
      expect.objectContaining({ tenantId: 'acme', used: { vcpu: 16, memoryGiB: 64 }, overLimit: [] }),
    ]);
    expect(capacity.allocations).toEqual([
      expect.objectContaining({ tenantId: 'acme', status: 'ACTIVE', amount: { vcpu: 8, memoryGiB: 32 } }),
      expect.objectContaining({ tenantId: 'acme', status: 'ACTIVE', amount: { vcpu: 8, memoryGiB: 32 } }),
    ]);
    expect(capacity.rejections).toEqual([
      expect.objectContaining({
        requestId: 'acme-too-big',
        tenantId: 'acme',
        reason: 'InsufficientCapacity',
        explanation: expect.stringContaining('vcpu'),
      }),
    ]);
  });

  it('shows each resource with its workloads and anti-affinity groups, and the pending ones with why', async () => {
    const view = await get<Workloads>('/console/api/workloads');
    expect(view.tenants).toHaveLength(1);
    const resources = view.tenants[0]?.resources ?? [];
    expect(resources).toHaveLength(2);
    // One web workload on each resource, each showing its group.
    expect(resources.map((resource) => resource.workloads.map((workload) => workload.workloadId))).toEqual(
      expect.arrayContaining([['web-1'], ['web-2']]),
    );
    for (const resource of resources) {
      expect(resource.workloads[0]).toMatchObject({
        antiAffinityGroup: 'web',
        demand: { vcpu: 2, memoryGiB: 4 },
      });
      expect(resource.utilisation).toBeCloseTo(2 / 8);
    }
    expect(view.pending).toEqual([
      expect.objectContaining({
        workloadId: 'huge',
        tenantId: 'acme',
        reason: expect.stringMatching(/vcpu/),
      }),
    ]);
  });

  it('counts it all in the overview, executions by workflow and status', async () => {
    const overview = await get<Overview>('/console/api/overview');
    expect(overview).toMatchObject({
      pools: 2,
      tenants: 1,
      allocations: { ACTIVE: 2 },
      workloads: { placed: 2, pending: 1, moving: 0 },
    });
    expect(overview.executions['allocate-resources']?.SUCCEEDED).toBe(3);
  });

  it('flags a pool shrunk below its use', async () => {
    const capacity = await get<Capacity>('/console/api/capacity');
    const busy = capacity.pools.find((pool) => (pool.used.vcpu ?? 0) > 0);
    await t.run('declare-inventory', {
      pools: [
        {
          poolId: busy?.poolId,
          kind: 'acme-kind',
          capacity: { vcpu: 4, memoryGiB: 128 },
          labels: {},
          state: 'active',
        },
      ],
    });
    const after = await get<Capacity>('/console/api/capacity');
    expect(after.pools.find((pool) => pool.poolId === busy?.poolId)?.overCapacity).toEqual(['vcpu']);
  });

  it('plans a rebalance as a dry run that moves nothing, only with the token', async () => {
    const before = await get<Workloads>('/console/api/workloads');
    const refused = await post<RebalancePreview>('/console/api/rebalance/plan', { strategy: 'spread' }, null);
    expect(refused).toMatchObject({ status: 403, body: { error: 'MissingToken' } });
    const forged = await post<RebalancePreview>(
      '/console/api/rebalance/plan',
      {},
      'x'.repeat(session.token.length),
    );
    expect(forged).toMatchObject({ status: 403, body: { error: 'InvalidToken' } });
    const plan = await post<RebalancePreview>('/console/api/rebalance/plan', {
      strategy: 'spread',
      maxMoves: 5,
    });
    expect(plan.status).toBe(200);
    expect(plan.body.executionArn).toContain('rebalance-workloads');
    expect(plan.body.metrics).toHaveProperty('moves');
    expect(await get<Workloads>('/console/api/workloads')).toEqual(before);
    const invalid = await post('/console/api/rebalance/plan', { strategy: 'sideways' });
    expect(invalid).toMatchObject({ status: 400, body: { error: 'InvalidRequest' } });
  });
});

describe('executions', () => {
  it('lists them by workflow and status, and shows one with its ASL and history', async () => {
    const failed = await t.run('allocate-resources', { requestId: 42 });
    expect(failed.status).toBe('FAILED');
    const list = await get<Executions>('/console/api/executions?workflow=allocate-resources&status=FAILED');
    expect(list.executions.map((execution) => execution.executionArn)).toContain(failed.executionArn);
    expect(list.executions.every((execution) => execution.status === 'FAILED')).toBe(true);
    const detail = await get<ExecutionDetail>(
      `/console/api/executions/${encodeURIComponent(failed.executionArn ?? '')}`,
    );
    expect(detail.execution).toMatchObject({
      workflowId: 'allocate-resources',
      status: 'FAILED',
      error: 'InvalidRequest',
    });
    expect(Object.keys(detail.definition.States as object).length).toBeGreaterThan(3);
    expect(detail.history[0]?.type).toBe('ExecutionStarted');
    expect(detail.history.at(-1)?.type).toBe('ExecutionFailed');
    await get('/console/api/executions?workflow=no-such', 404);
    await get('/console/api/executions?status=LOST', 400);
  });
});

describe('rollouts', () => {
  it('shows a rollout baking, pauses it from the console, and refuses an action on an ended one', async () => {
    await publishedService(lambda, 'checkout');
    // A 10 % canary baking for a day (144 s at this time scale): it waits at its bake.
    await t.start(
      'roll-out-service',
      rolloutRequest('co-1', 'checkout', { type: 'canary', percent: 10, bakeSeconds: 86_400 }),
    );
    const baking = await eventually(async () =>
      (await get<Rollouts>('/console/api/rollouts')).rollouts.find(
        (rollout) => rollout.rolloutId === 'co-1' && rollout.gate?.kind === 'bake',
      ),
    );
    expect(baking).toMatchObject({
      status: 'RUNNING',
      step: 1,
      weight: 0.1,
      steps: [{ weight: 0.1 }, { weight: 1 }],
    });
    expect(Date.parse(baking.gate?.endsAt ?? '')).toBeGreaterThan(Date.now());

    const refused = await post('/console/api/rollouts/co-1/pause', {}, null);
    expect(refused.status).toBe(403);
    const paused = await post<{ eventId: string }>('/console/api/rollouts/co-1/pause', {});
    expect(paused.status).toBe(200);
    await eventually(async () =>
      (await t.ledgerItem(ledgerKeys.rollout('co-1')))?.status === 'PAUSED' ? true : undefined,
    );

    expect((await post('/console/api/rollouts/co-1/sideways', {})).body.error).toBe('UnknownAction');
    expect((await post('/console/api/rollouts/nope/pause', {})).status).toBe(404);
    await post('/console/api/rollouts/co-1/abort', {});
    await eventually(async () =>
      (await t.ledgerItem(ledgerKeys.rollout('co-1')))?.status === 'ABORTED' ? true : undefined,
    );
    expect(await post('/console/api/rollouts/co-1/resume', {})).toMatchObject({
      status: 409,
      body: { error: 'RolloutEnded' },
    });
  });

  it('shows the bake of a step just taken before its gate is noted (the gate is not announced)', async () => {
    const updatedAt = new Date().toISOString();
    await t.ledger.send(
      new PutCommand({
        TableName: LEDGER_TABLE_NAME,
        Item: {
          ...ledgerKeys.rollout('between'),
          entity: 'rollout',
          rolloutId: 'between',
          functionName: 'between',
          alias: 'live',
          fromVersion: '1',
          toVersion: '2',
          strategy: 'canary:10:600',
          steps: [
            { percent: 10, bakeSeconds: 600 },
            { percent: 100, bakeSeconds: 0 },
          ],
          step: 1,
          weight: 0.1,
          alarms: [],
          bakeSeconds: 600,
          done: false,
          drift: false,
          promote: false,
          status: 'RUNNING',
          executionId: 'arn:aws:states:us-east-1:000000000000:execution:baton-local-roll-out-service:between',
          updatedAt,
        },
      }),
    );
    const rollout = await eventually(async () =>
      (await get<Rollouts>('/console/api/rollouts')).rollouts.find((r) => r.rolloutId === 'between'),
    );
    // 600 s at this runtime's time scale of 600: one second after the step.
    expect(rollout.gate).toEqual({
      kind: 'bake',
      endsAt: new Date(Date.parse(updatedAt) + 1000).toISOString(),
    });
  });
});

describe('events', () => {
  it('filters the latest events with an EventBridge pattern, and names a pattern that is not valid', async () => {
    const pattern = encodeURIComponent(JSON.stringify({ 'detail-type': ['ResourceAllocated'] }));
    const { events } = await get<RecentEvents>(`/console/api/events?pattern=${pattern}`);
    expect(events.length).toBeGreaterThan(0);
    expect(events.every((event) => event['detail-type'] === 'ResourceAllocated')).toBe(true);
    const prefix = encodeURIComponent(JSON.stringify({ 'detail-type': [{ prefix: 'Workload' }] }));
    const workloadEvents = await get<RecentEvents>(`/console/api/events?pattern=${prefix}`);
    expect(workloadEvents.events.length).toBeGreaterThan(0);
    expect(workloadEvents.events.every((event) => event['detail-type'].startsWith('Workload'))).toBe(true);
    const invalid = await get<{ error: string }>(
      `/console/api/events?pattern=${encodeURIComponent('{"source":"baton"}')}`,
      400,
    );
    expect(invalid.error).toBe('InvalidPattern');
  });

  it('streams what the pattern matches as it happens', async () => {
    const pattern = encodeURIComponent(JSON.stringify({ 'detail-type': ['TenantQuotaChanged'] }));
    const received = streamEvents(`/console/api/stream?pattern=${pattern}`);
    await received.open;
    await scene().put('TenantQuotaChanged', [{ tenantId: 'streamed', limits: { vcpu: 1 } }]);
    const event = await received.first;
    expect(event['detail-type']).toBe('TenantQuotaChanged');
    expect(event.detail).toMatchObject({ tenantId: 'streamed' });
    received.close();
  });
});

describe('what is refused', () => {
  it('refuses what another site makes a browser fetch, but lets it link to the page', async () => {
    const crossSite = await answerTo('/console/api/workloads', {
      'sec-fetch-site': 'cross-site',
      'sec-fetch-mode': 'no-cors',
    });
    expect(crossSite).toMatchObject({ status: 403, errorType: 'CrossSiteRequest' });
    expect((await answerTo('/console/api/stream', { 'sec-fetch-site': 'same-site' })).status).toBe(403);
    const linked = await answerTo('/', { 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'navigate' });
    expect(linked.status).toBe(200);
    expect(linked.policy).toContain("frame-ancestors 'none'");
    expect((await answerTo('/console/api/overview', { 'sec-fetch-site': 'same-origin' })).status).toBe(200);
  });

  it('opens a live stream with GET only (a HEAD would hold a slot unanswered)', async () => {
    const head = await fetch(`${t.runtime.url}/console/api/stream`, { method: 'HEAD' });
    expect(head.status).toBe(405);
  });

  it('opens at most MAX_STREAMS live streams at once, and a closed one makes room', async () => {
    const streams = Array.from({ length: MAX_STREAMS }, () => streamEvents('/console/api/stream'));
    await Promise.all(streams.map((stream) => stream.open));
    const refused = await fetch(`${t.runtime.url}/console/api/stream`);
    expect(refused.status).toBe(429);
    expect(((await refused.json()) as { error: string }).error).toBe('TooManyStreams');
    streams[0]?.close();
    const reopened = streamEvents('/console/api/stream');
    await eventually(async () => (await reopened.open.then(() => true).catch(() => undefined)) ?? undefined);
    for (const stream of [...streams.slice(1), reopened]) stream.close();
  });

  it('refuses a foreign page and a foreign host, and answers an unknown path by name', async () => {
    for (const headers of [{ origin: 'https://evil.example' }, { host: 'evil.example:4010' }]) {
      const status = await new Promise<number>((resolve, reject) => {
        const request = httpRequest(`${t.runtime.url}/console/api/overview`, { headers }, (response) => {
          response.resume();
          resolve(response.statusCode ?? 0);
        });
        request.on('error', reject);
        request.end();
      });
      expect(status).toBe(403);
    }
    expect((await get<{ error: string }>('/console/api/nothing', 404)).error).toBe('NotFound');
    const put = await fetch(`${t.runtime.url}/console/api/overview`, { method: 'DELETE' });
    expect(put.status).toBe(405);
  });
});

describe('a shutdown with the console open', () => {
  it('ends the live streams without a write after their end, while executions are stopped and announced', async () => {
    const other = await startTestRuntime();
    const stream = httpRequest(`${other.runtime.url}/console/api/stream`);
    const opened = Promise.withResolvers<void>();
    stream.on('response', (response) => {
      response.resume();
      opened.resolve();
    });
    stream.on('error', () => {});
    stream.end();
    await opened.promise;
    for (let index = 0; index < 3; index += 1) await other.start('fixture', { waitSeconds: 300 });
    // Each stop is announced on the bus, which the ended streams must no longer write to (an
    // uncaught ERR_STREAM_WRITE_AFTER_END here fails the run).
    await other.stop();
    await new Promise((resolve) => setTimeout(resolve, 100));
  });
});

/** A request with exactly these headers (fetch would set its own Sec-Fetch-*): its status and a few headers. */
function answerTo(path: string, headers: Record<string, string>) {
  return new Promise<{ status: number; errorType?: string; policy?: string }>((resolve, reject) => {
    const request = httpRequest(`${t.runtime.url}${path}`, { headers }, (response) => {
      response.resume();
      resolve({
        status: response.statusCode ?? 0,
        errorType: String(response.headers['x-amzn-errortype']),
        policy: String(response.headers['content-security-policy']),
      });
    });
    request.on('error', reject);
    request.end();
  });
}

/** Opens the console's stream: resolves `open` once connected, `first` with the first event. */
function streamEvents(path: string) {
  const open = Promise.withResolvers<void>();
  const first = Promise.withResolvers<ConsoleEvent>();
  const request = httpRequest(`${t.runtime.url}${path}`, (response) => {
    expect(response.headers['content-type']).toBe('text/event-stream');
    open.resolve();
    let buffer = '';
    response.setEncoding('utf8');
    response.on('data', (chunk: string) => {
      buffer += chunk;
      const match = /event: bus\ndata: (.*)\n\n/.exec(buffer);
      if (match?.[1]) first.resolve(JSON.parse(match[1]) as ConsoleEvent);
    });
  });
  request.on('error', (error) => {
    open.reject(error);
    first.reject(error);
  });
  request.end();
  return { open: open.promise, first: first.promise, close: () => request.destroy() };
}

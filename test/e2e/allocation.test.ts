/**
 * `allocate-resources` and `release-resources` from their ASL in the embedded runtime, through
 * the real SDK clients: choices and refusals, idempotency, contention, callbacks, releases — and
 * pool and quota items that keep no hold or return marker once the requests are done.
 */
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { type DescribeExecutionCommandOutput, StopExecutionCommand } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ledgerKeys } from '../../lambdas/adapters/ledger-keys';
import { readLedgerSnapshot } from '../../lambdas/adapters/ledger-snapshot';
import { auditLedger } from '../../lambdas/core/allocation/audit';
import type { BusEvent } from '../../lib/embedded/event-bus';
import { LEDGER_TABLE_NAME } from '../../lib/embedded/local-aws';
import { eventually, startTestRuntime, type TestRuntime } from './embedded-runtime';

let t: TestRuntime;
const facts: BusEvent[] = [];
beforeAll(async () => {
  t = await startTestRuntime();
  t.runtime.bus.subscribe((event) => {
    if (event.source === 'baton') facts.push(event);
  });
});
afterAll(() => t.stop());

const runWorkflow = (workflowId: string, input: unknown) => t.run(workflowId, input);

const output = (description: DescribeExecutionCommandOutput) => JSON.parse(description.output ?? 'null');

async function declare(pools: object[], quotas: object[]): Promise<void> {
  const description = await runWorkflow('declare-inventory', { pools, quotas });
  expect(description.status).toBe('SUCCEEDED');
}

const pool = (poolId: string, kind: string, capacity: Record<string, number>, extra: object = {}) => ({
  poolId,
  kind,
  capacity,
  state: 'active',
  ...extra,
});

let requestCounter = 0;
const request = (tenantId: string, kind: string, amount: Record<string, number>, extra: object = {}) => ({
  requestId: `req-${++requestCounter}`,
  tenantId,
  kind,
  amount,
  ...extra,
});

describe('allocate-resources', () => {
  it('reserves capacity on the fullest pool that fits (binpack) and announces ResourceAllocated', async () => {
    await declare(
      [pool('bp-a', 'bp', { vcpu: 100 }), pool('bp-b', 'bp', { vcpu: 100 })],
      [{ tenantId: 'bp-tenant', limits: { vcpu: 100 } }],
    );
    const first = output(await runWorkflow('allocate-resources', request('bp-tenant', 'bp', { vcpu: 10 })));
    const second = output(await runWorkflow('allocate-resources', request('bp-tenant', 'bp', { vcpu: 10 })));
    expect(first).toMatchObject({ status: 'ALLOCATED', tenantId: 'bp-tenant', amount: { vcpu: 10 } });
    expect(second.poolId).toBe(first.poolId);
    expect(await t.ledgerItem(ledgerKeys.pool(first.poolId))).toMatchObject({ used: { vcpu: 20 } });
    expect(await t.ledgerItem(ledgerKeys.quota('bp-tenant'))).toMatchObject({ used: { vcpu: 20 } });
    expect(await t.ledgerItem(ledgerKeys.allocation(first.allocationId))).toMatchObject({ status: 'ACTIVE' });
    const announced = await eventually(() =>
      facts.find(
        (f) =>
          f['detail-type'] === 'ResourceAllocated' &&
          (f.detail as { allocationId: string }).allocationId === first.allocationId,
      ),
    );
    expect(announced.detail).toMatchObject({ requestId: first.requestId, poolId: first.poolId });
  });

  it('spreads onto the emptiest pool with strategy spread, and sets expiresAt for a lease', async () => {
    await declare(
      [pool('sp-a', 'sp', { vcpu: 100 }), pool('sp-b', 'sp', { vcpu: 100 })],
      [{ tenantId: 'sp-tenant', limits: { vcpu: 100 } }],
    );
    const first = output(
      await runWorkflow(
        'allocate-resources',
        request('sp-tenant', 'sp', { vcpu: 10 }, { strategy: 'spread' }),
      ),
    );
    const second = output(
      await runWorkflow(
        'allocate-resources',
        request('sp-tenant', 'sp', { vcpu: 10 }, { strategy: 'spread', leaseSeconds: 60 }),
      ),
    );
    expect(new Set([first.poolId, second.poolId])).toEqual(new Set(['sp-a', 'sp-b']));
    expect(Date.parse(second.expiresAt) - Date.now()).toBeGreaterThan(50_000);
  });

  it.each([
    [
      'no quota',
      'nq',
      undefined,
      'nq',
      { vcpu: 1 },
      'QuotaExceeded',
      'tenant nq-tenant has no quota: declare one with TenantQuotaChanged',
    ],
    [
      'over quota',
      'oq',
      { vcpu: 4 },
      'oq',
      { vcpu: 8 },
      'QuotaExceeded',
      'quota of oq-tenant: vcpu 0/4 used, 8 requested',
    ],
    [
      'no pool of the kind',
      'nk',
      { vcpu: 8 },
      'gpu',
      { vcpu: 1 },
      'NoMatchingPool',
      '0/0 pools: no pool of kind gpu',
    ],
    [
      'no room anywhere',
      'nr',
      { vcpu: 999 },
      'nr',
      { vcpu: 50 },
      'InsufficientCapacity',
      '0/3 pools of kind nr: 2 insufficient vcpu, 1 draining',
    ],
  ])(
    'refuses with %s: a result with its reason and explanation, nothing held',
    async (_, prefix, limits, kind, amount, reason, explanation) => {
      const tenantId = `${prefix}-tenant`;
      await declare(
        [
          pool(`${prefix}-1`, prefix, { vcpu: 40 }),
          pool(`${prefix}-2`, prefix, { vcpu: 100 }, { state: 'draining' }),
          pool(`${prefix}-3`, prefix, { vcpu: 30 }, { labels: { region: 'eu' } }),
        ],
        limits ? [{ tenantId, limits }] : [],
      );
      const description = await runWorkflow('allocate-resources', request(tenantId, kind, amount));
      expect(description.status, description.cause).toBe('SUCCEEDED');
      expect(output(description)).toEqual({
        status: 'REJECTED',
        requestId: expect.any(String),
        tenantId,
        reason,
        explanation,
        duplicate: false,
      });
      for (const n of [1, 2, 3])
        expect((await t.ledgerItem(ledgerKeys.pool(`${prefix}-${n}`)))?.used).toEqual({});
    },
  );

  it('explains each refused pool', async () => {
    await declare(
      [
        pool('ex-1', 'ex', { vcpu: 100, memoryGiB: 4 }),
        pool('ex-2', 'ex', { vcpu: 100, memoryGiB: 64 }, { state: 'draining' }),
        pool('ex-3', 'ex', { vcpu: 100, memoryGiB: 64 }, { labels: { region: 'us' } }),
      ],
      [{ tenantId: 'ex-tenant', limits: { vcpu: 100, memoryGiB: 100 } }],
    );
    const result = output(
      await runWorkflow(
        'allocate-resources',
        request('ex-tenant', 'ex', { vcpu: 1, memoryGiB: 8 }, { labels: { region: 'eu' } }),
      ),
    );
    expect(result).toMatchObject({ status: 'REJECTED', reason: 'NoMatchingPool' });
    expect(result.explanation).toBe('0/3 pools of kind ex: 3 label mismatch');
  });

  it.each([
    ['a missing tenantId', { requestId: 'bad-1', kind: 'bp', amount: { vcpu: 1 } }, 'tenantId'],
    [
      'a negative amount',
      { requestId: 'bad-2', tenantId: 't', kind: 'bp', amount: { vcpu: -1 } },
      'amount.vcpu',
    ],
    ['an empty amount', { requestId: 'bad-3', tenantId: 't', kind: 'bp', amount: {} }, 'amount'],
    [
      'an unknown dimension',
      { requestId: 'bad-4', tenantId: 'bad-tenant', kind: 'bad-kind', amount: { gpu: 1 } },
      'unknown dimension gpu',
    ],
    ['a detail of the wrong type', 'allocate please', 'expected object'],
  ])('fails with InvalidRequest on %s, and writes nothing', async (_, input, because) => {
    await declare(
      [pool('bad-pool', 'bad-kind', { vcpu: 10 })],
      [{ tenantId: 'bad-tenant', limits: { vcpu: 10 } }],
    );
    const description = await runWorkflow('allocate-resources', input);
    expect(description).toMatchObject({ status: 'FAILED', error: 'InvalidRequest' });
    expect(description.cause).toContain(because);
    const requestId = (input as { requestId?: string }).requestId;
    if (requestId) expect(await t.ledgerItem(ledgerKeys.request(requestId))).toBeUndefined();
    if (requestId === 'bad-4') {
      const refusal = await eventually(() =>
        facts.find(
          (f) =>
            f['detail-type'] === 'ResourceAllocationRejected' &&
            (f.detail as { requestId: string }).requestId === 'bad-4',
        ),
      );
      expect(refusal.detail).toMatchObject({
        reason: 'InvalidRequest',
        explanation: expect.stringContaining('unknown dimension gpu'),
      });
    }
  });

  it('answers 20 concurrent deliveries of one request with one allocation', async () => {
    await declare(
      [pool('id-a', 'idem', { vcpu: 100 })],
      [{ tenantId: 'idem-tenant', limits: { vcpu: 100 } }],
    );
    const same = request('idem-tenant', 'idem', { vcpu: 5 });
    const results = await Promise.all(
      Array.from({ length: 20 }, () => runWorkflow('allocate-resources', same)),
    );
    const outputs = results.map(output);
    expect(new Set(outputs.map((o) => o.allocationId)).size).toBe(1);
    expect(outputs.every((o) => o.status === 'ALLOCATED')).toBe(true);
    expect(await t.ledgerItem(ledgerKeys.pool('id-a'))).toMatchObject({ used: { vcpu: 5 }, holds: {} });
    const announced = facts.filter(
      (f) =>
        f['detail-type'] === 'ResourceAllocated' &&
        (f.detail as { requestId: string }).requestId === same.requestId,
    );
    expect(announced).toHaveLength(1);
  });

  it('never over-commits: 300 requests at once for room for 100 → 100 ALLOCATED, 200 InsufficientCapacity', async () => {
    await declare([pool('cc-a', 'cc', { vcpu: 100 })], [{ tenantId: 'cc-tenant', limits: { vcpu: 1000 } }]);
    const requests = Array.from({ length: 300 }, () => request('cc-tenant', 'cc', { vcpu: 1 }));
    // Through the bus, as other systems would ask: PutEvents in batches of ten.
    for (let start = 0; start < requests.length; start += 10) {
      await t.eventBridge.send(
        new PutEventsCommand({
          Entries: requests.slice(start, start + 10).map((detail) => ({
            Source: 'acme.capacity',
            DetailType: 'ResourceAllocationRequested',
            Detail: JSON.stringify(detail),
          })),
        }),
      );
    }
    const wanted = new Set(requests.map((r) => r.requestId));
    const outcomes = await eventually(() => {
      const seen = facts.filter(
        (f) =>
          ['ResourceAllocated', 'ResourceAllocationRejected'].includes(f['detail-type']) &&
          wanted.has((f.detail as { requestId: string }).requestId),
      );
      return seen.length === 300 ? seen : undefined;
    }, 60_000);
    const allocated = outcomes.filter((f) => f['detail-type'] === 'ResourceAllocated');
    const rejected = outcomes.filter((f) => f['detail-type'] === 'ResourceAllocationRejected');
    expect(allocated).toHaveLength(100);
    expect(rejected).toHaveLength(200);
    expect(rejected.every((f) => (f.detail as { reason: string }).reason === 'InsufficientCapacity')).toBe(
      true,
    );
    // Settled: 100 live allocations, and no hold or marker for any of them on the hot items.
    expect(await t.ledgerItem(ledgerKeys.pool('cc-a'))).toMatchObject({
      used: { vcpu: 100 },
      holds: {},
      returns: {},
    });
    expect(await t.ledgerItem(ledgerKeys.quota('cc-tenant'))).toMatchObject({
      used: { vcpu: 100 },
      holds: {},
      returns: {},
    });
    expect(auditLedger(await readLedgerSnapshot(t.ledger, LEDGER_TABLE_NAME))).toEqual([]);
  }, 120_000);
});

describe('invalid requests from the bus', () => {
  it('fail their execution with InvalidRequest and are answered with RequestRejected', async () => {
    const { Entries = [] } = await t.eventBridge.send(
      new PutEventsCommand({
        Entries: [
          {
            Source: 'acme.capacity',
            DetailType: 'ResourceAllocationRequested',
            Detail: JSON.stringify({
              requestId: 'bus-bad',
              tenantId: 'x',
              kind: 'bp',
              amount: { vcpu: 'lots' },
            }),
          },
        ],
      }),
    );
    const rejection = await eventually(() =>
      facts.find(
        (f) =>
          f['detail-type'] === 'RequestRejected' &&
          (f.detail as { eventId: string }).eventId === Entries[0]?.EventId,
      ),
    );
    expect(rejection.detail).toMatchObject({
      detailType: 'ResourceAllocationRequested',
      source: 'acme.capacity',
      errors: [{ path: 'amount.vcpu', message: expect.stringContaining('expected number') }],
    });
    expect(await t.ledgerItem(ledgerKeys.request('bus-bad'))).toBeUndefined();
  });
});

describe('pool changes', () => {
  it('keeps allocations when a pool shrinks below its usage or drains, and takes no new ones there', async () => {
    await declare([pool('pc-a', 'pc', { vcpu: 10 })], [{ tenantId: 'pc-tenant', limits: { vcpu: 100 } }]);
    const held = output(await runWorkflow('allocate-resources', request('pc-tenant', 'pc', { vcpu: 8 })));
    await declare([pool('pc-a', 'pc', { vcpu: 4 })], []);
    expect(await t.ledgerItem(ledgerKeys.pool('pc-a'))).toMatchObject({
      capacity: { vcpu: 4 },
      used: { vcpu: 8 },
    });
    expect(await t.ledgerItem(ledgerKeys.allocation(held.allocationId))).toMatchObject({ status: 'ACTIVE' });
    expect(
      output(await runWorkflow('allocate-resources', request('pc-tenant', 'pc', { vcpu: 1 }))),
    ).toMatchObject({
      status: 'REJECTED',
      reason: 'InsufficientCapacity',
      explanation: '0/1 pools of kind pc: 1 insufficient vcpu',
    });
    await declare([pool('pc-a', 'pc', { vcpu: 100 }, { state: 'draining' })], []);
    expect(
      output(await runWorkflow('allocate-resources', request('pc-tenant', 'pc', { vcpu: 1 }))),
    ).toMatchObject({
      status: 'REJECTED',
      reason: 'NoMatchingPool',
      explanation: '0/1 pools of kind pc: 1 draining',
    });
    expect(await t.ledgerItem(ledgerKeys.allocation(held.allocationId))).toMatchObject({ status: 'ACTIVE' });
  });
});

describe('callback provisioning', () => {
  /** Starts a callback allocation and waits until its provisioner is asked. */
  async function awaitingProvisioner(tenantId: string, kind: string, extra: object = {}) {
    await declare([pool(`${kind}-a`, kind, { vcpu: 10 })], [{ tenantId, limits: { vcpu: 10 } }]);
    const input = request(tenantId, kind, { vcpu: 4 }, { provisioner: 'callback', ...extra });
    const executionArn = await t.start('allocate-resources', input);
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

  async function provisioned(ok: boolean, tenantId: string, kind: string) {
    const { executionArn, input, taskToken, allocationId } = await awaitingProvisioner(tenantId, kind, {
      leaseSeconds: 3600,
    });
    // No lease clock while provisioning: the lease starts when the capacity is real.
    const reserved = await t.ledgerItem(ledgerKeys.allocation(allocationId));
    expect(reserved).toMatchObject({ status: 'RESERVED' });
    expect(reserved).not.toHaveProperty('expiresAt');
    expect(reserved).not.toHaveProperty('leaseBucket');
    await t.eventBridge.send(
      new PutEventsCommand({
        Entries: [
          {
            Source: 'acme.provisioner',
            DetailType: 'ResourceProvisionCompleted',
            Detail: JSON.stringify({ taskToken, ok, attributes: { instanceId: 'i-123' } }),
          },
        ],
      }),
    );
    return { description: await t.finished(executionArn), allocationId, kind, input };
  }

  it('returns the reservation when the execution waiting on the provisioner is stopped from the console', async () => {
    const { executionArn, allocationId } = await awaitingProvisioner('cb-stop', 'cbstop');
    await t.sfn.send(
      new StopExecutionCommand({ executionArn, error: 'Operator', cause: 'no provisioner today' }),
    );
    await eventually(async () =>
      (await t.ledgerItem(ledgerKeys.allocation(allocationId)))?.status === 'RELEASED' ? true : undefined,
    );
    await eventually(() =>
      facts.find(
        (f) =>
          f['detail-type'] === 'ResourceReleased' &&
          (f.detail as { allocationId: string }).allocationId === allocationId,
      ),
    );
    expect(await t.ledgerItem(ledgerKeys.pool('cbstop-a'))).toMatchObject({ used: { vcpu: 0 } });
    expect(auditLedger(await readLedgerSnapshot(t.ledger, LEDGER_TABLE_NAME))).toEqual([]);
  });

  it('waits for ResourceProvisionCompleted, then activates the allocation with its attributes', async () => {
    const { description, allocationId, input } = await provisioned(true, 'cb-ok', 'cbok');
    expect(description.status).toBe('SUCCEEDED');
    // A later duplicate reads the final outcome and provisions nothing again.
    const asked = () =>
      facts.filter(
        (f) =>
          f['detail-type'] === 'ResourceProvisionRequested' &&
          (f.detail as { tenantId: string }).tenantId === 'cb-ok',
      );
    expect(output(await runWorkflow('allocate-resources', input))).toMatchObject({
      status: 'ALLOCATED',
      allocationId,
      provisioning: false,
      duplicate: true,
    });
    expect(asked()).toHaveLength(1);
    expect(output(description)).toMatchObject({
      status: 'ALLOCATED',
      allocationId,
      attributes: { instanceId: 'i-123' },
    });
    const active = await t.ledgerItem(ledgerKeys.allocation(allocationId));
    expect(active).toMatchObject({
      status: 'ACTIVE',
      attributes: { instanceId: 'i-123' },
      leaseBucket: 'LEASE',
    });
    expect(Date.parse(String(active?.expiresAt)) - Date.now()).toBeGreaterThan(3_500_000);
  });

  it('takes the allocation back when its confirmation cannot be announced: ledger, result and facts agree', async () => {
    const { executionArn, taskToken, allocationId } = await awaitingProvisioner('cb-unheard', 'cbunheard');
    // Every try to announce the allocation fails: the publisher's, then the workflow's retries.
    const stop = t.runtime.bus.injectFault((entry) =>
      entry.DetailType === 'ResourceAllocated' && String(entry.Detail).includes(allocationId)
        ? 'entry'
        : undefined,
    );
    try {
      await t.eventBridge.send(
        new PutEventsCommand({
          Entries: [
            {
              Source: 'acme.provisioner',
              DetailType: 'ResourceProvisionCompleted',
              Detail: JSON.stringify({ taskToken, ok: true }),
            },
          ],
        }),
      );
      expect(await t.finished(executionArn)).toMatchObject({ status: 'FAILED', error: 'ProvisioningFailed' });
    } finally {
      stop();
    }
    expect(await t.ledgerItem(ledgerKeys.allocation(allocationId))).toMatchObject({
      status: 'RELEASED',
      releaseAnnounced: true,
    });
    expect(await t.ledgerItem(ledgerKeys.pool('cbunheard-a'))).toMatchObject({ used: { vcpu: 0 } });
    expect(await t.ledgerItem(ledgerKeys.quota('cb-unheard'))).toMatchObject({ used: { vcpu: 0 } });
    const ofIt = (detailType: string) =>
      facts.filter(
        (f) =>
          f['detail-type'] === detailType &&
          (f.detail as { allocationId: string }).allocationId === allocationId,
      );
    expect(ofIt('ResourceAllocated')).toEqual([]);
    expect(ofIt('ResourceReleased')).toHaveLength(1);
    expect(auditLedger(await readLedgerSnapshot(t.ledger, LEDGER_TABLE_NAME))).toEqual([]);
  });

  it('returns the reservation and fails with ProvisioningFailed when the provisioner fails', async () => {
    const { description, allocationId, kind } = await provisioned(false, 'cb-fail', 'cbfail');
    expect(description).toMatchObject({ status: 'FAILED', error: 'ProvisioningFailed' });
    expect(await t.ledgerItem(ledgerKeys.allocation(allocationId))).toMatchObject({ status: 'RELEASED' });
    for (const key of [ledgerKeys.pool(`${kind}-a`), ledgerKeys.quota('cb-fail')])
      expect(await t.ledgerItem(key)).toMatchObject({ used: { vcpu: 0 }, holds: {}, returns: {} });
  });
});

describe('release-resources', () => {
  it('returns the capacity once, is harmless twice, and refuses an unknown id', async () => {
    await declare([pool('rl-a', 'rl', { vcpu: 10 })], [{ tenantId: 'rl-tenant', limits: { vcpu: 10 } }]);
    const allocated = output(
      await runWorkflow('allocate-resources', request('rl-tenant', 'rl', { vcpu: 6 })),
    );
    const first = output(await runWorkflow('release-resources', { allocationId: allocated.allocationId }));
    const second = output(await runWorkflow('release-resources', { allocationId: allocated.allocationId }));
    expect(first).toMatchObject({ status: 'RELEASED', alreadyReleased: false, poolId: 'rl-a' });
    expect(second).toMatchObject({ status: 'RELEASED', alreadyReleased: true });
    for (const key of [ledgerKeys.pool('rl-a'), ledgerKeys.quota('rl-tenant')])
      expect(await t.ledgerItem(key)).toMatchObject({ used: { vcpu: 0 }, holds: {}, returns: {} });
    const released = await t.ledgerItem(ledgerKeys.allocation(allocated.allocationId));
    expect(released).toMatchObject({ status: 'RELEASED' });
    expect(released).not.toHaveProperty('releaseClaimedAt');
    const releasedFacts = facts.filter(
      (f) =>
        f['detail-type'] === 'ResourceReleased' &&
        (f.detail as { allocationId: string }).allocationId === allocated.allocationId,
    );
    expect(releasedFacts).toHaveLength(1);
    const unknown = await runWorkflow('release-resources', { allocationId: 'alloc-nope' });
    expect(unknown).toMatchObject({ status: 'FAILED', error: 'InvalidRequest' });
    expect(unknown.cause).toContain('no allocation alloc-nope');
  });
});

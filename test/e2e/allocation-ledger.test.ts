/**
 * The allocation saga on the real ledger (dynalite through the DynamoDB API): a store failure at
 * each step leaks nothing, and any sequence of allocations, releases, expiries and pool and
 * quota changes keeps every pool's and tenant's usage equal to its live allocations (fast-check).
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbAllocationLedger } from '../../lambdas/adapters/dynamodb-allocation-ledger';
import { DynamoDbInventoryStore } from '../../lambdas/adapters/dynamodb-inventory-store';
import { ledgerKeys } from '../../lambdas/adapters/ledger-keys';
import { readLedgerSnapshot } from '../../lambdas/adapters/ledger-snapshot';
import {
  type AllocateDependencies,
  allocate,
  CompensationFailed,
  STALE_CLAIM_MS,
} from '../../lambdas/core/allocation/allocate';
import type { AllocationLedger } from '../../lambdas/core/allocation/allocation';
import { auditLedger } from '../../lambdas/core/allocation/audit';
import { expireLeases } from '../../lambdas/core/allocation/expire-leases';
import { release } from '../../lambdas/core/allocation/release';
import { LEDGER_TABLE_NAME } from '../../lib/embedded/runtime';
import { startTestRuntime, type TestRuntime } from './embedded-runtime';

let t: TestRuntime;
let client: DynamoDBDocumentClient;
let ledger: DynamoDbAllocationLedger;
let inventory: DynamoDbInventoryStore;
let ids = 0;
const nextId = (prefix: string) => `${prefix}-${++ids}`;

beforeAll(async () => {
  t = await startTestRuntime({ dataDirectory: null });
  client = DynamoDBDocumentClient.from(
    new DynamoDBClient({
      endpoint: t.runtime.url,
      region: 'us-east-1',
      credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
    }),
  );
  ledger = new DynamoDbAllocationLedger(client, LEDGER_TABLE_NAME);
  inventory = new DynamoDbInventoryStore(client, LEDGER_TABLE_NAME);
});
afterAll(async () => {
  client.destroy();
  await t.stop();
});

const deps = (over: AllocationLedger = ledger): AllocateDependencies => ({
  ledger: over,
  now: () => new Date(),
  newAllocationId: () => nextId('alloc'),
  newClaimId: () => nextId('claim'),
  pause: () => Promise.resolve(),
});

async function drift() {
  return auditLedger(await readLedgerSnapshot(client, LEDGER_TABLE_NAME));
}

/** The ledger, failing the `nth` call of each named method with a named store error. */
/**
 * The ledger, failing the `nth` call of each named method with a named store error: before the
 * write (`before`), or after it went through with only its answer lost (`after`).
 */
function failing(
  failures: Partial<Record<keyof AllocationLedger, number>>,
  when: 'before' | 'after' = 'before',
): AllocationLedger {
  const calls = new Map<string, number>();
  return new Proxy(ledger, {
    get(target, property: keyof AllocationLedger) {
      const method = target[property];
      if (typeof method !== 'function') return method;
      return (...args: unknown[]) => {
        const count = (calls.get(property) ?? 0) + 1;
        calls.set(property, count);
        const call = () => (method as (...a: unknown[]) => Promise<unknown>).apply(target, args);
        if (failures[property] !== count) return call();
        const failure = Object.assign(new Error(`injected failure of ${property}`), {
          name: 'StoreUnavailable',
        });
        return when === 'before' ? Promise.reject(failure) : call().then(() => Promise.reject(failure));
      };
    },
  });
}

async function setUp(capacity = 10, limit = 10) {
  const kind = nextId('kind');
  const tenantId = nextId('tenant');
  const poolId = nextId('pool');
  await inventory.putPoolDeclaration(
    { poolId, kind, labels: {}, capacity: { vcpu: capacity }, state: 'active' },
    new Date(),
  );
  await inventory.putQuotaDeclaration({ tenantId, limits: { vcpu: limit } }, new Date());
  return {
    kind,
    tenantId,
    poolId,
    request: { requestId: nextId('req'), tenantId, kind, amount: { vcpu: 4 } },
  };
}

describe('the allocation saga under store failures', () => {
  it.each([
    ['claimRequest', 'AllocationInterrupted'],
    ['reserveQuota', 'AllocationInterrupted'],
    ['reservePool', 'AllocationInterrupted'],
    ['createAllocation', 'AllocationInterrupted'],
    ['recordOutcome', 'AllocationInterrupted'],
  ] as const)(
    'a failing %s leaks nothing, ends with %s, and a retry then succeeds once',
    async (step, errorName) => {
      const { request, poolId, tenantId } = await setUp();
      await expect(allocate(deps(failing({ [step]: 1 })), request)).rejects.toMatchObject({
        name: errorName,
      });
      expect(await drift()).toEqual([]);
      expect((await ledger.quota(tenantId))?.used.vcpu ?? 0).toBe(0);
      const retried = await allocate(deps(), request);
      expect(retried).toMatchObject({ decided: true, outcome: { status: 'ALLOCATED', poolId } });
      expect((await ledger.quota(tenantId))?.used).toEqual({ vcpu: 4 });
      expect(await drift()).toEqual([]);
    },
  );

  it.each(['reserveQuota', 'reservePool', 'createAllocation'] as const)(
    'a %s that went through but lost its answer is taken back exactly once, and a retry succeeds once',
    async (step) => {
      const { request, tenantId } = await setUp();
      await expect(allocate(deps(failing({ [step]: 1 }, 'after')), request)).rejects.toMatchObject({
        name: 'AllocationInterrupted',
      });
      expect(await drift()).toEqual([]);
      expect((await ledger.quota(tenantId))?.used.vcpu ?? 0).toBe(0);
      expect((await allocate(deps(), request)).outcome.status).toBe('ALLOCATED');
      expect((await ledger.quota(tenantId))?.used).toEqual({ vcpu: 4 });
      expect(await drift()).toEqual([]);
    },
  );

  it('finishes an interrupted release when released again', async () => {
    const { request, tenantId } = await setUp();
    const { outcome } = await allocate(deps(), request);
    if (outcome.status !== 'ALLOCATED') throw new Error('expected an allocation');
    await expect(release(failing({ returnQuota: 1 }), outcome.allocationId)).rejects.toMatchObject({
      name: 'ReleaseInterrupted',
    });
    expect(await drift()).toContainEqual({
      holder: `tenant ${tenantId}`,
      dimension: 'vcpu',
      recorded: 4,
      allocated: 0,
    });
    expect(await release(ledger, outcome.allocationId)).toMatchObject({ released: false });
    expect(await drift()).toEqual([]);
    expect((await ledger.quota(tenantId))?.used).toEqual({ vcpu: 0 });
  });

  it('keeps an allocation whose outcome was recorded though the answer was lost', async () => {
    const { request, tenantId } = await setUp();
    const { outcome } = await allocate(deps(failing({ recordOutcome: 1 }, 'after')), request);
    expect(outcome.status).toBe('ALLOCATED');
    expect((await ledger.request(request.requestId))?.outcome).toEqual(outcome);
    expect((await ledger.quota(tenantId))?.used).toEqual({ vcpu: 4 });
    expect(await drift()).toEqual([]);
  });

  it('takes over a request whose delivery died mid-saga, undoes what it held, and decides once', async () => {
    const { request, tenantId, poolId } = await setUp();
    // The first delivery "dies" after reserving quota and pool: every later call fails, so
    // neither its compensation nor its unclaim happens.
    let dead = false;
    const dying = new Proxy(ledger, {
      get(target, property: keyof AllocationLedger) {
        const method = target[property];
        if (typeof method !== 'function') return method;
        return (...args: unknown[]) => {
          if (property === 'createAllocation') dead = true;
          if (dead) return Promise.reject(Object.assign(new Error('the Lambda died'), { name: 'Crash' }));
          return (method as (...a: unknown[]) => Promise<unknown>).apply(target, args);
        };
      },
    });
    await expect(allocate(deps(dying), request)).rejects.toMatchObject({ name: 'CompensationFailed' });
    expect((await ledger.quota(tenantId))?.used).toEqual({ vcpu: 4 });
    // A duplicate soon after waits for the first (which will never answer)…
    const waiting = { ...deps(), pause: () => Promise.resolve() };
    await expect(allocate(waiting, request)).rejects.toMatchObject({ name: 'RequestInProgress' });
    // …and once the claim is stale, takes it over.
    const later = { ...deps(), now: () => new Date(Date.now() + STALE_CLAIM_MS + 1_000) };
    const { outcome, decided } = await allocate(later, request);
    expect({ status: outcome.status, decided }).toEqual({ status: 'ALLOCATED', decided: true });
    expect((await ledger.quota(tenantId))?.used).toEqual({ vcpu: 4 });
    const pool = await t.ledgerItem(ledgerKeys.pool(poolId));
    expect(Object.keys((pool?.holds ?? {}) as object)).toHaveLength(1);
    expect(await drift()).toEqual([]);
  });

  it('names the drift when compensation itself fails, and the audit sees it', async () => {
    const { request, poolId } = await setUp();
    const error = await allocate(deps(failing({ createAllocation: 1, returnPool: 1 })), request).catch(
      (e: Error) => e,
    );
    expect(error).toBeInstanceOf(CompensationFailed);
    expect(await drift()).toContainEqual({
      holder: `pool ${poolId}`,
      dimension: 'vcpu',
      recorded: 4,
      allocated: 0,
    });
    // The pool still holds for the failed attempt's allocation: giving that back repairs it.
    const held = Object.keys(((await t.ledgerItem(ledgerKeys.pool(poolId)))?.holds ?? {}) as object);
    expect(held).toHaveLength(1);
    await ledger.returnPool(poolId, held[0] ?? '', request.amount);
    expect(await drift()).toEqual([]);
  });
});

describe('the ledger invariant', () => {
  type Step =
    | { op: 'allocate'; tenant: number; vcpu: number; lease: boolean }
    | { op: 'expire' }
    | { op: 'release'; index: number }
    | { op: 'resize'; pool: number; capacity: number }
    | { op: 'drain'; pool: number; state: 'active' | 'draining' }
    | { op: 'quota'; tenant: number; limit: number };

  const step: fc.Arbitrary<Step> = fc.oneof(
    { weight: 1, arbitrary: fc.constant({ op: 'expire' as const }) },
    {
      weight: 5,
      arbitrary: fc.record({
        op: fc.constant('allocate' as const),
        tenant: fc.nat(1),
        vcpu: fc.integer({ min: 1, max: 30 }),
        lease: fc.boolean(),
      }),
    },
    { weight: 2, arbitrary: fc.record({ op: fc.constant('release' as const), index: fc.nat(20) }) },
    {
      weight: 1,
      arbitrary: fc.record({
        op: fc.constant('resize' as const),
        pool: fc.nat(1),
        capacity: fc.integer({ min: 0, max: 60 }),
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record({
        op: fc.constant('drain' as const),
        pool: fc.nat(1),
        state: fc.constantFrom('active' as const, 'draining' as const),
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record({
        op: fc.constant('quota' as const),
        tenant: fc.nat(1),
        limit: fc.integer({ min: 0, max: 80 }),
      }),
    },
  );

  it('usage always equals the live allocations, and an allocation never exceeds a limit (with leases expiring)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 15 }), async (steps) => {
        const kind = nextId('prop');
        const pools = [nextId('prop-pool'), nextId('prop-pool')];
        const tenants = [nextId('prop-tenant'), nextId('prop-tenant')];
        const capacity = [40, 40];
        for (const [i, poolId] of pools.entries()) {
          await inventory.putPoolDeclaration(
            { poolId, kind, labels: {}, capacity: { vcpu: capacity[i] ?? 0 }, state: 'active' },
            new Date(),
          );
        }
        for (const tenantId of tenants)
          await inventory.putQuotaDeclaration({ tenantId, limits: { vcpu: 50 } }, new Date());
        const live: string[] = [];
        for (const s of steps) {
          if (s.op === 'allocate') {
            const tenantId = tenants[s.tenant] ?? '';
            const { outcome } = await allocate(deps(), {
              requestId: nextId('prop-req'),
              tenantId,
              kind,
              amount: { vcpu: s.vcpu },
              leaseSeconds: s.lease ? 1 : undefined,
            });
            if (outcome.status === 'ALLOCATED') {
              live.push(outcome.allocationId);
              const pool = (await ledger.poolsOfKind(kind)).find((p) => p.poolId === outcome.poolId);
              const quota = await ledger.quota(tenantId);
              expect(pool?.used.vcpu ?? 0).toBeLessThanOrEqual(pool?.capacity.vcpu ?? 0);
              expect(quota?.used.vcpu ?? 0).toBeLessThanOrEqual(quota?.limits.vcpu ?? 0);
            }
          } else if (s.op === 'expire') {
            // Every lease taken so far has ended ten seconds from now.
            const expired = await expireLeases(ledger, new Date(Date.now() + 10_000));
            const gone = new Set(expired.map((f) => (f.detail as { allocationId: string }).allocationId));
            live.splice(0, live.length, ...live.filter((id) => !gone.has(id)));
          } else if (s.op === 'release' && live.length > 0) {
            const [allocationId] = live.splice(s.index % live.length, 1);
            await release(ledger, allocationId ?? '');
          } else if (s.op === 'resize' || s.op === 'drain') {
            const poolId = pools[s.pool] ?? '';
            const current = (await ledger.poolsOfKind(kind)).find((p) => p.poolId === poolId);
            await inventory.putPoolDeclaration(
              {
                poolId,
                kind,
                labels: {},
                capacity: s.op === 'resize' ? { vcpu: s.capacity } : { vcpu: current?.capacity.vcpu ?? 0 },
                state: s.op === 'drain' ? s.state : (current?.state ?? 'active'),
              },
              new Date(),
            );
          } else if (s.op === 'quota') {
            await inventory.putQuotaDeclaration(
              { tenantId: tenants[s.tenant] ?? '', limits: { vcpu: s.limit } },
              new Date(),
            );
          }
        }
        expect(await drift()).toEqual([]);
      }),
      { numRuns: 25 },
    );
  }, 120_000);
});

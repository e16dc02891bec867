/**
 * `baton/testing` as a user's project uses it: a test of the user's own service (here a build
 * farm that asks Baton for runners by event) against a whole Baton started inside the test. The
 * README shows this test.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { type BatonForTests, startBaton } from 'baton/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repositoryRoot } from '../../lib/topology/repository-root';

/** The user's service: asks for capacity for a build, as it does in production. */
async function requestRunners(events: EventBridgeClient, busName: string, buildId: string, vcpu: number) {
  await events.send(
    new PutEventsCommand({
      Entries: [
        {
          EventBusName: busName,
          Source: 'acme.builds',
          DetailType: 'ResourceAllocationRequested',
          Detail: JSON.stringify({
            requestId: buildId,
            tenantId: 'builds',
            kind: 'compute',
            amount: { vcpu },
          }),
        },
      ],
    }),
  );
}

let baton: BatonForTests;
let events: EventBridgeClient;

beforeAll(async () => {
  baton = await startBaton();
  events = new EventBridgeClient(baton.clientConfig);
  // The scene, declared by event as the user's inventory system does.
  await events.send(
    new PutEventsCommand({
      Entries: [
        {
          EventBusName: baton.eventBusName,
          Source: 'acme.inventory',
          DetailType: 'ResourcePoolChanged',
          Detail: JSON.stringify({
            poolId: 'runners',
            kind: 'compute',
            capacity: { vcpu: 64 },
            state: 'active',
          }),
        },
        {
          EventBusName: baton.eventBusName,
          Source: 'acme.inventory',
          DetailType: 'TenantQuotaChanged',
          Detail: JSON.stringify({ tenantId: 'builds', limits: { vcpu: 16 } }),
        },
      ],
    }),
  );
  await baton.nextEvent({ 'detail-type': ['ResourcePoolUpdated'], detail: { poolId: ['runners'] } });
  await baton.nextEvent({ 'detail-type': ['TenantQuotaUpdated'], detail: { tenantId: ['builds'] } });
});
afterAll(async () => {
  events.destroy();
  await baton.stop();
});

describe('a build farm against baton/testing', () => {
  it('gets runners for a build', async () => {
    await requestRunners(events, baton.eventBusName, 'build-1', 8);
    const allocated = await baton.nextEvent({
      source: ['baton'],
      'detail-type': ['ResourceAllocated'],
      detail: { requestId: ['build-1'] },
    });
    expect(allocated.detail).toMatchObject({ tenantId: 'builds', poolId: 'runners', amount: { vcpu: 8 } });
  });

  it('is told why a build beyond its quota gets none', async () => {
    await requestRunners(events, baton.eventBusName, 'build-2', 32);
    const rejected = await baton.nextEvent({
      'detail-type': ['ResourceAllocationRejected'],
      detail: { requestId: ['build-2'] },
    });
    expect(rejected.detail).toMatchObject({ reason: 'QuotaExceeded' });
  });
});

describe('startBaton', () => {
  it('names what it waited for when no event comes', async () => {
    await expect(
      baton.nextEvent(
        { 'detail-type': ['ResourceAllocated'], detail: { requestId: ['never'] } },
        { timeoutMs: 200 },
      ),
    ).rejects.toMatchObject({
      name: 'EventNotSeen',
      message: expect.stringContaining('ResourcePoolUpdated'),
    });
  });

  it('refuses a pattern EventBridge would refuse', () => {
    expect(() => baton.nextEvent({ detail: { requestId: 'not-an-array' } })).toThrow(
      expect.objectContaining({ name: 'InvalidEventPatternException' }),
    );
  });

  it('runs side by side with another, each with its own port and store, and changes nothing process-wide', async () => {
    const environment = { ...process.env };
    const other = await startBaton();
    try {
      expect(other.endpoint).not.toBe(baton.endpoint);
      expect(process.env).toEqual(environment);
      const items = async (b: BatonForTests) =>
        (await b.clients.ledger.send(new ScanCommand({ TableName: b.tableName }))).Items ?? [];
      // The other has none of this one's pool, quota or allocation.
      expect(await items(other)).toEqual([]);
      expect((await items(baton)).length).toBeGreaterThan(0);
      // Nor does it take this one's functions for its own: only they may publish as `baton`.
      const asThisOnesFunctions = (b: BatonForTests) =>
        new EventBridgeClient({ ...b.clientConfig, credentials: baton.runtime.functionCredentials });
      const fact = { Source: 'baton', DetailType: 'ResourcePoolUpdated', Detail: '{"poolId":"forged"}' };
      const answers = await Promise.all(
        [baton, other].map((b) => asThisOnesFunctions(b).send(new PutEventsCommand({ Entries: [fact] }))),
      );
      expect(answers.map((answer) => answer.FailedEntryCount)).toEqual([0, 1]);
    } finally {
      await other.stop();
    }
    // This one keeps serving once the other has stopped.
    await requestRunners(events, baton.eventBusName, 'build-3', 4);
    await baton.nextEvent({ 'detail-type': ['ResourceAllocated'], detail: { requestId: ['build-3'] } });
  });
});

describe('the built baton/testing', () => {
  it('runs in a project that has Baton installed, as plain Node imports it (dist/, by the package exports)', async () => {
    const project = mkdtempSync(join(tmpdir(), 'baton-user-'));
    try {
      mkdirSync(join(project, 'node_modules'));
      symlinkSync(repositoryRoot, join(project, 'node_modules', 'baton'), 'dir');
      writeFileSync(
        join(project, 'check.mjs'),
        `import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { startBaton } from 'baton/testing';
const baton = await startBaton();
await baton.clients.eventBridge.send(new PutEventsCommand({ Entries: [{ EventBusName: baton.eventBusName,
  Source: 'acme.inventory', DetailType: 'ResourcePoolChanged',
  Detail: JSON.stringify({ poolId: 'p', kind: 'compute', capacity: { vcpu: 4 }, state: 'active' }) }] }));
const fact = await baton.nextEvent({ 'detail-type': ['ResourcePoolUpdated'] });
await baton.stop();
console.log(JSON.stringify({ module: import.meta.resolve('baton/testing'), poolId: fact.detail.poolId }));
`,
      );
      // The SDK resolves from Baton's own dependencies, as it would from an installed Baton's.
      writeFileSync(join(project, 'package.json'), '{"type":"module"}');
      symlinkSync(
        join(repositoryRoot, 'node_modules', '@aws-sdk'),
        join(project, 'node_modules', '@aws-sdk'),
        'dir',
      );
      const { stdout } = await promisify(execFile)(process.execPath, ['check.mjs'], { cwd: project });
      expect(JSON.parse(stdout)).toEqual({
        module: expect.stringMatching(/\/dist\/testing\/start-baton\.js$/),
        poolId: 'p',
      });
      // …and its types, built by npm ci (prepare), where the exports say.
      const { exports } = JSON.parse(readFileSync(join(repositoryRoot, 'package.json'), 'utf8'));
      expect(readFileSync(join(repositoryRoot, exports['./testing'].types), 'utf8')).toContain(
        'export declare function startBaton(',
      );
    } finally {
      rmSync(project, { recursive: true, force: true });
    }
  });
});

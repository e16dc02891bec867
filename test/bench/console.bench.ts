/**
 * The web console's first render in a real browser (headless Chromium), per page: from navigation
 * to the page drawn with its data (`firstRender`, just after a change, so the console reads the
 * store afresh; `seeded_unchanged`, loaded again with no change since), and the part of it after
 * the data arrived (`render`: the page's own work) — with 1 000 allocations and 10 000 workloads in the store,
 * beside the same page on the same runtime's empty store measured first (the baseline). Also the
 * bundle's size, as served, and how soon an alarm's rollback shows on the open Rollouts page.
 */

import { gzipSync } from 'node:zlib';
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { Page } from 'puppeteer-core';
import { DynamoDbAllocationLedger } from '../../lambdas/adapters/dynamodb-allocation-ledger';
import { DynamoDbWorkloadLedger } from '../../lambdas/adapters/dynamodb-workload-ledger';
import { ledgerKeys } from '../../lambdas/adapters/ledger-keys';
import { LEDGER_TABLE_NAME } from '../../lib/embedded/local-aws';
import { launchBrowser } from '../browser/browser-session';
import { startTestRuntime } from '../e2e/embedded-runtime';
import { alarmFired, lambdaOf, publishedService, rolloutRequest } from '../e2e/rollout-setup';
import { drive, percentile, report } from './report';

const TENANTS = 10;
const RESOURCES_PER_TENANT = 100;
const WORKLOADS_PER_RESOURCE = 10;
const RUNS = 5;
const ROLLBACK_RUNS = 5;
const PAGES = ['overview', 'capacity', 'workloads', 'rollouts', 'executions', 'events'];

/**
 * Resolves with `performance.now()` once a page's root is in the DOM with its data (no "Loading…"
 * left) and the browser has laid it out and painted the frame after (a timer queued from the next
 * animation frame runs once that frame is done).
 */
const WATCH_FIRST_RENDER = `
  window.firstRender = new Promise((resolve) => {
    const check = () => {
      if (document.querySelector('[data-testid^="page-"]') && !document.querySelector('[data-testid="loading"]')) {
        observer.disconnect();
        requestAnimationFrame(() => setTimeout(() => resolve(performance.now())));
      }
    };
    const observer = new MutationObserver(check);
    observer.observe(document, { childList: true, subtree: true });
  });`;
/** When the last read of the page's data (not the session, not the stream) had arrived. */
const DATA_ARRIVED = `Math.max(...performance.getEntriesByType('resource')
  .filter((entry) => entry.name.includes('/console/api/') && !/\\/(session|stream)/.test(entry.name))
  .map((entry) => entry.responseEnd))`;

const t = await startTestRuntime();
const browser = await launchBrowser();
try {
  const bundle = await (await fetch(`${t.runtime.url}/console/assets/app.js`)).arrayBuffer();
  report('console.bundle.app_js.gzip', gzipSync(Buffer.from(bundle)).length / 1024, 'KiB');

  const empty = await measurePages();
  await seedStore();
  const seeded = await measurePages();
  for (const name of PAGES) {
    report(`console.firstRender.${name}.empty_store`, empty.get(name)?.firstRender ?? Number.NaN, 'ms');
    report(`console.firstRender.${name}.seeded`, seeded.get(name)?.firstRender ?? Number.NaN, 'ms');
    report(
      `console.firstRender.${name}.seeded_unchanged`,
      seeded.get(name)?.firstRenderUnchanged ?? Number.NaN,
      'ms',
    );
    report(`console.render.${name}.empty_store`, empty.get(name)?.render ?? Number.NaN, 'ms');
    report(`console.render.${name}.seeded`, seeded.get(name)?.render ?? Number.NaN, 'ms');
  }
  const rollbacks = await measureRollbacks();
  report('console.alarmToRollbackShown.p50', percentile(rollbacks.shown, 50), 'ms');
  report('console.alarmToRollbackFact.p50', percentile(rollbacks.fact, 50), 'ms');
} finally {
  await browser.close();
  await t.stop();
}

/**
 * How soon after an alarm the Rollouts page, open and not reloaded, shows the rollback — beside the
 * baseline of how soon the runtime announces it (`ServiceRolloutRolledBack` on the bus): the
 * difference is the console's (stream, refetch, render).
 */
async function measureRollbacks(): Promise<{ shown: number[]; fact: number[] }> {
  const lambda = lambdaOf(t);
  const page = await browser.newPage();
  await page.goto(`${t.runtime.url}/#/rollouts`);
  await page.waitForSelector('[data-testid="page-rollouts"]');
  const shown: number[] = [];
  const fact: number[] = [];
  for (let run = 0; run < ROLLBACK_RUNS; run += 1) {
    const functionName = `bench-rollback-${run}`;
    await publishedService(lambda, functionName);
    await t.start(
      'roll-out-service',
      rolloutRequest(functionName, functionName, 'steps:10@3600,50@3600', {
        alarms: [`${functionName}-errors`],
      }),
    );
    await page.waitForSelector(
      `[data-testid="rollout-card"][data-rollout="${functionName}"] [data-testid="bake-countdown"]`,
    );
    const announced = Promise.withResolvers<number>();
    const stop = t.runtime.bus.subscribe((event) => {
      const detail = event.detail as { rolloutId?: string };
      if (event['detail-type'] === 'ServiceRolloutRolledBack' && detail.rolloutId === functionName)
        announced.resolve(performance.now());
    });
    const alarmed = performance.now();
    await t.eventBridge.send(new PutEventsCommand({ Entries: [alarmFired(`${functionName}-errors`)] }));
    await page.waitForSelector(
      `[data-testid="rollout-history-row"][data-rollout="${functionName}"][data-status="ROLLED_BACK"]`,
    );
    shown.push(performance.now() - alarmed);
    fact.push((await announced.promise) - alarmed);
    stop();
  }
  await page.close();
  lambda.destroy();
  return { shown, fact };
}

interface PageFigures {
  /** Navigation to the page painted, just after a change (the console reads the store afresh). */
  readonly firstRender: number;
  /** The same, loaded again with no change since (the console's reads are kept until the next). */
  readonly firstRenderUnchanged: number;
  /** The page's own part, after its data arrived (after a change). */
  readonly render: number;
}

async function measurePages(): Promise<Map<string, PageFigures>> {
  const page = await browser.newPage();
  await page.setViewport({ width: 1360, height: 900 });
  await page.evaluateOnNewDocument(WATCH_FIRST_RENDER);
  const figures = new Map<string, PageFigures>();
  for (const name of PAGES) {
    const afterChange: { firstRender: number; render: number }[] = [];
    const unchanged: number[] = [];
    for (let run = 0; run < RUNS; run += 1) {
      await announceChange();
      afterChange.push(await firstRenderOf(page, name));
      unchanged.push((await firstRenderOf(page, name)).firstRender);
    }
    figures.set(name, {
      firstRender: percentile(
        afterChange.map((figure) => figure.firstRender),
        50,
      ),
      firstRenderUnchanged: percentile(unchanged, 50),
      render: percentile(
        afterChange.map((figure) => figure.render),
        50,
      ),
    });
  }
  await page.close();
  return figures;
}

async function firstRenderOf(page: Page, name: string): Promise<{ firstRender: number; render: number }> {
  // about:blank between runs: each is a fresh load of the page, not a hash change.
  await page.goto('about:blank');
  await page.goto(`${t.runtime.url}/#/${name}`);
  const firstRender = (await page.evaluate('window.firstRender')) as number;
  const dataArrived = (await page.evaluate(DATA_ARRIVED)) as number;
  return { firstRender, render: firstRender - dataArrived };
}

/**
 * 10 tenants × 100 resources (an allocation each: 1 000) × 10 workloads (10 000, some in
 * anti-affinity groups), written in the ledger's own item shapes through its adapters where one
 * writes a single item, so the console reads them as it reads the real ones.
 */
async function seedStore(): Promise<void> {
  const allocations = new DynamoDbAllocationLedger(t.ledger, LEDGER_TABLE_NAME);
  const workloads = new DynamoDbWorkloadLedger(t.ledger, LEDGER_TABLE_NAME);
  const now = Date.now();
  await t.run('declare-inventory', {
    pools: [0, 1, 2, 3].map((index) => ({
      poolId: `pool-${index}`,
      kind: 'vm',
      capacity: { vcpu: 100_000, memoryGiB: 400_000 },
      labels: { zone: `z${index}` },
      state: index === 3 ? 'draining' : 'active',
    })),
    quotas: Array.from({ length: TENANTS }, (_, tenant) => ({
      tenantId: `tenant-${tenant}`,
      limits: { vcpu: 100_000, memoryGiB: 400_000 },
    })),
  });
  const resources = Array.from({ length: TENANTS * RESOURCES_PER_TENANT }, (_, index) => ({
    tenantId: `tenant-${index % TENANTS}`,
    resourceId: `alloc-${String(index).padStart(4, '0')}`,
    poolId: `pool-${index % 4}`,
  }));
  await drive(resources.length, 16, async (index) => {
    const resource = resources[index];
    if (!resource) return;
    const members = Object.fromEntries(
      Array.from({ length: WORKLOADS_PER_RESOURCE }, (_, slot) => [
        `w-${index}-${slot}`,
        { demand: { vcpu: 1, memoryGiB: 2 }, token: 'seed' },
      ]),
    );
    await allocations.records.create({
      allocationId: resource.resourceId,
      requestId: `req-${index}`,
      tenantId: resource.tenantId,
      poolId: resource.poolId,
      kind: 'vm',
      amount: { vcpu: 16, memoryGiB: 64 },
      status: 'ACTIVE',
      createdAt: new Date(now - index * 1000).toISOString(),
      expiresAt: new Date(now + 3600_000 + index * 1000).toISOString(),
      leaseSeconds: 3600,
    });
    await t.ledger.send(
      new PutCommand({
        TableName: LEDGER_TABLE_NAME,
        Item: {
          ...ledgerKeys.resource(resource.tenantId, resource.resourceId),
          entity: 'resource',
          ...resource,
          capacity: { vcpu: 16, memoryGiB: 64 },
          used: { vcpu: WORKLOADS_PER_RESOURCE, memoryGiB: 2 * WORKLOADS_PER_RESOURCE },
          members,
          groups: {},
        },
      }),
    );
  });
  const total = resources.length * WORKLOADS_PER_RESOURCE;
  await drive(total, 16, async (index) => {
    const resourceIndex = Math.floor(index / WORKLOADS_PER_RESOURCE);
    const resource = resources[resourceIndex];
    if (!resource) return;
    await workloads.registerWorkload({
      tenantId: resource.tenantId,
      workloadId: `w-${resourceIndex}-${index % WORKLOADS_PER_RESOURCE}`,
      demand: { vcpu: 1, memoryGiB: 2 },
      constraints: index % 3 === 0 ? { antiAffinityGroup: `group-${index % 7}` } : undefined,
      resourceId: resource.resourceId,
      submittedAt: new Date(now).toISOString(),
    });
  });
}

/** An event on the bus, which drops the reads the console keeps (as a real change would). */
async function announceChange(): Promise<void> {
  await t.eventBridge.send(
    new PutEventsCommand({
      Entries: [{ Source: 'bench.console', DetailType: 'StoreChanged', Detail: '{}' }],
    }),
  );
}

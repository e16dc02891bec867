/**
 * The console in a real browser against a running embedded runtime: every page renders the data
 * the scene made with no console error, the events page filters with a pattern, the execution
 * graph marks the failing state, and an action without the session token is refused.
 */
import type { LambdaClient } from '@aws-sdk/client-lambda';
import type { Browser } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestRuntime, type TestRuntime } from '../e2e/embedded-runtime';
import { lambdaOf } from '../e2e/rollout-setup';
import { type ConsolePage, launchBrowser, openConsole, textsOf } from './browser-session';
import { rolloutOf, type Scene, setScene } from './console-scene';

let t: TestRuntime;
let lambda: LambdaClient;
let browser: Browser;
let scene: Scene;
let console: ConsolePage;

beforeAll(async () => {
  [t, browser] = await Promise.all([startTestRuntime({ timeScale: 600 }), launchBrowser()]);
  lambda = lambdaOf(t);
  scene = await setScene(t, lambda);
  console = await openConsole(browser, `${t.runtime.url}/`);
}, 120_000);
afterAll(async () => {
  await browser?.close();
  lambda?.destroy();
  await t?.stop();
});

describe('every page renders real data', () => {
  it('overview', async () => {
    await console.open('#/overview', 'page-overview');
    const page = console.page;
    await page.waitForSelector('[data-testid="fact"]');
    expect(await textsOf(page, '[data-testid="tile-pools"] .tile-value')).toEqual(['2']);
    expect(await textsOf(page, '[data-testid="tile-allocations"] .tile-value')).toEqual(['3']);
    expect((await textsOf(page, '[data-testid="fact"]')).join('\n')).toContain('ServiceRolloutSucceeded');
    await console.screenshot('overview');
  });

  it('capacity', async () => {
    await console.open('#/capacity', 'page-capacity');
    const page = console.page;
    expect(
      await page.$$eval('[data-testid="pool-card"]', (cards) =>
        cards.map((card) => card.getAttribute('data-state')),
      ),
    ).toEqual(expect.arrayContaining(['active', 'draining']));
    expect(await page.$$('[data-testid="allocation-row"]')).toHaveLength(3);
    expect(await textsOf(page, '[data-testid="countdown"]')).toEqual([expect.stringMatching(/^2h 5\dm$/)]);
    expect((await textsOf(page, '[data-testid="rejection-row"]')).join('\n')).toContain('QuotaExceeded');
    expect(await page.$$('[data-testid="quota-card"] [data-testid="usage-bar"]')).not.toHaveLength(0);
    await console.screenshot('capacity');
  });

  it('workloads, and a rebalance dry run', async () => {
    await console.open('#/workloads', 'page-workloads');
    const page = console.page;
    expect(await page.$$('[data-testid="resource-cell"]')).toHaveLength(3);
    expect(await page.$$('[data-testid="workload-mark"]')).toHaveLength(7);
    expect(
      await page.$$(
        '[data-testid="workload-mark"].group-' + '0, [data-testid="workload-mark"][class*="group-"]',
      ),
    ).not.toHaveLength(0);
    expect((await textsOf(page, '[data-testid="pending-row"]')).join('\n')).toContain('huge-1');
    await page.click('[data-testid="rebalance-dry-run"]');
    await page.waitForSelector('[data-testid="rebalance-preview"]', { timeout: 20_000 });
    expect((await textsOf(page, '[data-testid="rebalance-metrics"]')).join('')).toContain('peakUtilisation');
    await console.screenshot('workloads');
  });

  it('rollouts', async () => {
    await console.open('#/rollouts', 'page-rollouts');
    const page = console.page;
    await page.waitForSelector(`[data-testid="rollout-card"][data-rollout="${scene.runningRolloutId}"]`);
    await page.waitForSelector('[data-testid="bake-countdown"]');
    const history = (await textsOf(page, '[data-testid="rollout-history-row"]')).join('\n');
    expect(history).toContain('checkout-1');
    expect(history).toContain('orders-errors');
    await console.screenshot('rollouts');
  });

  it('executions, and one failed execution drawn with its failing state', async () => {
    await console.open('#/executions', 'page-executions');
    const page = console.page;
    await page.waitForSelector('[data-testid="execution-row"][data-status="FAILED"]');
    await console.screenshot('executions');
    await console.open(`#/executions/${encodeURIComponent(scene.failedExecutionArn)}`, 'execution-graph');
    const outcomes = await page.$$eval('[data-testid="graph-node"]', (nodes) =>
      Object.fromEntries(
        nodes.map((node) => [node.getAttribute('data-state'), node.getAttribute('data-outcome')]),
      ),
    );
    expect(outcomes).toMatchObject({ Release: 'caught', ExplainRejection: 'succeeded', Rejected: 'failed' });
    await page.click('[data-testid="graph-node"][data-state="ExplainRejection"]');
    await page.waitForSelector('[data-testid="state-output"]');
    expect(await textsOf(page, '[data-testid="state-output"]')).not.toEqual(['—']);
    await console.screenshot('execution');
  });

  it('events, filtered by a pattern', async () => {
    await console.open('#/events', 'page-events');
    const page = console.page;
    await page.waitForSelector('[data-testid="event-row"]');
    await page.type(
      '[data-testid="event-pattern"]',
      JSON.stringify({ 'detail-type': [{ prefix: 'ServiceRollout' }] }),
    );
    await page.waitForSelector('[data-testid="event-count"][data-pattern*="ServiceRollout"]');
    const types = await page.$$eval('[data-testid="event-row"]', (rows) =>
      rows.map((row) => row.getAttribute('data-detail-type')),
    );
    expect(types.length).toBeGreaterThan(0);
    expect(types.every((type) => type?.startsWith('ServiceRollout'))).toBe(true);
    await console.screenshot('events');
  });

  it('shows no console error, uncaught error or failed request on any page', () => {
    expect(console.problems).toEqual([]);
  });
});

describe('an invalid pattern', () => {
  it('is named on the page, and nothing else breaks', async () => {
    await console.open('#/events', 'page-events');
    const page = console.page;
    await page.click('[data-testid="event-pattern"]');
    await page.keyboard.down('Control');
    await page.keyboard.press('a');
    await page.keyboard.up('Control');
    await page.type('[data-testid="event-pattern"]', '{"source": "not-a-list"}');
    await page.waitForSelector('[data-testid="event-pattern-error"]');
    expect((await textsOf(page, '[data-testid="event-pattern-error"]')).join('')).toContain('InvalidPattern');
    console.problems.length = 0;
  });
});

describe('actions need the session token', () => {
  it('refuses a POST from the page without it (403), and the rollout does not change', async () => {
    const refused = await console.page.evaluate(async (rolloutId) => {
      const response = await fetch(`/console/api/rollouts/${rolloutId}/pause`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{}',
      });
      return { status: response.status, body: await response.json() };
    }, scene.runningRolloutId);
    expect(refused).toMatchObject({ status: 403, body: { error: 'MissingToken' } });
    // Were the pause sent, the rollout would be PAUSED within a few hundred milliseconds.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect((await rolloutOf(t, scene.runningRolloutId))?.status).toBe('RUNNING');
    const controls = await fetch(
      `${t.runtime.url}/console/api/events?pattern=${encodeURIComponent('{"detail-type":["ServiceRolloutControl"]}')}`,
    );
    expect(((await controls.json()) as { events: unknown[] }).events).toEqual([]);
  });
});

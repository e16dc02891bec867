/**
 * The console against a stage, in a real browser: the embedded runtime stands in for a deployed
 * stage, reached only through its AWS APIs, with no news from its bus at all. A rollout's steps
 * happen inside one running execution, so no start or end says they happened: the page still shows
 * its weight move, by reloading now and then as it does against a stage (and only there).
 */
import type { LambdaClient } from '@aws-sdk/client-lambda';
import type { Browser } from 'puppeteer-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { connect } from '../../lib/cli/connection';
import { RecentEvents } from '../../lib/console/event-feed';
import { openWebConsole, serveWebConsole, type WebConsole } from '../../lib/console/web-console';
import { startTestRuntime, type TestRuntime } from '../e2e/embedded-runtime';
import { lambdaOf, publishedService, rolloutRequest } from '../e2e/rollout-setup';
import { type ConsolePage, launchBrowser, openConsole, textsOf } from './browser-session';

let t: TestRuntime;
let lambda: LambdaClient;
let browser: Browser;
let webConsole: WebConsole;
let stop: () => Promise<void>;
let console: ConsolePage;

beforeAll(async () => {
  [t, browser] = await Promise.all([startTestRuntime({ timeScale: 600 }), launchBrowser()]);
  lambda = lambdaOf(t);
  // A feed nothing fills: the stage's bus is out of reach, and no execution starts or ends below.
  webConsole = openWebConsole({
    connection: connect({ endpoint: t.runtime.url }),
    feed: new RecentEvents(),
    mode: 'stage',
  });
  const served = await serveWebConsole(webConsole, 0);
  stop = () => new Promise((resolve) => served.server.close(() => resolve()));
  console = await openConsole(browser, `${served.url}/`);
  await console.open('#/rollouts', 'page-rollouts');
}, 60_000);
afterAll(async () => {
  await browser?.close();
  webConsole?.close();
  await stop?.();
  lambda?.destroy();
  await t?.stop();
});

it("shows a rollout's weight move inside its running execution, with no event to say so", async () => {
  await publishedService(lambda, 'staged');
  // 10 % baking 1 s, then 50 % baking 1 000 s: the execution runs on at 50 %.
  await t.start('roll-out-service', rolloutRequest('staged-1', 'staged', 'steps:10@600,50@600000'));
  const weight = (value: number) =>
    `[data-testid="rollout-card"][data-rollout="staged-1"] [data-testid="rollout-weight"][data-weight="${value}"]`;
  await console.page.waitForSelector(weight(0.5), { timeout: 20_000 });
  expect((await textsOf(console.page, '[data-testid="stage"]')).join('')).toContain('stage ·');
  expect(console.problems).toEqual([]);
});

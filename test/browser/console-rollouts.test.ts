/**
 * Rollouts watched and driven from the console in a real browser: a rollout started from the test
 * shows its weights move, then its rollback with the evidence, without a reload; pause and resume
 * from the page pause and resume the rollout.
 */
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import type { LambdaClient } from '@aws-sdk/client-lambda';
import type { Browser } from 'puppeteer-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ledgerKeys } from '../../lambdas/adapters/ledger-keys';
import { eventually, startTestRuntime, type TestRuntime } from '../e2e/embedded-runtime';
import { alarmFired, lambdaOf, publishedService, rolloutRequest } from '../e2e/rollout-setup';
import { type ConsolePage, launchBrowser, openConsole, textsOf } from './browser-session';

/** A 600 s bake lasts one second: long enough for the page to show each step. */
const TIME_SCALE = 600;
let t: TestRuntime;
let lambda: LambdaClient;
let browser: Browser;
let console: ConsolePage;

beforeAll(async () => {
  [t, browser] = await Promise.all([startTestRuntime({ timeScale: TIME_SCALE }), launchBrowser()]);
  lambda = lambdaOf(t);
  console = await openConsole(browser, `${t.runtime.url}/`);
  await console.open('#/rollouts', 'page-rollouts');
}, 60_000);
afterAll(async () => {
  await browser?.close();
  lambda?.destroy();
  await t?.stop();
});

const card = (rolloutId: string) => `[data-testid="rollout-card"][data-rollout="${rolloutId}"]`;
const rolloutStatus = async (rolloutId: string) =>
  (await t.ledgerItem(ledgerKeys.rollout(rolloutId)))?.status;

/** Marks the page; a reload would lose the mark. */
const markPage = () => console.page.evaluate('window.unreloaded = true');
const stillUnreloaded = () => console.page.evaluate('window.unreloaded === true');

it('shows a rollout’s weights move, then its rollback with the evidence, without a reload', async () => {
  const page = console.page;
  await markPage();
  await publishedService(lambda, 'checkout');
  await t.start(
    'roll-out-service',
    rolloutRequest('checkout-1', 'checkout', 'steps:10@600,50@600000', { alarms: ['checkout-errors'] }),
  );
  await page.waitForSelector(`${card('checkout-1')} [data-testid="rollout-weight"][data-weight="0.1"]`);
  await page.waitForSelector(`${card('checkout-1')} [data-testid="rollout-weight"][data-weight="0.5"]`);
  await page.waitForSelector(`${card('checkout-1')} [data-testid="bake-countdown"]`);
  expect(
    await page.$$eval(`${card('checkout-1')} [data-testid="rollout-step"]`, (steps) =>
      steps.map((step) => step.getAttribute('data-reached')),
    ),
  ).toEqual(['true', 'true', 'false']);

  await t.eventBridge.send(new PutEventsCommand({ Entries: [alarmFired('checkout-errors')] }));
  const ended = '[data-testid="rollout-history-row"][data-rollout="checkout-1"][data-status="ROLLED_BACK"]';
  await page.waitForSelector(ended);
  const evidence = (await textsOf(page, `${ended} [data-testid="rollout-evidence"]`)).join('');
  expect(evidence).toContain('checkout-errors');
  expect(evidence).toContain('stepReached=2');
  expect(await page.$(card('checkout-1'))).toBeNull();
  expect(await stillUnreloaded()).toBe(true);
});

it('pauses the rollout from the page, and resumes it', async () => {
  const page = console.page;
  await publishedService(lambda, 'payments');
  const arn = await t.start(
    'roll-out-service',
    rolloutRequest('payments-1', 'payments', 'steps:10@3000,50@600'),
  );
  await page.waitForSelector(`${card('payments-1')} [data-testid="rollout-weight"][data-weight="0.1"]`);
  await page.click(`${card('payments-1')} [data-testid="rollout-pause"]`);
  await page.waitForSelector(`${card('payments-1')}[data-status="PAUSED"]`);
  expect(await rolloutStatus('payments-1')).toBe('PAUSED');
  await page.waitForSelector(`${card('payments-1')} [data-testid="rollout-gate"]`);
  expect(await textsOf(page, `${card('payments-1')} [data-testid="rollout-gate"]`)).toEqual(['paused']);

  await page.click(`${card('payments-1')} [data-testid="rollout-resume"]`);
  await eventually(async () => ((await rolloutStatus('payments-1')) === 'RUNNING' ? true : undefined));
  expect(JSON.parse((await t.finished(arn)).output ?? 'null').status).toBe('SUCCEEDED');
  await page.waitForSelector(
    '[data-testid="rollout-history-row"][data-rollout="payments-1"][data-status="SUCCEEDED"]',
  );
  expect(await stillUnreloaded()).toBe(true);
});

it('shows no console error, uncaught error or failed request', () => {
  expect(console.problems).toEqual([]);
});

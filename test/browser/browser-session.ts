/**
 * One headless Chromium per test file (the one `@sparticuz/chromium` ships inside its npm package,
 * so `npm ci` is all a machine needs), and pages that record every console error, uncaught error
 * and failed request, so a test can say "no errors" and mean it.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import chromium from '@sparticuz/chromium';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';

export const SCREENSHOT_DIRECTORY = join(import.meta.dirname, '.screenshots');

export async function launchBrowser(): Promise<Browser> {
  return puppeteer.launch({
    executablePath: await chromium.executablePath(),
    args: chromium.args,
    headless: true,
    defaultViewport: { width: 1360, height: 900 },
  });
}

export interface ConsolePage {
  readonly page: Page;
  /** Console errors, uncaught errors and failed requests seen so far. */
  readonly problems: string[];
  /** Goes to a page of the console by its hash route and waits for its root element. */
  open(route: string, testId: string): Promise<void>;
  screenshot(name: string): Promise<void>;
}

export async function openConsole(browser: Browser, consoleUrl: string): Promise<ConsolePage> {
  const page = await browser.newPage();
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`page: ${String(error)}`));
  page.on('requestfailed', (request) => {
    // The live stream is cut when the page closes or navigates away: that is not a failure.
    if (!request.url().endsWith('/console/api/stream'))
      problems.push(`request: ${request.url()} ${request.failure()?.errorText}`);
  });
  page.on('response', (response) => {
    if (response.status() >= 400) problems.push(`response: ${response.status()} ${response.url()}`);
  });
  await page.goto(consoleUrl, { waitUntil: 'domcontentloaded' });
  return {
    page,
    problems,
    open: async (route, testId) => {
      // A string runs in the page, whose `location` the Node-side types do not know.
      await page.evaluate(`location.hash = ${JSON.stringify(route)}`);
      await page
        .waitForSelector(`[data-testid="${testId}"]`, { timeout: 10_000 })
        .catch(async (error: Error) => {
          // Say what the page shows instead, and what went wrong on the way.
          const shown = await page.evaluate('document.body.innerText').catch(() => '(unreadable)');
          throw new Error(
            `${error.message}\nthe page shows: ${String(shown).slice(0, 500)}\nproblems: ${problems.join('; ') || 'none'}`,
          );
        });
    },
    screenshot: async (name) => {
      mkdirSync(SCREENSHOT_DIRECTORY, { recursive: true });
      await page.screenshot({ path: join(SCREENSHOT_DIRECTORY, `${name}.png`), fullPage: true });
    },
  };
}

/** The texts of every element matching `selector`, in order. */
export const textsOf = (page: Page, selector: string) =>
  page.$$eval(selector, (elements) => elements.map((element) => element.textContent ?? ''));

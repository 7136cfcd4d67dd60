import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from 'playwright-core';

/** Debian's `chromium` package (.ci/run installs it); playwright-core downloads no browser. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Where screenshots go: test-results/screenshots/<test>/<nn>-<step>.png (git ignores test-results/). */
export const SCREENSHOTS = fileURLToPath(new URL('../../test-results/screenshots/', import.meta.url));

export interface TestBrowser {
  browser: Browser;
  /**
   * A fresh context (its own cookies) and page for one test; `name` names its screenshot folder.
   * `ignoreHTTPSErrors` for a server with the test's self-signed certificate.
   */
  open(name: string, options?: BrowserContextOptions): Promise<TestPage>;
  close(): Promise<void>;
}

export interface TestPage {
  page: Page;
  context: BrowserContext;
  /** Saves a full-page screenshot as the next numbered step; returns its path. */
  shot(step: string): Promise<string>;
  /** What the page wrote to its console, and errors it threw: printed when a test fails to help. */
  console: string[];
  close(): Promise<void>;
}

const slug = (text: string) =>
  text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 80) || 'page';

/**
 * One headless Chromium for a test file, reused by its tests (each gets its own context): starting
 * the browser is the slow part. `--no-sandbox`: the tests run as root, where Chromium's sandbox
 * cannot start.
 */
export async function launchBrowser(): Promise<TestBrowser> {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu', '--no-first-run', '--disable-extensions'],
  });
  const open: TestBrowser['open'] = async (name, options = {}) => {
    const context = await browser.newContext({ locale: 'en-US', ...options });
    const page = await context.newPage();
    // A step that waits for something that never comes fails in seconds, not at the test's timeout.
    page.setDefaultTimeout(10_000);
    const console: string[] = [];
    page.on('console', (message) => console.push(`${message.type()}: ${message.text()}`));
    page.on('pageerror', (error) => console.push(`pageerror: ${error.message}`));
    // This run's pictures only: what an earlier run left of this test goes first.
    const folder = path.join(SCREENSHOTS, slug(name));
    rmSync(folder, { recursive: true, force: true });
    mkdirSync(folder, { recursive: true });
    let step = 0;
    return {
      page,
      context,
      console,
      async shot(label) {
        step += 1;
        const file = path.join(folder, `${String(step).padStart(2, '0')}-${slug(label)}.png`);
        await page.screenshot({ path: file, fullPage: true });
        return file;
      },
      close: () => context.close(),
    };
  };
  return { browser, open, close: () => browser.close() };
}

/**
 * One walk in its own page: `body` drives it; on a failure the page is kept as a screenshot and
 * the error names the page's console and URL; the page is closed either way.
 */
export async function walkIn(
  browser: TestBrowser,
  name: string,
  body: (tp: TestPage) => Promise<void>,
  options: Parameters<TestBrowser['open']>[1] = {},
): Promise<void> {
  const tp = await browser.open(name, options);
  try {
    await body(tp);
  } catch (error) {
    await tp.shot('failure').catch(() => undefined);
    if (tp.console.length > 0) (error as Error).message += `\npage console:\n${tp.console.join('\n')}`;
    (error as Error).message += `\nat ${tp.page.url()}`;
    throw error;
  } finally {
    await tp.close();
  }
}

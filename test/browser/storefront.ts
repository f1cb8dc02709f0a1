/// <reference types="node" />
// Helpers for the real-Chromium tests of the script tag and the example sites: waiting for the
// script tag to boot (or failing at once with the reason it did not), watching CSP violations,
// and browsing the example storefront like a visitor.
import type { BrowserContext, Page } from 'playwright-core';
import type { ConsoleRecord } from './harness';

/** `window.crumbtrail` as a test sees it: the stub array before the SDK boots, the tracker after. */
export type ScriptWindow = { crumbtrail?: unknown[] | { push(...calls: unknown[]): number; flush(): Promise<void> } };

/**
 * Waits until the script tag replaced the stub array with the tracker. Fails at once, with the
 * page's own message, when the script threw instead (a bad data-* attribute, or a plugin this
 * build does not have), rather than waiting out a long timeout.
 *
 * @example
 * const log = collectConsole(page);
 * await page.goto(url);
 * await scriptReady(page, log);
 */
export async function scriptReady(page: Page, log: ConsoleRecord, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const thrown = log.pageErrors.find((e) => e.message.startsWith('crumbtrail:'));
    if (thrown) throw new Error(`the script tag did not boot on ${page.url()}: ${thrown.message}`);
    const booted = await page.evaluate(() => {
      const ct = (window as ScriptWindow).crumbtrail;
      return !!ct && !Array.isArray(ct);
    });
    if (booted) return;
    if (Date.now() > deadline) throw new Error(`the script tag did not boot on ${page.url()} within ${timeoutMs} ms`);
    await new Promise((ok) => setTimeout(ok, 25));
  }
}

/** Pushes a stub-style call to the booted script tag and waits for its delivery attempt. */
export function pushAndFlush(page: Page, call: unknown[]): Promise<void> {
  return page.evaluate(async (c) => {
    const ct = (window as ScriptWindow).crumbtrail as { push(...calls: unknown[]): number; flush(): Promise<void> };
    ct.push(c);
    await ct.flush();
  }, call);
}

/**
 * Records Content-Security-Policy violations of every page of the context from its first script
 * on; read them with {@link violations}.
 */
export async function watchCsp(context: BrowserContext): Promise<void> {
  await context.addInitScript(() => {
    const w = window as unknown as { violations: string[] };
    w.violations = [];
    document.addEventListener('securitypolicyviolation', (e) => w.violations.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
}

/** The CSP violations the current document saw so far (`directive blockedURI`). */
export function violations(page: Page): Promise<string[]> {
  return page.evaluate(() => (window as unknown as { violations?: string[] }).violations ?? []);
}

/** What {@link browseStorefront} did, for the test to look for in the collector. */
export interface Visit {
  memberId: string;
  /** CSP violations seen on each page of the visit. */
  violations: string[];
}

/**
 * Browses the example storefront as a visitor: home, the Peak Pro product page (plays its 8 s
 * video to the end at 4× speed), adds it to the cart, checks out, and joins the club. Each page
 * must boot the script tag. Leaves the last page open: closing it sends the exit events.
 */
export async function browseStorefront(page: Page, log: ConsoleRecord, storefront: string): Promise<Visit> {
  const seen: string[] = [];
  const visit = async (path: string) => {
    if (page.url().startsWith('http')) seen.push(...(await violations(page)));
    await page.goto(new URL(path, storefront).href);
    await scriptReady(page, log);
  };
  await visit('/');
  await visit('/product.html?sku=peak-pro');
  await page.evaluate(() => {
    const video = document.querySelector('video')!;
    video.playbackRate = 4;
    return video.play();
  });
  await page.waitForFunction(() => document.querySelector('video')!.ended, undefined, { timeout: 10_000 });
  await page.click('[data-add]');
  await page.waitForSelector('[data-cart-count]:not([hidden])');
  await visit('/cart.html');
  await page.click('[data-checkout]');
  await visit('/signup.html');
  await page.fill('input[name=name]', 'Ada');
  await page.fill('input[name=email]', 'ada@example.com');
  await page.check('input[value=summit]');
  await page.click('button[type=submit]');
  await page.waitForSelector('[data-welcome]:not([hidden])');
  seen.push(...(await violations(page)));
  return { memberId: (await page.textContent('[data-member]')) ?? '', violations: seen };
}

// The example sites under a strict Content-Security-Policy, served by the demo's own server
// (examples/demo.mjs) and reporting to its collector. That the coupon toast is styled under the
// same policy is shown by test/browser/coupon-ui.test.ts.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StoredEvent } from '../../examples/collector/server.mjs';
import { startDemo, type Demo } from '../../examples/demo.mjs';
import { collectConsole, launchBrowser } from './harness';
import { browseStorefront, violations, watchCsp } from './storefront';

const CSP = "script-src 'self'; style-src 'self'";

let browser: Browser;
let demo: Demo;
let dataDir: string;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'crumbtrail-csp-'));
  [browser, demo] = await Promise.all([launchBrowser(), startDemo({ port: 0, collectorPort: 0, dataDir, build: false })]);
});
afterAll(async () => {
  await Promise.all([browser?.close(), demo?.close()]);
  await rm(dataDir, { recursive: true, force: true });
});

const path = (e: StoredEvent) => (e.page as { path: string }).path;
const ofVisitor = (events: StoredEvent[], anonymousId: string) => events.filter((e) => e.anonymousId == anonymousId);
/** The visitor's anonymous id, kept by the SDK in localStorage under `<namespace>:aid`. */
const visitorId = async (page: Page) => {
  const id = await page.evaluate(() => localStorage.getItem('crumbtrail:aid'));
  expect(id).toMatch(/^[0-9a-f-]{36}$/);
  return id!;
};

describe(`the example sites under ${CSP}`, () => {
  it('the storefront records a visit through home, product, cart and sign-up, styled, with no CSP violation', async () => {
    const context = await browser.newContext();
    await watchCsp(context);
    const page = await context.newPage();
    const log = collectConsole(page);
    const policies: string[] = [];
    page.on('response', (r) => r.request().resourceType() == 'document' && policies.push(r.headers()['content-security-policy'] ?? 'none'));

    const visit = await browseStorefront(page, log, demo.urls.storefront);
    // The stylesheet applied: the button has the brand colour, not the browser's grey.
    expect(await page.$eval('.button', (b) => getComputedStyle(b).backgroundColor)).toBe('rgb(15, 118, 110)');
    const anonymousId = await visitorId(page);
    // Closing the tab hides the page: its last events leave by beacon. The context, whose network
    // a closed context tears down with beacons still queued on a loaded machine, stays till the end.
    await page.close();

    expect(policies).toHaveLength(4);
    expect(policies.every((p) => p.startsWith(CSP))).toBe(true);
    expect(visit.violations).toEqual([]);
    expect(log.errors()).toEqual([]);
    const events = await demo.collector.waitForEvents((all) => all.some((e) => e.type == 'page_leave' && path(e) == '/signup.html'), { timeoutMs: 5_000 });
    const mine = ofVisitor(events, anonymousId);
    expect(mine.filter((e) => e.type == 'page_view').map(path)).toEqual(['/', '/product.html', '/cart.html', '/signup.html']);
    expect(mine.find((e) => e.name == 'add_to_cart')!.props).toEqual({ sku: 'peak-pro', size: '42', price: 169 });
    expect(mine.find((e) => e.name == 'checkout_started')!.props).toEqual({ items: 1, total: 169 });
    expect(mine.find((e) => e.type == 'identify')).toMatchObject({ userId: visit.memberId, props: { plan: 'summit', newsletter: true } });
    expect(mine.filter((e) => e.type == 'video_complete').map((e) => (e.props as { videoId: string }).videoId)).toEqual(['peak-pro-spin']);
    // Name and e-mail never left the shop.
    expect(JSON.stringify(mine)).not.toMatch(/ada@example\.com|"Ada"/);
    await context.close();
  });

  it('the SPA routes on the client in one document and records a page view per route, with no CSP violation', async () => {
    const context = await browser.newContext();
    await watchCsp(context);
    const page = await context.newPage();
    const log = collectConsole(page);
    await page.goto(demo.urls.spa);
    await page.waitForFunction(() => 'tracker' in window && document.querySelector('[data-grid] a'));
    // Route changes closer than the plugin's settle time collapse into one view (as redirects
    // should): each step waits for its page view, as a reader would stay a moment.
    await page.evaluate(() => {
      const w = window as unknown as { views: string[]; sameDocument: boolean };
      w.views = [];
      w.sameDocument = true;
      tracker.on('event', (e) => e.type == 'page_view' && w.views.push(e.page.path));
    });
    const viewed = (n: number) => page.waitForFunction((count) => (window as unknown as { views: string[] }).views.length >= count, n);
    await page.click('a[href="/spa/product/peak-pro"]');
    await viewed(1);
    await page.click('[data-add]');
    await page.click('a.cart');
    await page.waitForSelector('[data-cart] li');
    await viewed(2);
    await page.goBack();
    await page.waitForSelector('[data-add]');
    await viewed(3);
    expect(await page.evaluate(() => (window as unknown as { sameDocument?: boolean }).sameDocument)).toBe(true);
    expect(await violations(page)).toEqual([]);
    const anonymousId = await visitorId(page);
    await page.close();

    expect(log.errors()).toEqual([]);
    const isSpa = (e: StoredEvent) => path(e).startsWith('/spa');
    const events = await demo.collector.waitForEvents((all) => all.filter((e) => isSpa(e) && e.type == 'page_leave').length >= 4, { timeoutMs: 5_000 });
    const mine = ofVisitor(events, anonymousId).filter(isSpa);
    expect(mine.filter((e) => e.type == 'page_view').map(path)).toEqual(['/spa/', '/spa/product/peak-pro', '/spa/cart', '/spa/product/peak-pro']);
    expect(mine.find((e) => e.name == 'add_to_cart')).toMatchObject({ props: { sku: 'peak-pro', price: 169 }, page: { path: '/spa/product/peak-pro', title: 'Peak Pro · Fernway Outfitters' } });
    await context.close();
  });
});

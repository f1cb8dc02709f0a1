// The journey view (examples/collector/journey*) after a visitor browsed the example storefront:
// the visitors list, the visitor's trail as a timeline, and crumbs arriving live by Server-Sent
// Events. Saves a screenshot of the trail to test/.artifacts/journey.png to look at.
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemo, type Demo } from '../../examples/demo.mjs';
import { collectConsole, launchBrowser, REPO_ROOT } from './harness';
import { browseStorefront, pushAndFlush } from './storefront';

let browser: Browser;
let demo: Demo;
let dataDir: string;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'crumbtrail-journey-'));
  [browser, demo] = await Promise.all([launchBrowser(), startDemo({ port: 0, collectorPort: 0, dataDir, build: false })]);
});
afterAll(async () => {
  await Promise.all([browser?.close(), demo?.close()]);
  await rm(dataDir, { recursive: true, force: true });
});

describe('the journey view', () => {
  it("lists the visitor and shows their trail through the storefront, updated live as crumbs arrive", async () => {
    const shop = await browser.newContext();
    const shopPage = await shop.newPage();
    const shopLog = collectConsole(shopPage);
    const { memberId } = await browseStorefront(shopPage, shopLog, demo.urls.storefront);
    const anonymousId = (await shopPage.evaluate(() => localStorage.getItem('crumbtrail:aid')))!;
    // Leaving each page sent its crumbs; the sign-up page's wait for its flush.
    await pushAndFlush(shopPage, ['track', 'before_journey']);

    const viewer = await browser.newContext({ viewport: { width: 1000, height: 800 } });
    const page = await viewer.newPage();
    const log = collectConsole(page);
    await page.goto(demo.urls.journey);
    const row = page.locator(`tr[data-visitor="${anonymousId}"]`);
    await row.waitFor({ timeout: 5_000 });
    expect(await row.locator('.badge').textContent()).toBe(memberId);
    expect(await row.locator('td.num').nth(1).textContent()).toBe('4'); // page views
    expect(await row.locator('td.path').textContent()).toBe('/signup.html');

    await row.locator('a').click();
    await page.waitForSelector('.live.on');
    const stops = page.locator('[data-trail] > li.stop');
    await expect.poll(() => stops.evaluateAll((els) => els.map((el) => (el as HTMLElement).dataset.stop))).toEqual([
      '/',
      '/product.html?sku=peak-pro',
      '/cart.html',
      '/signup.html',
    ]);
    expect(await page.textContent('[data-visitor]')).toBe(anonymousId);
    expect(await page.textContent('[data-meta]')).toContain(`identified as ${memberId}`);
    const product = stops.nth(1);
    expect(await product.locator('h2 .title').textContent()).toBe('Peak Pro · Fernway Outfitters');
    expect(await product.locator('.crumb.video').textContent()).toMatch(/^▶️Peak Pro spin: watched 100% \(\d.*s\)$/);
    expect(await product.locator('.crumb.action').textContent()).toContain('add_to_cart sku peak-pro · size 42 · price 169');
    expect(await stops.nth(2).locator('.crumb.action').textContent()).toContain('checkout_started items 1 · total 169');
    expect(await stops.nth(3).locator('.crumb.identify').textContent()).toContain(`Identified as ${memberId}`);
    // Pages already left show how long they were seen, and their vitals.
    for (const i of [0, 1, 2]) {
      expect(await stops.nth(i).locator('[data-kind=dwell]').textContent()).toMatch(/^⏱ Stayed \d.*s · active \d.*s · scrolled \d+%$/);
      const vitals = await stops.nth(i).locator('[data-kind=vital]').allTextContents();
      expect(vitals.map((v) => v.split(' ')[0])).toEqual(expect.arrayContaining(['TTFB', 'FCP', 'LCP']));
    }
    expect(await stops.nth(3).locator('[data-kind=dwell]').count()).toBe(0);

    // Live: a crumb tracked now and the exit of the last page appear without a reload.
    await pushAndFlush(shopPage, ['track', 'live_crumb', { from: 'test' }]);
    await page.locator('.crumb.action', { hasText: 'live_crumb from test' }).waitFor({ timeout: 5_000 });
    await shop.close();
    await stops.nth(3).locator('[data-kind=dwell]').waitFor({ timeout: 5_000 });

    await mkdir(join(REPO_ROOT, 'test/.artifacts'), { recursive: true });
    await page.screenshot({ path: join(REPO_ROOT, 'test/.artifacts/journey.png'), fullPage: true });
    expect(log.errors()).toEqual([]);
    expect(shopLog.errors()).toEqual([]);
    await viewer.close();
  });

  it("shows on a visitor's trail the crumbs that arrived while its live stream was reconnecting", async () => {
    const anonymousId = `restart-${Date.now()}`;
    const post = async (type: string, name?: string) => {
      const event = { id: `${anonymousId}-${type}-${name}`, type, name, ts: Date.now(), anonymousId, page: { url: 'http://shop.test/', path: '/', title: 'Shop', referrer: '' } };
      const res = await fetch(demo.collector.batchUrl, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ v: 1, events: [event] }) });
      expect(res.status).toBe(200);
    };
    await post('page_view');
    const viewer = await browser.newContext();
    const page = await viewer.newPage();
    await page.goto(`${demo.urls.journey}visitor?anonymousId=${anonymousId}`);
    await page.waitForSelector('.live.on');
    await page.waitForSelector('[data-trail] > li.stop');
    // The collector goes away for a moment (a restart); the crumb arrives before the page's
    // EventSource has reconnected.
    await demo.collector.down(200);
    await page.waitForSelector('.live:not(.on)');
    await expect.poll(() => fetch(`${demo.urls.journey}healthz`).then((r) => r.status, () => 0), { interval: 50 }).toBe(200);
    await post('track', 'while_reconnecting');
    await page.waitForSelector('.live.on', { timeout: 10_000 });
    await page.locator('.crumb.action', { hasText: 'while_reconnecting' }).waitFor({ timeout: 5_000 });
    await viewer.close();
  });

  it('lists a visitor whose crumbs arrived while the list\'s live stream was reconnecting', async () => {
    const viewer = await browser.newContext();
    const page = await viewer.newPage();
    await page.goto(demo.urls.journey);
    await page.waitForSelector('.live.on');
    await demo.collector.down(200);
    await page.waitForSelector('.live:not(.on)');
    await expect.poll(() => fetch(`${demo.urls.journey}healthz`).then((r) => r.status, () => 0), { interval: 50 }).toBe(200);
    const anonymousId = `gap-${Date.now()}`;
    const events = [{ id: `${anonymousId}-1`, type: 'page_view', ts: Date.now(), anonymousId }];
    await fetch(demo.collector.batchUrl, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ v: 1, events }) });
    await page.waitForSelector('.live.on', { timeout: 10_000 });
    await page.locator(`tr[data-visitor="${anonymousId}"]`).waitFor({ timeout: 5_000 });
    await viewer.close();
  });

  it('adds a new visitor to the list within 3 s while crumbs keep arriving every 200 ms', async () => {
    const viewer = await browser.newContext();
    const page = await viewer.newPage();
    const log = collectConsole(page);
    await page.goto(demo.urls.journey);
    await page.waitForSelector('.live.on');
    await page.waitForFunction(() => document.querySelector('[data-visitors]')!.hasAttribute('hidden') != document.querySelector('[data-empty]')!.hasAttribute('hidden'));
    // Another visitor's crumbs every 200 ms for 6 s, as on a busy site: the stream never pauses for half a second.
    const anonymousId = `busy-${Date.now()}`;
    let posting = true;
    const posts = (async () => {
      for (let i = 0; posting && i < 30; i++) {
        const events = [{ id: `${anonymousId}-${i}`, type: 'track', name: 'tick', ts: Date.now(), anonymousId }];
        await fetch(demo.collector.batchUrl, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ v: 1, events }) });
        await new Promise((r) => setTimeout(r, 200));
      }
    })();
    try {
      await page.locator(`tr[data-visitor="${anonymousId}"]`).waitFor({ timeout: 3_000 });
    } finally {
      posting = false;
      await posts;
    }
    expect(log.errors()).toEqual([]);
    await viewer.close();
  });
});

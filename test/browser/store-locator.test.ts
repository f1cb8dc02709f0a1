// The store locator example (examples/coupons) as a marketer runs it: served by the demo's own
// server (examples/demo.mjs), reporting to its collector, loading the script-tag build with
// data-plugins="pageviews,geofences,coupons", under a strict Content-Security-Policy.
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, BrowserContextOptions } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StoredEvent } from '../../examples/collector/server.mjs';
import { startDemo, type Demo } from '../../examples/demo.mjs';
import type { Fence } from '../../src/plugins/geo-validate';
import { collectConsole, launchBrowser, REPO_ROOT } from './harness';
import { scriptReady, violations, watchCsp, type ScriptWindow } from './storefront';

const CSP = "script-src 'self'; style-src 'self'";
const { fences } = JSON.parse(readFileSync(join(REPO_ROOT, 'examples/coupons/fences.json'), 'utf8')) as { fences: Fence[] };

let browser: Browser;
let demo: Demo;
let dataDir: string;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'crumbtrail-locator-'));
  [browser, demo] = await Promise.all([launchBrowser(), startDemo({ port: 0, collectorPort: 0, dataDir, build: false })]);
});
afterAll(async () => {
  await Promise.all([browser?.close(), demo?.close()]);
  await rm(dataDir, { recursive: true, force: true });
});

/**
 * A zone where it is midday now: a store's coupon may have activeHours, and the test must not
 * depend on the hour it runs at. (Etc/GMT-3 is three hours ahead of UTC.)
 */
function middayZone(): string {
  const ahead = 12 - new Date().getUTCHours();
  return ahead == 0 ? 'UTC' : `Etc/GMT${ahead > 0 ? '-' : '+'}${Math.abs(ahead)}`;
}

/** A context whose pages get the strict policy on the locator page, as the storefront has it. */
async function strictContext(options: BrowserContextOptions = {}): Promise<BrowserContext> {
  const context = await browser.newContext({ timezoneId: middayZone(), ...options });
  await watchCsp(context);
  await context.route((url) => url.pathname.startsWith('/coupons/'), async (route) => {
    const response = await route.fetch();
    const html = response.headers()['content-type']?.startsWith('text/html');
    await route.fulfill({ response, headers: html ? { ...response.headers(), 'content-security-policy': CSP } : response.headers() });
  });
  return context;
}

describe('the store locator example', () => {
  it('in simulate mode, walks a visitor into a store: one enter, its coupon in a toast, the crumbs at the collector, no CSP violation', async () => {
    const store = fences.find((f) => f.coupon)!;
    const context = await strictContext();
    const page = await context.newPage();
    const log = collectConsole(page);
    await page.goto(`${demo.urls.locator}?simulate=1`);
    await scriptReady(page, log);
    await expect.poll(() => page.locator('#stores h3').allInnerTexts()).toEqual(fences.map((f) => expect.stringContaining(f.name ?? f.id)));
    const anonymousId = await page.evaluate(() => localStorage.getItem('crumbtrail:aid'));

    await page.click('#near');
    await expect.poll(() => page.textContent('#status')).toContain('Looking for offers near you');
    await page.selectOption('#sim-store', store.id);
    // Two fixes inside the fence make an enter; each is fed synchronously by the control.
    await page.fill('#sim-distance', '5');
    await page.fill('#sim-distance', '0');
    const toast = page.getByRole('dialog', { name: store.coupon!.title });
    await toast.waitFor();
    await expect.poll(() => page.locator(`[data-fence="${store.id}"]`).getAttribute('class')).toBe('inside');
    await page.keyboard.press('Escape');
    await expect.poll(() => toast.count()).toBe(0);
    await page.fill('#sim-distance', '300');
    await page.evaluate(() => ((window as ScriptWindow).crumbtrail as { flush(): Promise<void> }).flush());

    const mine = (all: StoredEvent[]) => all.filter((e) => e.anonymousId == anonymousId && e.type != 'page_view' && e.type != 'page_leave' && e.type != 'page_ping');
    const events = mine(await demo.collector.waitForEvents((all) => mine(all).length >= 4, { timeoutMs: 5_000 }));
    expect(events.map((e) => [e.type, (e.props as { fenceId: string }).fenceId])).toEqual([
      ['geofence_enter', store.id],
      ['coupon_shown', store.id],
      ['coupon_dismissed', store.id],
      ['geofence_exit', store.id],
    ]);
    expect(await violations(page)).toEqual([]);
    expect(log.errors()).toEqual([]);
    await context.close();
  });

  it('in simulate mode, shows a store coupon again on the next walk in after "Forget shown coupons", without a reload', async () => {
    const store = fences.find((f) => f.coupon && !f.dwellMs)!;
    const context = await strictContext();
    const page = await context.newPage();
    const log = collectConsole(page);
    await page.goto(`${demo.urls.locator}?simulate=1`);
    await scriptReady(page, log);
    await page.click('#near');
    await expect.poll(() => page.textContent('#status')).toContain('Looking for offers near you');
    await page.selectOption('#sim-store', store.id);
    const toast = page.getByRole('dialog', { name: store.coupon!.title });
    for (const visit of [1, 2]) {
      await page.fill('#sim-distance', '5');
      await page.fill('#sim-distance', '0');
      await toast.waitFor({ timeout: 5_000 }).catch(() => {
        throw new Error(`no coupon on walk-in ${visit}`);
      });
      await page.keyboard.press('Escape');
      await expect.poll(() => toast.count()).toBe(0);
      await page.fill('#sim-distance', '300');
      await expect.poll(() => page.locator(`[data-fence="${store.id}"]`).getAttribute('class')).toBe('');
      await page.click('#sim-reset');
    }
    expect(log.errors()).toEqual([]);
    await context.close();
  });

  it('without simulate mode, asks for nothing on load and reports a refused location in words, the page still working', async () => {
    const context = await strictContext();
    const page = await context.newPage();
    const log = collectConsole(page);
    await page.goto(demo.urls.locator);
    await scriptReady(page, log);
    expect(await page.isHidden('#simulator')).toBe(true);
    expect(await page.evaluate(() => navigator.geolocation instanceof Geolocation)).toBe(true);
    expect(await page.textContent('#status')).toContain('only when you press the button');

    // No permission was granted to this context: Chromium refuses at once.
    await page.click('#near');
    await expect.poll(() => page.textContent('#status')).toContain('Location is blocked for this site');
    expect(await page.locator('#stores li').count()).toBe(fences.length);
    expect(await violations(page)).toEqual([]);
    expect(log.errors()).toEqual([]);
    await context.close();
  });
});

import type { Browser, BrowserContextOptions, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Collector, StoredEvent } from '../../examples/collector/server.mjs';
import { collectConsole, launchBrowser, startSite, startTestCollector, type Site } from './harness';

let browser: Browser;
let site: Site;
let collector: Collector;

const CSP = "script-src 'self'; style-src 'self'";
const EVIL = '<img src=x onerror=alert(1)>';

// The page's own theme, from a stylesheet the CSP allows: the toast must pick these up.
const theme = ':root { --crumbtrail-coupon-bg: rgb(250, 240, 200); --crumbtrail-coupon-accent: rgb(120, 20, 60); }';
// Runs first, so that it sees every CSP violation of the page.
const watch = `window.violations = [];
addEventListener('securitypolicyviolation', (e) => violations.push(e.violatedDirective + ' ' + e.blockedURI));`;
const page = (collectorUrl: string, ns: string) => `<!doctype html><html><head><title>Coupons</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<script src="/watch.js"></script>
<link rel="stylesheet" href="/theme.css">
<script async src="/dist/crumbtrail.min.js" data-collector="${collectorUrl}" data-plugins="coupons" data-namespace="${ns}" data-flush-interval="100"></script>
</head><body><h1>Stores</h1><button id="near">Show offers near me</button></body></html>`;

beforeAll(async () => {
  [browser, collector] = await Promise.all([launchBrowser(), startTestCollector()]);
  // The offer is a page of the same shop: like every page of a site with crumbtrail, it delivers
  // what the previous page left in the queue when the visitor followed a link.
  const offerPage = `<!doctype html><title>Offer</title><script async src="/dist/crumbtrail.min.js" data-collector="${collector.batchUrl}" data-namespace="click" data-flush-interval="100"></script><p>offer</p>`;
  const pages: Record<string, string> = { '/watch.js': watch, '/theme.css': theme, '/offer.html': offerPage };
  const headers: Record<string, Record<string, string>> = {};
  for (const ns of ['xss', 'csp', 'keys', 'click', 'narrow', 'contrast']) {
    pages[`/${ns}.html`] = page(collector.batchUrl, ns);
    headers[`/${ns}.html`] = { 'Content-Security-Policy': CSP };
  }
  site = await startSite({ pages, headers });
});
afterAll(async () => {
  await Promise.all([browser?.close(), site?.close(), collector?.close()]);
});

async function open(ns: string, options: BrowserContextOptions = {}) {
  const context = await browser.newContext(options);
  const p = await context.newPage();
  const log = collectConsole(p);
  const alerts: string[] = [];
  p.on('dialog', (d) => {
    alerts.push(d.message());
    void d.dismiss();
  });
  await p.goto(`${site.url}/${ns}.html`);
  await p.waitForFunction(() => typeof (window as unknown as { crumbtrail: { track?: unknown } }).crumbtrail.track == 'function');
  return { context, page: p, log, alerts };
}

// What the geofences plugin dispatches on an enter; here the test plays its part.
const offer = (p: Page, coupon: object, fenceId = 'kadikoy') =>
  p.evaluate(([coupon, id]) => {
    dispatchEvent(new CustomEvent('crumbtrail:coupon', { detail: { fence: { id, lat: 40.99, lng: 29.03, radius: 50 }, coupon } }));
  }, [coupon, fenceId] as const);

// In the order the page recorded them: batches may reach the collector out of order (the click's
// event can leave by beacon as the page navigates, before the batch holding coupon_shown).
const couponEvents = (ns: string) => (all: StoredEvent[]) =>
  all
    .filter((e) => e.type.startsWith('coupon_') && (e.page as { path: string }).path == `/${ns}.html`)
    .sort((a, b) => a.ts - b.ts || (a.seq as number) - (b.seq as number));

describe('the coupon toast in real Chromium', () => {
  it('shows a coupon whose text is markup as that text, loading nothing and running nothing', async () => {
    const { context, page: p, alerts } = await open('xss');
    const requests: string[] = [];
    p.on('request', (r) => requests.push(r.url()));
    await offer(p, { title: EVIL, text: EVIL, code: EVIL, url: 'javascript:alert(2)' });
    const dialog = p.getByRole('dialog');
    await expect.poll(() => dialog.count()).toBe(1);
    expect(await dialog.getByRole('heading').innerText()).toBe(EVIL);
    expect(await dialog.locator('p').first().innerText()).toBe(EVIL);
    expect(await dialog.locator('b').innerText()).toBe(EVIL);
    expect(await dialog.locator('img, script, a').count()).toBe(0);
    // An injected image would have been requested (and its onerror run) by now.
    await p.evaluate(() => new Promise((ok) => requestAnimationFrame(() => requestAnimationFrame(ok))));
    expect(requests.filter((u) => u.endsWith('/x'))).toEqual([]);
    expect(alerts).toEqual([]);
    await context.close();
  });

  it('renders the toast styled and themed under script-src and style-src self, with no CSP violation', async () => {
    const { context, page: p, log } = await open('csp');
    await offer(p, { title: '10 % off today', text: 'Show this at the till.', code: 'SUMMER10', url: '/offer.html' });
    const dialog = p.getByRole('dialog', { name: '10 % off today' });
    await dialog.waitFor();
    const style = await dialog.evaluate((el) => {
      const s = getComputedStyle(el);
      return { position: s.position, background: s.backgroundColor, link: getComputedStyle(el.querySelector('a')!).backgroundColor };
    });
    expect(style).toEqual({ position: 'fixed', background: 'rgb(250, 240, 200)', link: 'rgb(120, 20, 60)' });
    expect(await p.evaluate(() => (window as unknown as { violations: string[] }).violations)).toEqual([]);
    expect(log.messages.filter((m) => /Content.Security.Policy|Refused/i.test(m.text))).toEqual([]);
    expect(log.errors()).toEqual([]);
    await context.close();
  });

  it('keeps an edge around the toast in forced colors (Windows high contrast), which drop its shadow and paint it in the page background', async () => {
    const { context, page: p } = await open('contrast', { forcedColors: 'active' });
    await offer(p, { title: 'Free coffee', text: 'Show this at the till.', code: 'BEAN' });
    const dialog = p.getByRole('dialog', { name: 'Free coffee' });
    await dialog.waitFor();
    const edge = await dialog.evaluate((el) => {
      const s = getComputedStyle(el);
      return { shadow: s.boxShadow, style: s.borderTopStyle, width: s.borderTopWidth, differs: s.borderTopColor != s.backgroundColor };
    });
    expect(edge).toEqual({ shadow: 'none', style: 'solid', width: '1px', differs: true });
    await context.close();
  });

  it('takes focus, closes on Escape, gives focus back, and coupon_shown and coupon_dismissed reach the collector', async () => {
    const { context, page: p, log } = await open('keys');
    await p.focus('#near');
    await offer(p, { title: 'Free coffee', code: 'BEAN' });
    await p.getByRole('dialog', { name: 'Free coffee' }).waitFor();
    expect(await p.evaluate(() => document.activeElement!.shadowRoot?.activeElement?.getAttribute('role'))).toBe('dialog');
    await p.keyboard.press('Tab');
    expect(await p.evaluate(() => document.activeElement!.shadowRoot?.activeElement?.getAttribute('aria-label'))).toBe('Close');
    await p.keyboard.press('Escape');
    await expect.poll(() => p.getByRole('dialog').count()).toBe(0);
    expect(await p.evaluate(() => document.activeElement!.id)).toBe('near');

    const events = couponEvents('keys')(await collector.waitForEvents((all) => couponEvents('keys')(all).length >= 2));
    expect(events.map((e) => [e.type, e.props])).toEqual([
      ['coupon_shown', { fenceId: 'kadikoy', code: 'BEAN' }],
      ['coupon_dismissed', { fenceId: 'kadikoy', code: 'BEAN' }],
    ]);
    expect(log.errors()).toEqual([]);
    await context.close();
  });

  it('follows the offer link and coupon_clicked reaches the collector', async () => {
    const { context, page: p } = await open('click');
    await offer(p, { title: '10 % off today', code: 'SUMMER10', url: '/offer.html' }, 'moda');
    await Promise.all([p.waitForURL(`${site.url}/offer.html`), p.getByRole('link', { name: 'See the offer' }).click()]);

    const events = couponEvents('click')(await collector.waitForEvents((all) => couponEvents('click')(all).length >= 2));
    expect(events.map((e) => [e.type, e.props])).toEqual([
      ['coupon_shown', { fenceId: 'moda', code: 'SUMMER10' }],
      ['coupon_clicked', { fenceId: 'moda', code: 'SUMMER10' }],
    ]);
    await context.close();
  });

  it('fits a 320 px wide screen with its close button in reach', async () => {
    const { context, page: p } = await open('narrow', { viewport: { width: 320, height: 568 }, isMobile: true, hasTouch: true });
    await offer(p, { title: 'Summer sale: 10 % off every pair of trail shoes today', text: 'Show this code at the till before you pay.', code: 'SUMMER10-KADIKOY', url: '/offer.html' });
    const dialog = p.getByRole('dialog');
    await dialog.waitFor();
    const box = (await dialog.boundingBox())!;
    expect(box.x).toBeGreaterThanOrEqual(0);
    expect(box.x + box.width).toBeLessThanOrEqual(320);
    expect(box.y + box.height).toBeLessThanOrEqual(568);
    const close = (await dialog.getByRole('button', { name: 'Close' }).boundingBox())!;
    expect(close.x + close.width).toBeLessThanOrEqual(320);
    expect(close.width).toBeGreaterThanOrEqual(44);
    await dialog.getByRole('button', { name: 'Close' }).tap();
    await expect.poll(() => dialog.count()).toBe(0);
    await context.close();
  });
});

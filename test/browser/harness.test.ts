// Proves the real-browser harness: Debian Chromium starts, the static site serves what tests need,
// and a page's fetch and beacons reach the example collector across origins.
import { request } from 'node:http';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Collector } from '../../examples/collector/server.mjs';
import {
  collectConsole,
  launchBrowser,
  readIndexedDBCount,
  startSite,
  startTestCollector,
  type Site,
  type SiteOptions,
} from './harness';

let browser: Browser;
let context: BrowserContext;
let collector: Collector;
const sites: Site[] = [];

beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});
beforeEach(async () => {
  context = await browser.newContext();
  collector = await startTestCollector();
});
afterEach(async () => {
  await context.close();
  await collector.close();
  await Promise.all(sites.splice(0).map((s) => s.close()));
});

async function site(options: SiteOptions): Promise<Site> {
  const s = await startSite(options);
  sites.push(s);
  return s;
}

/** An inline script defining `batch(id)`: a minimal valid wire batch holding one event. */
function pageWith(script: string): string {
  return `<!doctype html><title>harness</title><script>
    const collectorUrl = ${JSON.stringify(collector.batchUrl)};
    const batch = (id) => JSON.stringify({ v: 1, sentAt: new Date().toISOString(),
      sdk: { name: 'harness', version: '0' },
      events: [{ id, type: 'track', name: id, ts: Date.now(), seq: 1, anonymousId: 'harness',
        sessionId: 'harness-session', page: { url: location.href, path: location.pathname,
        title: document.title, referrer: '' }, context: {}, props: {} }] });
    const beacon = (id) => navigator.sendBeacon(collectorUrl, new Blob([batch(id)], { type: 'text/plain' }));
    ${script}
  </script>`;
}

describe('the browser harness', () => {
  it('delivers a preflighted JSON fetch and a text/plain beacon from a page to a collector on another origin', async () => {
    const s = await site({
      pages: {
        '/index.html': pageWith(`
          window.results = { beacon: beacon('beacon-1') };
          fetch(collectorUrl, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: batch('fetch-1') })
            .then((r) => r.json()).then((body) => (window.results.fetch = body), (e) => (window.results.fetch = String(e)));`),
      },
    });
    const page = await context.newPage();
    const log = collectConsole(page);
    await page.goto(`${s.url}/`);
    const events = await collector.waitForEvents(2);
    expect(events.map((e) => e.id).sort()).toEqual(['beacon-1', 'fetch-1']);
    await page.waitForFunction(() => (window as unknown as { results: { fetch?: unknown } }).results.fetch !== undefined);
    // The answer is readable cross-origin: CORS headers are right.
    expect(await page.evaluate(() => (window as unknown as { results: unknown }).results)).toEqual({
      beacon: true,
      fetch: { accepted: 1, duplicates: 0 },
    });
    const types = Object.fromEntries(collector.raw().map((r) => [r.ids[0], r.contentType]));
    expect(types).toEqual({ 'beacon-1': 'text/plain', 'fetch-1': 'application/json' });
    expect(log.errors()).toEqual([]);
  });

  it('delivers a beacon sent right before the page is closed', async () => {
    const s = await site({ pages: { '/index.html': pageWith('') } });
    const page = await context.newPage();
    await page.goto(`${s.url}/index.html`);
    expect(await page.evaluate(`beacon('closing-1')`)).toBe(true);
    await page.close();
    expect((await collector.waitForEvents(1)).map((e) => e.id)).toEqual(['closing-1']);
  });

  it('delivers a beacon sent from pagehide when the page is closed', async () => {
    const s = await site({ pages: { '/index.html': pageWith(`addEventListener('pagehide', () => beacon('pagehide-1'));`) } });
    const page = await context.newPage();
    await page.goto(`${s.url}/index.html`);
    await page.close();
    expect((await collector.waitForEvents(1)).map((e) => e.id)).toEqual(['pagehide-1']);
  });

  it('sends per-path headers, so a Content-Security-Policy can block the collector', async () => {
    const s = await site({
      pages: { '/csp.html': pageWith(`fetch(collectorUrl, { method: 'POST', body: batch('blocked-1') }).catch(() => console.log('fetch refused'));`) },
      headers: { '/csp.html': { 'Content-Security-Policy': "connect-src 'self'" } },
    });
    const page = await context.newPage();
    const log = collectConsole(page);
    await page.goto(`${s.url}/csp.html`);
    await expect.poll(() => log.messages.some((m) => m.text === 'fetch refused')).toBe(true);
    expect(log.errors().join('\n')).toContain('Content Security Policy');
    expect(log.errors(/Content Security Policy/)).toEqual([]);
    expect(collector.raw()).toEqual([]);
  });

  it('records console errors and uncaught exceptions with collectConsole', async () => {
    const s = await site({ pages: { '/index.html': `<script>console.error('boom'); setTimeout(() => { throw new Error('late'); });</script>` } });
    const page = await context.newPage();
    const log = collectConsole(page);
    await page.goto(`${s.url}/index.html`);
    await expect.poll(() => log.pageErrors.length).toBe(1);
    expect(log.errors()).toEqual(['late', 'boom']);
    expect(log.errors(/boom/)).toEqual(['late']);
  });

  it('counts IndexedDB records, and reads a missing database as 0 without creating it', async () => {
    const s = await site({
      pages: {
        '/index.html': `<script>
          window.ready = new Promise((ok) => {
            const open = indexedDB.open('crumbs');
            open.onupgradeneeded = () => open.result.createObjectStore('events');
            open.onsuccess = () => {
              const tx = open.result.transaction('events', 'readwrite');
              for (const k of ['a', 'b', 'c']) tx.objectStore('events').put({ k }, k);
              tx.oncomplete = () => { open.result.close(); ok(); };
            };
          });</script>`,
      },
    });
    const page = await context.newPage();
    await page.goto(`${s.url}/index.html`);
    await page.evaluate(() => (window as unknown as { ready: Promise<void> }).ready);
    expect(await readIndexedDBCount(page, 'crumbs', 'events')).toBe(3);
    expect(await readIndexedDBCount(page, 'crumbs', 'missing-store')).toBe(0);
    expect(await readIndexedDBCount(page, 'nope', 'events')).toBe(0);
    expect(await page.evaluate(async () => (await indexedDB.databases()).map((d) => d.name))).toEqual(['crumbs']);
  });
});

describe('the static site', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'crumbtrail-site-'));
    await mkdir(join(dir, 'shop'));
    await writeFile(join(dir, 'shop', 'index.html'), '<h1>shop</h1>');
    await writeFile(join(dir, 'app.mjs'), 'export {};');
    await writeFile(join(dir, 'clip.webm'), Buffer.alloc(1000, 7));
    await writeFile(join(dir, 'fences.json'), '[]');
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  /** A raw GET, so paths like /../ reach the server unnormalised. */
  function get(url: string, path: string, headers: Record<string, string> = {}) {
    return new Promise<{ status: number; headers: Record<string, unknown>; body: string }>((ok, fail) => {
      const req = request(`${url}${path}`, { headers }, (res) => {
        let body = '';
        res.setEncoding('latin1');
        res.on('data', (d) => (body += d));
        res.on('end', () => ok({ status: res.statusCode!, headers: res.headers, body }));
      });
      req.on('error', fail);
      req.end();
    });
  }

  it('serves mounted files with their content types, and a directory by its index.html', async () => {
    const s = await site({ mounts: { '/': dir } });
    expect((await get(s.url, '/app.mjs')).headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect((await get(s.url, '/fences.json')).headers['content-type']).toBe('application/json; charset=utf-8');
    expect((await get(s.url, '/clip.webm')).headers['content-type']).toBe('video/webm');
    const shop = await get(s.url, '/shop/');
    expect([shop.status, shop.body, shop.headers['content-type']]).toEqual([200, '<h1>shop</h1>', 'text/html; charset=utf-8']);
    expect((await get(s.url, '/missing.js')).status).toBe(404);
  });

  it('answers byte ranges with 206, as a video element needs to seek', async () => {
    const s = await site({ mounts: { '/media': dir } });
    const part = await get(s.url, '/media/clip.webm', { Range: 'bytes=100-199' });
    expect([part.status, part.headers['content-range'], part.body.length]).toEqual([206, 'bytes 100-199/1000', 100]);
    expect((await get(s.url, '/media/clip.webm', { Range: 'bytes=-10' })).headers['content-range']).toBe('bytes 990-999/1000');
    expect((await get(s.url, '/media/clip.webm', { Range: 'bytes=5000-' })).status).toBe(416);
  });

  it('never serves a file outside its mount', async () => {
    // Next to the mount, in this test's own folder (not a shared /tmp path another run may remove).
    await writeFile(join(dir, 'outside.txt'), 'secret');
    const s = await site({ mounts: { '/shop/': join(dir, 'shop') } });
    for (const path of ['/shop/../app.mjs', '/shop/%2e%2e/app.mjs', '/shop/..%2foutside.txt', '/shop/%2e%2e%2foutside.txt']) {
      expect((await get(s.url, path)).status, path).toBe(404);
    }
    await rm(join(dir, 'outside.txt'));
  });

  it('serves in-memory pages first, with headers for one path or for all', async () => {
    const s = await site({
      mounts: { '/': dir },
      pages: { '/app.mjs': 'export const fromMemory = true;', '/checkout': '<p>pay</p>' },
      headers: { '*': { 'X-Test': 'all' }, '/checkout': { 'Content-Security-Policy': "default-src 'self'" } },
    });
    const app = await get(s.url, '/app.mjs');
    expect([app.body, app.headers['x-test'], app.headers['content-security-policy']]).toEqual(['export const fromMemory = true;', 'all', undefined]);
    const checkout = await get(s.url, '/checkout');
    expect([checkout.headers['content-type'], checkout.headers['content-security-policy']]).toEqual(['text/html; charset=utf-8', "default-src 'self'"]);
  });
});

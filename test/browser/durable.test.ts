import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Collector } from '../../examples/collector/server.mjs';
import { collectConsole, launchBrowser, readIndexedDBCount, startSite, startTestCollector, type Site } from './harness';
import { esmPage, NODE_MODULES, openPage, pageUrl } from './pages';

// Delivery promise in real Chromium against the real collector (ARCHITECTURE.md): at-least-once,
// deleted only after 2xx, one flusher across tabs, nothing lost at exit.

let browser: Browser;
let site: Site;
let collector: Collector;

// Counts IndexedDB read-write transactions and records the ids each tab POSTs with fetch.
const INSTRUMENT = `
window.idbWrites = 0;
const tx = IDBDatabase.prototype.transaction;
IDBDatabase.prototype.transaction = function (names, mode, ...rest) {
  if (mode == 'readwrite') window.idbWrites++;
  return tx.call(this, names, mode, ...rest);
};
window.fetchedIds = []; window.fetchTimes = [];
const f = window.fetch;
window.fetch = function (url, init) {
  if (init && typeof init.body == 'string' && init.body.startsWith('{"v":1')) {
    window.fetchTimes.push(Date.now());
    window.fetchedIds.push(...JSON.parse(init.body).events.map((e) => e.id));
  }
  return f.apply(this, arguments);
};`;

beforeAll(async () => {
  [browser, collector] = await Promise.all([launchBrowser(), startTestCollector()]);
  site = await startSite({
    mounts: NODE_MODULES,
    pages: {
      '/page.html': esmPage(),
      '/other.html': esmPage('', 'Other page'),
      // beaconTransport as the only transport.
      '/beacon.html': esmPage().replace('{ collector: q.get(\'c\'),', '{ transport: crumbtrail.beaconTransport({ url: q.get(\'c\') }),'),
      // A consent manager that grants, at once, what the tracker was started without.
      '/regrant.html': esmPage(`tracker.setConsent('granted'); window.firstId = tracker.track('first_view');`),
      '/sandboxed.html': `<!doctype html><iframe sandbox="allow-scripts" src="${pageUrl('', '/page.html', collector.batchUrl, { namespace: 'sandbox' })}"></iframe>`,
      '/invoice.csv': 'item,price\npeak-pro,169\n',
    },
    // A sandboxed iframe has an opaque origin: its module scripts are CORS requests.
    headers: { '*': { 'Access-Control-Allow-Origin': '*' }, '/invoice.csv': { 'Content-Disposition': 'attachment; filename="invoice.csv"' } },
  });
});
afterEach(() => {
  collector.configure({ failRate: 0, status: null, latencyMs: 0 });
});
afterAll(async () => {
  await Promise.all([browser?.close(), site?.close(), collector?.close()]);
});

const url = (ns: string, options: object = {}, path = '/page.html') => pageUrl(site.url, path, collector.batchUrl, { namespace: ns, ...options });
const arrived = (ids: string[]) => {
  const have = new Set(collector.events().map((e) => e.id));
  return ids.filter((id) => have.has(id)).length;
};
const waitAll = (ids: string[], timeoutMs = 30_000) =>
  collector.waitForEvents(() => arrived(ids) == ids.length, { timeoutMs }).catch(() => {
    throw new Error(`only ${arrived(ids)} of ${ids.length} events arrived`);
  });
const trackMany = (page: Page, n: number, name = 'bulk', pad = 0) =>
  page.evaluate(
    ([n, name, pad]) => Array.from({ length: n }, (_, i) => tracker.track(name, { i, pad: 'x'.repeat(pad) })),
    [n, name, pad] as const,
  );
// The ids in every exit stash of a namespace (each page has its own key).
const stashedIds = (page: Page, ns: string) =>
  page.evaluate((ns) => {
    const keys = Object.keys(localStorage).filter((k) => k.startsWith(ns + ':stash'));
    return keys.flatMap((k) => JSON.parse(localStorage.getItem(k)!).map((r: { e: { id: string } }) => r.e.id));
  }, ns);
const postsPerId = (okOnly = false) => {
  const counts = new Map<string, number>();
  for (const p of collector.raw()) if (!okOnly || p.status < 300) for (const id of p.ids) counts.set(id, (counts.get(id) || 0) + 1);
  return counts;
};

describe('durable delivery in real Chromium', () => {
  it('persists 1,000 events tracked in one tick in a handful of IndexedDB writes, and delivers all', async () => {
    const context = await browser.newContext();
    await context.addInitScript(INSTRUMENT);
    const { page } = await openPage(browser, url('bulk', { batch: { flushIntervalMs: 60_000 } }), context);
    const writesBefore = await page.evaluate(() => (window as unknown as { idbWrites: number }).idbWrites);
    const ids = await trackMany(page, 1000);
    await page.waitForFunction(() => tracker.status().length == 1000);
    const writes = (await page.evaluate(() => (window as unknown as { idbWrites: number }).idbWrites)) - writesBefore;
    console.log(`1,000 track() calls in one tick: ${writes} IndexedDB read-write transactions`);
    expect(writes).toBeLessThanOrEqual(5);
    await page.evaluate(() => tracker.flush());
    await waitAll(ids);
    expect(await readIndexedDBCount(page, 'bulk', 'events')).toBe(0);
    await context.close();
  });

  it('delivers every event after the collector refused connections for 10 s, backing off meanwhile', async () => {
    const context = await browser.newContext();
    await context.addInitScript(INSTRUMENT);
    const { page } = await openPage(browser, url('down', { batch: { flushIntervalMs: 200 } }), context);
    const down = collector.down(10_000);
    await down;
    const ids = await trackMany(page, 50, 'during_outage');
    await page.waitForTimeout(10_500);
    await waitAll(ids, 40_000);
    const times = await page.evaluate(() => (window as unknown as { fetchTimes: number[] }).fetchTimes);
    const gaps = times.slice(1).map((t, i) => t - times[i]);
    console.log(`attempt gaps during the outage (ms): ${gaps.join(', ')}`);
    // Full jitter, never under 1 s: at most ~11 attempts in 10 s, not hundreds.
    expect(times.length).toBeLessThan(15);
    expect(Math.min(...gaps.slice(0, -1))).toBeGreaterThanOrEqual(990);
    await context.close();
  });

  it('delivers every event while the collector fails 30 % of requests with 500, 503 and 429', async () => {
    collector.configure({ failRate: 0.3, failStatuses: [500, 503, 429] });
    const { context, page } = await openPage(browser, url('flaky', { batch: { maxEvents: 10, flushIntervalMs: 100 } }));
    const ids = await trackMany(page, 200, 'flaky');
    await waitAll(ids, 60_000);
    const failed = collector.raw().filter((p) => p.status >= 400 && p.ids.some((id) => ids.includes(id))).length;
    console.log(`flaky collector: ${failed} failed POSTs, all 200 events arrived`);
    expect(failed).toBeGreaterThan(0);
    await context.close();
  });

  for (const how of ['by the page (location.reload)', 'by the browser (reload button)'] as const) {
    it(`delivers every event when the page is reloaded ${how} in the middle of a flush, 5 times in a row`, async () => {
      collector.configure({ latencyMs: 300 });
      const ns = how.startsWith('by the page') ? 'reload-page' : 'reload-ui';
      const { context, page } = await openPage(browser, url(ns, { batch: { maxEvents: 20, flushIntervalMs: 0 } }));
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) {
        ids.push(...(await trackMany(page, 60, `reload${i}`)));
        await page.waitForTimeout(150);
        if (ns == 'reload-page') {
          await Promise.all([page.waitForNavigation(), page.evaluate(() => location.reload())]);
        } else await page.reload();
        await page.waitForFunction(() => (window as unknown as { ready?: boolean }).ready);
      }
      collector.configure({ latencyMs: 0 });
      await page.evaluate(() => tracker.flush());
      await waitAll(ids);
      const counts = postsPerId();
      const dupes = ids.filter((id) => (counts.get(id) || 0) > 1).length;
      console.log(`reloads ${how} mid-flush: ${ids.length} events, ${dupes} POSTed more than once (the collector stored each once)`);
      expect(collector.events().filter((e) => ids.includes(e.id))).toHaveLength(ids.length);
      // A page-initiated reload leaves stored events to the next page: only the batch in flight
      // at each reload (20 events) can arrive twice.
      if (ns == 'reload-page') expect(dupes).toBeLessThanOrEqual(5 * 20);
      await context.close();
    });
  }

  it('lets only one of two tabs send: 500 events each arrive, none POSTed by both', async () => {
    const context = await browser.newContext();
    await context.addInitScript(INSTRUMENT);
    const opts = { batch: { maxEvents: 50, flushIntervalMs: 50 } };
    const [a, b] = await Promise.all([openPage(browser, url('tabs', opts), context), openPage(browser, url('tabs', opts, '/other.html'), context)]);
    const [idsA, idsB] = await Promise.all([trackMany(a.page, 500, 'tabA'), trackMany(b.page, 500, 'tabB')]);
    await waitAll([...idsA, ...idsB]);
    const [sentA, sentB] = await Promise.all(
      [a.page, b.page].map((p) => p.evaluate(() => (window as unknown as { fetchedIds: string[] }).fetchedIds)),
    );
    const both = sentA.filter((id) => new Set(sentB).has(id));
    console.log(`two tabs: tab A POSTed ${sentA.length} ids, tab B ${sentB.length}, both: ${both.length}`);
    expect(both).toEqual([]);
    expect(sentA.length + sentB.length).toBeGreaterThanOrEqual(1000);
    await context.close();
  });

  it('sends a 200 KB backlog that only memory holds at exit in split beacons, and stashes it for the next visit', async () => {
    const context = await browser.newContext();
    // IndexedDB blocked: the queue falls back to memory, so the whole backlog is at risk at exit.
    await context.addInitScript(() => {
      IDBFactory.prototype.open = () => {
        throw new DOMException('blocked by the test', 'SecurityError');
      };
    });
    collector.configure({ status: 503 });
    const { page } = await openPage(browser, url('backlog', { batch: { flushIntervalMs: 60_000 } }), context);
    const ids = await trackMany(page, 100, 'backlog', 2000);
    await page.evaluate(() => tracker.flush());
    expect(await page.evaluate(() => tracker.status())).toMatchObject({ storage: 'memory', length: 100 });
    collector.configure({ status: null });
    const since = collector.raw().length;
    await page.close({ runBeforeUnload: true });
    await new Promise((r) => setTimeout(r, 1000));
    const exitPosts = collector.raw().slice(since).filter((p) => p.contentType?.startsWith('text/plain'));
    const before = arrived(ids);
    console.log(`200 KB backlog at exit: ${exitPosts.length} text/plain POSTs of ${exitPosts.map((p) => p.bytes).join(', ')} bytes; ${before} of 100 events arrived at exit`);
    expect(exitPosts.length).toBeGreaterThan(0);
    for (const p of exitPosts) expect(p.bytes).toBeLessThanOrEqual(65_536);
    expect(before).toBeGreaterThan(0);
    const next = await context.newPage();
    await next.goto(url('backlog', { batch: { flushIntervalMs: 0 } }));
    await waitAll(ids);
    await context.close();
  });

  it('merges on the next visit the stashes of two tabs closed at the same moment while the collector failed', async () => {
    const context = await browser.newContext();
    // IndexedDB blocked: each tab's queue is in memory, so the stash is all that outlives it.
    await context.addInitScript(() => {
      IDBFactory.prototype.open = () => {
        throw new DOMException('blocked by the test', 'SecurityError');
      };
    });
    collector.configure({ status: 503 });
    const opts = { batch: { flushIntervalMs: 60_000 } };
    const [a, b] = await Promise.all([openPage(browser, url('two-stash', opts), context), openPage(browser, url('two-stash', opts, '/other.html'), context)]);
    const ids = (await Promise.all([trackMany(a.page, 5, 'tabA'), trackMany(b.page, 5, 'tabB')])).flat();
    await Promise.all([a.page, b.page].map((p) => p.evaluate(() => tracker.flush())));
    await Promise.all([a.page, b.page].map((p) => p.close({ runBeforeUnload: true })));
    await new Promise((r) => setTimeout(r, 500));
    collector.configure({ status: null });
    const next = await context.newPage();
    await next.goto(url('two-stash', { batch: { flushIntervalMs: 0 } }));
    await waitAll(ids, 10_000);
    await context.close();
  });

  it('sends what fits of a 200 KB IndexedDB backlog by beacon when the tab closes, and the rest on the next visit', async () => {
    const context = await browser.newContext();
    collector.configure({ status: 503 });
    const { page } = await openPage(browser, url('idb-backlog', { batch: { flushIntervalMs: 60_000 } }), context);
    const ids = await trackMany(page, 100, 'idb_backlog', 2000);
    await page.evaluate(() => tracker.flush());
    expect(await readIndexedDBCount(page, 'idb-backlog', 'events')).toBe(100);
    collector.configure({ status: null });
    const since = collector.raw().length;
    await page.close({ runBeforeUnload: true });
    await new Promise((r) => setTimeout(r, 1000));
    const exitPosts = collector.raw().slice(since).filter((p) => p.contentType?.startsWith('text/plain'));
    const atExit = arrived(ids);
    console.log(`200 KB IndexedDB backlog at tab close: ${exitPosts.length} beacon(s) of ${exitPosts.map((p) => p.bytes).join(', ')} bytes carried ${atExit} events`);
    expect(exitPosts.length).toBeGreaterThan(0);
    for (const p of exitPosts) expect(p.bytes).toBeLessThanOrEqual(65_536);
    const next = await context.newPage();
    await next.goto(url('idb-backlog', { batch: { flushIntervalMs: 0 } }, '/other.html'));
    await waitAll(ids);
    const delivered = postsPerId(true);
    expect(ids.filter((id) => (delivered.get(id) || 0) > 2)).toEqual([]);
    await context.close();
  });

  it('beacons its stored events when the tab closes a while after a same-origin download link, which did not unload the page', async () => {
    const context = await browser.newContext({ acceptDownloads: true });
    const { page } = await openPage(browser, url('download', { batch: { flushIntervalMs: 60_000 } }), context);
    const ids = await trackMany(page, 3, 'before_download');
    await page.waitForFunction(() => tracker.status().length == 3);
    expect(await readIndexedDBCount(page, 'download', 'events')).toBe(3);
    // A link to another page of the site, as far as the Navigation API can tell: the page stays.
    await page.evaluate(() => document.body.insertAdjacentHTML('beforeend', '<a href="/invoice.csv">Invoice</a>'));
    const download = page.waitForEvent('download');
    await page.click('a[href="/invoice.csv"]');
    await download;
    await page.waitForTimeout(3500);
    expect(arrived(ids)).toBe(0);
    await page.close({ runBeforeUnload: true });
    await waitAll(ids, 5_000);
    await context.close();
  });

  it('keeps working in memory with one error when IndexedDB is unavailable (sandboxed iframe)', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const log = collectConsole(page);
    await page.goto(`${site.url}/sandboxed.html`);
    await page.waitForFunction(() => document.querySelector('iframe'));
    const frame = page.frames()[1];
    await frame.waitForFunction(() => (window as unknown as { ready?: boolean }).ready);
    const id = await frame.evaluate(async () => {
      const id = tracker.track('in_sandbox');
      await tracker.flush();
      return id;
    });
    await waitAll([id]);
    const { errors, storage } = await frame.evaluate(() => ({ errors: (window as unknown as { errors: string[] }).errors, storage: tracker.status().storage }));
    expect(storage).toBe('memory');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/IndexedDB is unavailable/);
    expect(log.pageErrors).toEqual([]);
    await context.close();
  });

  it('drops the oldest events when the origin quota is full, counted, without breaking the page', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const log = collectConsole(page);
    const cdp = await context.newCDPSession(page);
    await cdp.send('Storage.overrideQuotaForOrigin', { origin: site.url, quotaSize: 400_000 });
    collector.configure({ status: 503 });
    await page.goto(url('quota', { batch: { flushIntervalMs: 60_000 } }));
    await page.waitForFunction(() => (window as unknown as { ready?: boolean }).ready);
    for (let i = 0; i < 8; i++) {
      await trackMany(page, 50, 'fill', 2000);
      await page.waitForTimeout(50);
    }
    await page.waitForFunction(() => (window as unknown as { drops: { reason: string }[] }).drops.some((d) => d.reason == 'quota'), null, { timeout: 10_000 });
    const drops = await page.evaluate(() => (window as unknown as { drops: { reason: string; count: number }[] }).drops);
    const quota = drops.filter((d) => d.reason == 'quota').reduce((n, d) => n + d.count, 0);
    console.log(`quota of 400 KB: ${quota} oldest events dropped and reported`);
    expect(quota).toBeGreaterThan(0);
    expect(await page.evaluate(() => tracker.status().storage)).toBe('indexeddb');
    expect(await page.evaluate(() => tracker.track('still_works'))).toMatch(/^[0-9a-f-]{36}$/);
    expect(log.pageErrors).toEqual([]);
    await cdp.send('Storage.overrideQuotaForOrigin', { origin: site.url });
    await context.close();
  });

  it('splits a batch on 413 down to single events, then drops and reports them', async () => {
    collector.configure({ status: 413 });
    const { context, page } = await openPage(browser, url('r413', { batch: { flushIntervalMs: 60_000 } }));
    await trackMany(page, 4, 'big');
    await page.evaluate(() => tracker.flush());
    const drops = await page.evaluate(() => (window as unknown as { drops: { reason: string; count: number }[] }).drops);
    expect(drops.filter((d) => d.reason == 'too_large').reduce((n, d) => n + d.count, 0)).toBe(4);
    const sizes = collector.raw().filter((p) => p.status == 413).slice(-7).map((p) => p.ids.length);
    expect(sizes).toEqual([4, 2, 1, 1, 2, 1, 1]);
    expect(await readIndexedDBCount(page, 'r413', 'events')).toBe(0);
    await context.close();
  });

  it('drops a batch the collector answers 400 and reports it', async () => {
    collector.configure({ status: 400 });
    const { context, page } = await openPage(browser, url('r400', { batch: { flushIntervalMs: 60_000 } }));
    await trackMany(page, 3, 'bad');
    await page.evaluate(() => tracker.flush());
    const drops = await page.evaluate(() => (window as unknown as { drops: unknown[] }).drops);
    expect(drops).toEqual([{ reason: 'rejected', count: 3, error: 'HTTP 400' }]);
    expect(await readIndexedDBCount(page, 'r400', 'events')).toBe(0);
    await context.close();
  });

  it('drops and reports an event too large for any beacon when beaconTransport delivers, instead of retrying its batch forever', async () => {
    const { context, page } = await openPage(browser, url('beacon-only', { batch: { flushIntervalMs: 60_000 } }, '/beacon.html'));
    // Props of 32,000 characters, under the 32 KB the tracker allows, but 3 bytes each in UTF-8.
    const [small, big] = await page.evaluate(() => {
      const text = '界'.repeat(8000);
      return [tracker.track('small'), tracker.track('big', { a: text, b: text, c: text, d: text })];
    });
    await page.evaluate(() => tracker.flush());
    await waitAll([small]);
    const state = await page.evaluate(() => ({ status: tracker.status(), drops: (window as unknown as { drops: unknown[] }).drops }));
    expect(state.drops).toEqual([{ reason: 'too_large', count: 1, error: expect.any(String) }]);
    expect(state.status).toMatchObject({ length: 0 });
    expect(arrived([big])).toBe(0);
    await context.close();
  });

  it('writes and sends nothing while consent is pending, delivers once granted, clears when denied', async () => {
    const { context, page } = await openPage(browser, url('consent', { consent: 'pending', batch: { flushIntervalMs: 0 } }));
    const [pendingId] = await trackMany(page, 1, 'pending');
    await page.waitForTimeout(300);
    expect(await readIndexedDBCount(page, 'consent', 'events')).toBe(0);
    expect(await page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('consent')))).toEqual([]);
    expect(arrived([pendingId])).toBe(0);
    await page.evaluate(() => tracker.setConsent('granted'));
    await waitAll([pendingId]);
    collector.configure({ status: 503 });
    const [queued] = await trackMany(page, 1, 'queued');
    await page.waitForFunction(() => tracker.status().lastError);
    expect(await readIndexedDBCount(page, 'consent', 'events')).toBe(1);
    await page.evaluate(() => tracker.setConsent('denied'));
    await page.waitForTimeout(200);
    expect(await readIndexedDBCount(page, 'consent', 'events')).toBe(0);
    expect(await page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('consent:')))).toEqual([]);
    collector.configure({ status: null });
    await page.evaluate(() => tracker.flush());
    expect(arrived([queued])).toBe(0);
    await context.close();
  });

  it('keeps a returning visitor\'s ids through a pending start, and a visit starting denied removes what earlier visits stored', async () => {
    const context = await browser.newContext();
    const fast = { batch: { flushIntervalMs: 50 } };
    const first = await openPage(browser, url('returning', fast), context);
    const [firstId] = await trackMany(first.page, 1, 'visit-1');
    await waitAll([firstId]);
    await first.page.close();
    const visitor = collector.events().find((e) => e.id == firstId)!.anonymousId;

    const second = await openPage(browser, url('returning', { ...fast, consent: 'pending' }), context);
    const [pendingId] = await trackMany(second.page, 1, 'before-banner');
    await second.page.evaluate(() => tracker.setConsent('granted'));
    await waitAll([pendingId]);
    expect(collector.events().find((e) => e.id == pendingId)!.anonymousId).toBe(visitor);
    collector.configure({ status: 503 });
    await trackMany(second.page, 1, 'undelivered');
    await second.page.waitForFunction(() => tracker.status().lastError);
    expect(await readIndexedDBCount(second.page, 'returning', 'events')).toBe(1);
    await second.page.close();
    collector.configure({ status: null });

    const third = await openPage(browser, url('returning', { consent: 'denied' }), context);
    await expect.poll(() => readIndexedDBCount(third.page, 'returning', 'events')).toBe(0);
    expect(await third.page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('returning:')))).toEqual([]);
    await context.close();
  });

  it('keeps the events tracked right after consent went from denied to granted, while the denial waits to clear what an earlier visit stored', async () => {
    const context = await browser.newContext();
    collector.configure({ status: 503 });
    const first = await openPage(browser, url('regrant'), context);
    await trackMany(first.page, 1, 'earlier_visit');
    await first.page.evaluate(() => tracker.flush());
    expect(await readIndexedDBCount(first.page, 'regrant', 'events')).toBe(1);
    await first.page.close();
    // Started denied, granted in the same task: the denial's clear is still waiting for
    // indexedDB.databases() when first_view is written.
    const { page } = await openPage(browser, url('regrant', { consent: 'denied', batch: { flushIntervalMs: 60_000 } }, '/regrant.html'), context);
    await page.waitForTimeout(300);
    const firstId = await page.evaluate(() => (window as unknown as { firstId: string }).firstId);
    collector.configure({ status: null });
    await page.evaluate(() => tracker.flush());
    expect(arrived([firstId])).toBe(1);
    await context.close();
  });

  it('creates no IndexedDB database when a visit with nothing stored starts with consent denied', async () => {
    const { context, page } = await openPage(browser, url('never', { consent: 'denied' }));
    await trackMany(page, 3, 'ignored');
    await page.evaluate(() => tracker.flush());
    await page.waitForTimeout(200);
    expect(await page.evaluate(async () => (await indexedDB.databases()).map((d) => d.name))).not.toContain('never');
    expect(await page.evaluate(() => Object.keys(localStorage))).toEqual([]);
    await context.close();
  });

  // Synthetic visibility (BROWSER-TESTING.md: a live page cannot be made hidden).
  const setVisibility = (page: Page, state: 'hidden' | 'visible') =>
    page.evaluate((state) => {
      Object.defineProperty(document, 'visibilityState', { value: state, configurable: true });
      document.dispatchEvent(new Event('visibilitychange'));
    }, state);

  it('tracks by fetch, not beacons, a second after the page was hidden, and takes back its stash when visible', async () => {
    const context = await browser.newContext();
    await context.addInitScript(INSTRUMENT);
    const { page } = await openPage(browser, url('background', { batch: { flushIntervalMs: 50 } }), context);
    collector.configure({ status: 503 });
    // Tracked in the task that hides the page: not yet in IndexedDB, so it is stashed.
    const early = await page.evaluate(() => {
      const id = tracker.track('before-switch');
      Object.defineProperty(document, 'visibilityState', { value: 'hidden', configurable: true });
      document.dispatchEvent(new Event('visibilitychange'));
      return id;
    });
    const stash = () => stashedIds(page, 'background');
    expect(await stash()).toEqual([early]);
    await page.waitForTimeout(1100);
    collector.configure({ status: null });
    const later = await trackMany(page, 5, 'while-hidden');
    await waitAll([early, ...later]);
    const fetched = await page.evaluate(() => (window as unknown as { fetchedIds: string[] }).fetchedIds);
    expect(fetched).toEqual(expect.arrayContaining(later));
    expect(collector.raw().filter((p) => p.ids.some((id) => later.includes(id))).every((p) => p.contentType?.startsWith('application/json'))).toBe(true);
    await setVisibility(page, 'visible');
    await page.waitForFunction(() => !Object.keys(localStorage).some((k) => k.startsWith('background:stash')));
    await context.close();
  });

  it('takes out of the stash what a page holding its queue in memory (IndexedDB blocked) has delivered since a hide', async () => {
    const context = await browser.newContext();
    await context.addInitScript(() => {
      IDBFactory.prototype.open = () => {
        throw new DOMException('blocked by the test', 'SecurityError');
      };
    });
    const { page } = await openPage(browser, url('mem-stash', { batch: { flushIntervalMs: 60_000 } }), context);
    const id = await page.evaluate(() => {
      const id = tracker.track('before-switch');
      Object.defineProperty(document, 'visibilityState', { value: 'hidden', configurable: true });
      document.dispatchEvent(new Event('visibilitychange'));
      return id;
    });
    const stash = () => stashedIds(page, 'mem-stash');
    expect(await stash()).toEqual([id]);
    await setVisibility(page, 'visible');
    await page.evaluate(() => tracker.flush());
    expect(await page.evaluate(() => [tracker.status().storage, (window as unknown as { sentIds: string[] }).sentIds])).toEqual(['memory', [id]]);
    // Left in the stash, the next visit would send it again, and a long visit's stash would grow
    // with every event it delivered until it filled the site's localStorage.
    expect(await stash()).toEqual([]);
    await context.close();
  });

  it('never blocks the site deleting its database: the tab lets go, and delivers again after', async () => {
    const context = await browser.newContext();
    const fast = { batch: { flushIntervalMs: 50 } };
    const a = await openPage(browser, url('deleted', fast), context);
    const b = await openPage(browser, url('deleted', fast, '/other.html'), context);
    await waitAll(await trackMany(a.page, 3, 'before-logout'));
    // A logout routine in the other tab: delete the database while this tab holds a connection.
    const outcome = await b.page.evaluate(
      () =>
        new Promise<string>((ok) => {
          const req = indexedDB.deleteDatabase('deleted');
          req.onblocked = () => ok('blocked');
          req.onsuccess = () => ok('deleted');
          req.onerror = () => ok('error');
        }),
    );
    expect(outcome).toBe('deleted');
    const after = await trackMany(a.page, 3, 'after-logout');
    await waitAll(after);
    expect(await a.page.evaluate(() => [tracker.status().storage, (window as unknown as { errors: string[] }).errors])).toEqual(['indexeddb', []]);
    await context.close();
  });
});

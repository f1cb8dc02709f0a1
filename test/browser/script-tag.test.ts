import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Collector, StoredEvent } from '../../examples/collector/server.mjs';
import { collectConsole, launchBrowser, startSite, startTestCollector, type Site } from './harness';
import { pushAndFlush, scriptReady, violations, watchCsp } from './storefront';

let browser: Browser;
let site: Site;
let collector: Collector;

const NONCE = 'c3RvcmVmcm9udA';
const NONCE_CSP = `script-src 'self' 'nonce-${NONCE}'; style-src 'self'`;

/** The script tag of the full build, reporting to the test collector, flushing quickly. */
const tag = (attrs: string, ns: string) =>
  `<script ${attrs} src="/dist/crumbtrail.min.js" data-collector="${collector.batchUrl}" data-plugins="pageviews" data-namespace="${ns}" data-flush-interval="100"></script>`;
const stub = (...calls: unknown[]) =>
  `window.crumbtrail = window.crumbtrail || []; ${calls.map((c) => `crumbtrail.push(${JSON.stringify(c)});`).join(' ')}`;

const pages = () => ({
  // async: the SDK arrives (held back by the test) after the inline script in the body ran.
  // Consent starts pending: only the replayed setConsent lets anything leave the page.
  '/async.html': `<!doctype html><html><head><title>Async</title>
<script>${stub(['setConsent', 'granted'], ['identify', 'user-1'], ['track', 'queued_1', { n: 1 }])}</script>
${tag('async data-consent="pending"', 'async')}
</head><body><p>async</p>
<script>${stub(['track', 'queued_2', { n: 2 }])}</script>
<script>addEventListener('load', () => crumbtrail.push(['track', 'on_load']));</script>
</body></html>`,
  // defer: the SDK runs after parsing, before DOMContentLoaded.
  '/defer.html': `<!doctype html><html><head><title>Defer</title>
<script>${stub(['track', 'queued_1'])}</script>
${tag('defer', 'defer')}
</head><body><p>defer</p>
<script>${stub(['track', 'queued_2'])}</script>
<script>document.addEventListener('DOMContentLoaded', () => crumbtrail.push(['track', 'on_dom_ready']));</script>
</body></html>`,
  // Pasted three times (a theme, an app and a tag manager): whichever copy runs first wins, the
  // others must change nothing.
  '/twice.html': `<!doctype html><html><head><title>Twice</title>
<script>${stub(['track', 'queued_once'])}</script>
${tag('async', 'twice-a')}
</head><body><p>twice</p>
${tag('defer', 'twice-b')}
${tag('', 'twice-c')}
</body></html>`,
  // Page views sent by the site itself (no pageviews plugin), the first one queued in the stub.
  '/manual.html': `<!doctype html><html><head><title>Manual</title>
<script>${stub(['page'])}</script>
<script async src="/dist/crumbtrail.min.js" data-collector="${collector.batchUrl}" data-plugins="dwell" data-namespace="manual" data-flush-interval="100"></script>
</head><body><p>manual</p></body></html>`,
  // A listener queued in the stub pushes a call while the queue is being replayed: the stub
  // array is still window.crumbtrail then.
  '/nested.html': `<!doctype html><html><head><title>Nested</title>
<script>window.crumbtrail = window.crumbtrail || [];
crumbtrail.push(['no_such_method']);
crumbtrail.push(['on', 'error', function (e) { crumbtrail.push(['track', 'sdk_problem', { message: e.message }]); }]);
crumbtrail.push(['track', 'queued']);</script>
${tag('async', 'nested')}
</head><body><p>nested</p></body></html>`,
  // Strict CSP with the stub inline: allowed by its nonce.
  '/nonce.html': `<!doctype html><html><head><title>Nonce</title>
<script nonce="${NONCE}">${stub(['track', 'nonce_stub'])}</script>
${tag('async', 'nonce')}
</head><body><p>nonce</p></body></html>`,
  // The same page without the nonce: the violation check must see the block.
  '/no-nonce.html': `<!doctype html><html><head><title>No nonce</title>
<script>${stub(['track', 'blocked_stub'])}</script>
${tag('async', 'no-nonce')}
</head><body><p>no nonce</p></body></html>`,
});

beforeAll(async () => {
  [browser, collector] = await Promise.all([launchBrowser(), startTestCollector()]);
  site = await startSite({
    pages: pages(),
    headers: { '/nonce.html': { 'Content-Security-Policy': NONCE_CSP }, '/no-nonce.html': { 'Content-Security-Policy': NONCE_CSP } },
  });
});
afterAll(async () => {
  await Promise.all([browser?.close(), site?.close(), collector?.close()]);
});

const onPath = (path: string) => (all: StoredEvent[]) => all.filter((e) => (e.page as { path: string }).path == path);
const label = (e: StoredEvent) => (e.type == 'track' ? `track:${e.name}` : e.type);
const trail = (events: StoredEvent[]) => [...events].sort((a, b) => (a.seq as number) - (b.seq as number)).map(label);
const eventsOn = (path: string, count: number) =>
  collector.waitForEvents((all) => onPath(path)(all).length >= count, { timeoutMs: 5_000 }).then(onPath(path));

async function open(path: string, prepare?: (context: BrowserContext) => Promise<unknown>) {
  const context = await browser.newContext();
  await prepare?.(context);
  const page = await context.newPage();
  const log = collectConsole(page);
  await page.goto(`${site.url}${path}`);
  await scriptReady(page, log);
  return { context, page, log };
}

describe('the script tag', () => {
  it('with async, replays queued calls in order before the auto page view, and later calls after it', async () => {
    const { context, page, log } = await open('/async.html', (c) =>
      // Hold the SDK back so that the inline script after the tag surely runs before it loads.
      c.route('**/dist/crumbtrail.min.js', async (route) => {
        await new Promise((ok) => setTimeout(ok, 300));
        await route.continue();
      }),
    );
    await pushAndFlush(page, ['track', 'pushed_after_load', { late: true }]);
    const mine = await eventsOn('/async.html', 6);
    expect(trail(mine)).toEqual(['identify', 'track:queued_1', 'track:queued_2', 'page_view', 'track:on_load', 'track:pushed_after_load']);
    expect(mine.every((e) => e.userId == 'user-1')).toBe(true);
    expect(mine.find((e) => e.name == 'queued_2')!.props).toEqual({ n: 2 });
    expect(log.errors()).toEqual([]);
    await context.close();
  });

  it('with defer, replays calls made while parsing before the page view, and DOMContentLoaded calls after it', async () => {
    const { context, page, log } = await open('/defer.html');
    await pushAndFlush(page, ['track', 'pushed_after_load']);
    const mine = await eventsOn('/defer.html', 5);
    expect(trail(mine)).toEqual(['track:queued_1', 'track:queued_2', 'page_view', 'track:on_dom_ready', 'track:pushed_after_load']);
    expect(log.errors()).toEqual([]);
    await context.close();
  });

  it('measures the dwell of a page view queued in the stub before the script loaded', async () => {
    const { context, page } = await open('/manual.html');
    // Closed once the view arrived: a batch still in flight at close is not sent again at exit
    // (README, Exit) and would come only with a next visit.
    await eventsOn('/manual.html', 1);
    await page.close();
    const mine = await eventsOn('/manual.html', 2);
    expect(trail(mine)).toEqual(['page_view', 'page_leave']);
    const [view, leave] = [...mine].sort((a, b) => (a.seq as number) - (b.seq as number));
    expect((leave.props as { pageViewId: string }).pageViewId).toBe(view.id);
    await context.close();
  });

  it('ignores further copies of the script: one tracker, one database, no duplicate events', async () => {
    const { context, page, log } = await open('/twice.html');
    await page.waitForLoadState('load');
    await pushAndFlush(page, ['track', 'pushed_once']);
    await eventsOn('/twice.html', 3);
    // A second tracker would flush within its 100 ms interval: give it several.
    await page.waitForTimeout(500);
    expect(trail(onPath('/twice.html')(collector.events()))).toEqual(['track:queued_once', 'page_view', 'track:pushed_once']);
    const dbs = await page.evaluate(async () => (await indexedDB.databases()).map((d) => d.name ?? ''));
    expect(dbs.filter((n) => n.includes('twice'))).toHaveLength(1);
    expect(log.errors()).toEqual([]);
    await context.close();
  });

  it('makes a call that a queued listener pushes while the queue is replayed', async () => {
    const { context } = await open('/nested.html');
    const mine = await eventsOn('/nested.html', 3);
    expect(trail(mine)).toEqual(['track:queued', 'track:sdk_problem', 'page_view']);
    expect(mine.find((e) => e.name == 'sdk_problem')!.props).toEqual({ message: expect.stringContaining('naming a tracker method') });
    await context.close();
  });

  it('under a strict CSP, works with the stub inline when it carries the nonce', async () => {
    const { context, page, log } = await open('/nonce.html', watchCsp);
    await pushAndFlush(page, ['track', 'after_load']);
    const mine = await eventsOn('/nonce.html', 3);
    expect(trail(mine)).toEqual(['track:nonce_stub', 'page_view', 'track:after_load']);
    expect(await violations(page)).toEqual([]);
    expect(log.errors()).toEqual([]);
    await context.close();
  });

  it('under a strict CSP, an inline stub without the nonce is blocked and the violation check sees it', async () => {
    const { context, page, log } = await open('/no-nonce.html', watchCsp);
    expect(await violations(page)).toEqual(['script-src-elem inline']);
    expect(log.errors()).toEqual([expect.stringContaining('Content Security Policy')]);
    await context.close();
  });
});

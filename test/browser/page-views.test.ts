import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Collector, StoredEvent } from '../../examples/collector/server.mjs';
import { collectConsole, launchBrowser, startSite, startTestCollector, type Site } from './harness';
import { IMPORT_MAP, NODE_MODULES } from './pages';

// pageViews() in real Chromium against the real collector, on a small SPA built here: a router
// that pushes a route, renders it and sets the title a moment later (as React Router and Vue
// Router do), answers back/forward, and keeps a search box's text in the query with replaceState.

let browser: Browser;
let site: Site;
let collector: Collector;

// `router`: page views come from the router (pageViews({ auto: false }) and tracker.page()).
const spa = (collectorUrl: string, router = false) => `<!doctype html><html><head><title>Home</title>
<script type="importmap">${IMPORT_MAP}</script></head><body><main id="view">Home</main>
<input id="q" aria-label="Search">
<script type="module">
import { createTracker, pageViews } from '/dist/crumbtrail.mjs';
const titles = { '/': 'Home', '/shoes': 'Shoes', '/shoes?color=red': 'Red shoes' };
// Render after the URL changed, the title last: what the page view must wait for.
const render = () => setTimeout(() => {
  const route = location.pathname + location.search;
  document.getElementById('view').textContent = titles[route] || route;
  document.title = titles[route] || 'Search';${router ? '\n  tracker.page();' : ''}
}, 30);
window.go = (url) => { history.pushState({}, '', url); render(); };
addEventListener('popstate', render);
addEventListener('pageshow', (e) => e.persisted && (window.restored = true));
document.getElementById('q').addEventListener('input', (e) => history.replaceState({}, '', '/?q=' + encodeURIComponent(e.target.value)));
window.tracker = createTracker({ collector: ${JSON.stringify(collectorUrl)}, batch: { flushIntervalMs: 50 }, plugins: [pageViews(${router ? '{ auto: false }' : ''})] });${router ? '\ntracker.page();' : ''}
</script></body></html>`;

// A router on the Navigation API: it intercepts each navigation, back and forward included, and
// loads the route's data for 300 ms (longer than the 100 ms a URL must stay put) before it renders
// and sets the title.
const navigationSpa = (collectorUrl: string) => `<!doctype html><html><head><title>Home</title>
<script type="importmap">${IMPORT_MAP}</script></head><body><main id="view">Home</main>
<script type="module">
import { createTracker, pageViews } from '/dist/crumbtrail.mjs';
const titles = { '/nav.html': 'Home', '/shoes': 'Shoes', '/boots': 'Boots' };
navigation.addEventListener('navigate', (e) => {
  if (!e.canIntercept) return;
  const path = new URL(e.destination.url).pathname;
  e.intercept({ handler: () => new Promise((ok) => setTimeout(ok, 300)).then(() => {
    document.getElementById('view').textContent = document.title = titles[path];
  }) });
});
window.tracker = createTracker({ collector: ${JSON.stringify(collectorUrl)}, batch: { flushIntervalMs: 50 }, plugins: [pageViews()] });
</script></body></html>`;

beforeAll(async () => {
  [browser, collector] = await Promise.all([launchBrowser(), startTestCollector()]);
  site = await startSite({
    mounts: NODE_MODULES,
    pages: { '/index.html': spa(collector.batchUrl), '/nav.html': navigationSpa(collector.batchUrl), '/router.html': spa(collector.batchUrl, true), '/next.html': '<!doctype html><title>Next</title><p>next</p>' },
    // Chromium keeps no page served with no-store (the harness default) in the back/forward cache.
    headers: { '/': { 'Cache-Control': 'no-cache' }, '/router.html': { 'Cache-Control': 'no-cache' } },
  });
});
beforeEach(() => collector.reset());
afterAll(async () => {
  await Promise.all([browser?.close(), site?.close(), collector?.close()]);
});

const views = (events: StoredEvent[]) => events.filter((e) => e.type == 'page_view');
const row = (e: StoredEvent) => {
  const page = e.page as { url: string; path: string; title: string; referrer: string };
  return [page.url.replace(site.url, ''), page.title, page.referrer.replace(site.url, '')];
};

async function openSpa(): Promise<{ page: Page; close(): Promise<void>; errors(): string[] }> {
  const context = await browser.newContext();
  const page = await context.newPage();
  const log = collectConsole(page);
  await page.goto(`${site.url}/`);
  await collector.waitForEvents((all) => views(all).length == 1);
  return { page, close: () => context.close(), errors: () => log.errors() };
}

/** Records a marker event and waits for it: every page view recorded before it has arrived. */
async function settled(page: Page): Promise<StoredEvent[]> {
  // Longer than the 100 ms a route must stay put, so a pending view would be recorded first.
  await page.waitForTimeout(250);
  const id = await page.evaluate(() => tracker.track('marker'));
  return collector.waitForEvents((all) => all.some((e) => e.id == id));
}

describe('page views of an SPA in real Chromium', () => {
  it('records /, /shoes, /shoes?color=red, back and forward with their paths, titles and referrers', async () => {
    const { page, close, errors } = await openSpa();
    const navigate = async (action: () => void, n: number) => {
      await page.evaluate(action);
      await collector.waitForEvents((all) => views(all).length == n);
    };
    await navigate(() => (window as unknown as { go(u: string): void }).go('/shoes'), 2);
    await navigate(() => (window as unknown as { go(u: string): void }).go('/shoes?color=red'), 3);
    await navigate(() => history.back(), 4);
    await navigate(() => history.forward(), 5);

    expect(views(await settled(page)).map(row)).toEqual([
      ['/', 'Home', ''],
      ['/shoes', 'Shoes', '/'],
      ['/shoes?color=red', 'Red shoes', '/shoes'],
      ['/shoes', 'Shoes', '/shoes?color=red'],
      ['/shoes?color=red', 'Red shoes', '/shoes'],
    ]);
    expect(errors()).toEqual([]);
    await close();
  });

  it('records no page view for a search box that calls replaceState on each of 50 keystrokes', async () => {
    const { page, close } = await openSpa();
    const text = 'lightweight trail running shoes for wet and muddy!';
    expect(text).toHaveLength(50);
    await page.locator('#q').pressSequentially(text);
    expect(await page.evaluate(() => location.search)).toBe('?q=' + encodeURIComponent(text));

    expect(views(await settled(page)).map(row)).toEqual([['/', 'Home', '']]);
    await close();
  });

  it('records one page view for a router that calls replaceState then pushState to one URL', async () => {
    const { page, close } = await openSpa();
    await page.evaluate(() => {
      history.replaceState({}, '', '/shoes');
      (window as unknown as { go(u: string): void }).go('/shoes');
    });

    expect(views(await settled(page)).map(row)).toEqual([
      ['/', 'Home', ''],
      ['/shoes', 'Shoes', '/'],
    ]);
    await close();
  });

  it('records back and forward of a Navigation API router once its handlers are done, with the title it set', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const log = collectConsole(page);
    await page.goto(`${site.url}/nav.html`);
    await collector.waitForEvents((all) => views(all).length == 1);
    const navigate = async (action: () => unknown, n: number) => {
      await page.evaluate(action);
      await collector.waitForEvents((all) => views(all).length == n);
    };
    type Navigation = Record<'back' | 'forward' | 'navigate', (url?: string) => { finished: Promise<unknown> }>;
    await navigate(() => (window as unknown as { navigation: Navigation }).navigation.navigate('/shoes').finished, 2);
    await navigate(() => (window as unknown as { navigation: Navigation }).navigation.navigate('/boots').finished, 3);
    await navigate(() => (window as unknown as { navigation: Navigation }).navigation.back().finished, 4);
    await navigate(() => (window as unknown as { navigation: Navigation }).navigation.forward().finished, 5);

    expect(views(await settled(page)).map(row)).toEqual([
      ['/nav.html', 'Home', ''],
      ['/shoes', 'Shoes', '/nav.html'],
      ['/boots', 'Boots', '/shoes'],
      ['/shoes', 'Shoes', '/boots'],
      ['/boots', 'Boots', '/shoes'],
    ]);
    expect(log.errors()).toEqual([]);
    await context.close();
  });
});

describe('a restore from the back/forward cache in real Chromium', () => {
  // Goes to `path`, away and back, and returns the page views recorded.
  async function restore(path: string): Promise<StoredEvent[]> {
    // Playwright turns the back/forward cache off by default; this browser keeps it on.
    const bfcache = await launchBrowser({ ignoreDefaultArgs: ['--disable-back-forward-cache'] });
    try {
      const page = await bfcache.newPage();
      await page.goto(`${site.url}${path}`);
      await collector.waitForEvents((all) => views(all).length == 1);
      await page.goto(`${site.url}/next.html`);
      // A restored page fires no load event: wait for the commit, then for its pageshow.
      await page.goBack({ waitUntil: 'commit' });
      await page.waitForFunction(() => (window as unknown as { restored?: boolean }).restored, undefined, { timeout: 5000 });
      return views(await settled(page));
    } finally {
      await bfcache.close();
    }
  }

  it('is a new page view of the same URL', async () => {
    expect((await restore('/')).map(row)).toEqual([
      ['/', 'Home', ''],
      ['/', 'Home', ''],
    ]);
  });

  it('is a new page view also when the router records page views (auto: false), as no router sees it', async () => {
    expect((await restore('/router.html')).map((e) => (e.page as { path: string }).path)).toEqual(['/router.html', '/router.html']);
  });
});

import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Collector } from '../../examples/collector/server.mjs';
import { collectConsole, launchBrowser, startSite, startTestCollector, type Site } from './harness';
import { IMPORT_MAP, NODE_MODULES } from './pages';

let browser: Browser;
let site: Site;
let collector: Collector;

// A 50 m fence in Istanbul. Positions are metres north of its centre; 1 m of latitude there is
// 1 / 111,053 of a degree (WGS84).
const CENTRE = { latitude: 41.0082, longitude: 28.9784 };
const at = (metres: number, accuracy = 10) => ({ ...CENTRE, latitude: CENTRE.latitude + metres / 111053, accuracy });
const FENCE = { id: 'store-1', name: 'Store', lat: CENTRE.latitude, lng: CENTRE.longitude, radius: 50, coupon: { title: '10 % off', code: 'SUMMER10' } };

// The page counts the fixes the browser delivers with a watch of its own, so that the test knows
// when a position it set has reached the page; the tracker's geofence events, the coupons it
// dispatched and its errors are kept in window for the test to read.
const geoPage = (collectorUrl: string) => `<!doctype html><html><head><title>Stores</title>
<script type="importmap">${IMPORT_MAP}</script></head><body><button id="near">Offers near me</button>
<script type="module">
import { createTracker, geofences } from '/dist/crumbtrail.mjs';
const q = new URLSearchParams(location.search);
Object.assign(window, { geo: [], coupons: 0, errors: [], fixes: 0 });
addEventListener('crumbtrail:coupon', () => coupons++);
// ?quick: Chromium's own geolocation, asked for fresh positions with a 1 s timeout (not 60 s).
const quick = { watchPosition: (ok, err, o) => navigator.geolocation.watchPosition(ok, err, { ...o, maximumAge: 0, timeout: 1000 }), clearWatch: (id) => navigator.geolocation.clearWatch(id) };
window.tracker = createTracker({ collector: ${JSON.stringify(collectorUrl)}, batch: { flushIntervalMs: 100 }, consent: q.get('consent') || 'granted',
  plugins: [geofences({ fences: [${JSON.stringify(FENCE)}], loiterMs: 1500, context: q.get('context') || undefined, geolocation: q.has('quick') ? quick : undefined })] });
tracker.on('event', (e) => e.type.startsWith('geofence_') && geo.push([e.type, e.props]));
tracker.on('error', (e) => errors.push(e.message));
if (q.has('count')) navigator.geolocation.watchPosition(() => fixes++, () => {});
</script></body></html>`;

const scriptTagPage = (collectorUrl: string) => `<!doctype html><html><head><title>Script tag</title>
<script async src="/dist/crumbtrail.min.js" data-collector="${collectorUrl}" data-plugins="geofences" data-geofences="/fences.json" data-flush-interval="100"></script>
</head><body>shop</body></html>`;

beforeAll(async () => {
  [browser, collector] = await Promise.all([launchBrowser(), startTestCollector()]);
  site = await startSite({
    mounts: NODE_MODULES,
    pages: {
      '/stores.html': geoPage(collector.batchUrl),
      '/script.html': scriptTagPage(collector.batchUrl),
      '/fences.json': JSON.stringify({ fences: [FENCE] }),
    },
  });
});
afterAll(async () => {
  await Promise.all([browser?.close(), site?.close(), collector?.close()]);
});

type Win = { geo: [string, Record<string, unknown>][]; coupons: number; errors: string[]; fixes: number };
const read = (page: Page) => page.evaluate(() => ({ geo: (window as unknown as Win).geo, coupons: (window as unknown as Win).coupons, errors: (window as unknown as Win).errors }));
const types = async (page: Page) => (await read(page)).geo.map(([t]) => t);

async function open(granted = true, query = ''): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext(granted ? { permissions: ['geolocation'], geolocation: at(300) } : {});
  const page = await context.newPage();
  await page.goto(`${site.url}/stores.html?${granted ? 'count' : ''}${query}`);
  await page.waitForFunction(() => (window as unknown as { tracker?: unknown }).tracker);
  if (granted) await page.waitForFunction(() => (window as unknown as Win).fixes >= 1);
  return { context, page };
}

/** Sets each position through the browser and waits until the page has received it. */
async function walk(context: BrowserContext, page: Page, metres: number[], accuracy = 10) {
  for (const m of metres) {
    const seen = await page.evaluate(() => (window as unknown as Win).fixes);
    await context.setGeolocation(at(m, accuracy));
    await page.waitForFunction((n) => (window as unknown as Win).fixes > n, seen);
  }
}

describe('geofences in real Chromium', () => {
  it('walking in and out gives one enter, one dwell and one exit and one coupon; a reload inside shows none', async () => {
    const { context, page } = await open();
    const log = collectConsole(page);
    await walk(context, page, [200, 100, 60, 40, 20, 0]);
    await page.waitForFunction(() => (window as unknown as Win).geo.length >= 2); // the dwell, after loiterMs
    await walk(context, page, [20, 60, 80, 100, 300]);
    const out = await read(page);
    expect(out.geo.map(([t]) => t)).toEqual(['geofence_enter', 'geofence_dwell', 'geofence_exit']);
    expect(out.geo[0][1]).toEqual({ fenceId: 'store-1', name: 'Store', distance: 20, accuracy: 10 });
    expect(out.geo[2][1]).toMatchObject({ fenceId: 'store-1', distance: 100 });
    expect(out.geo[2][1].detectedLate).toBeUndefined();
    expect(out.coupons).toBe(1);

    // Back in within the cooldown: a new enter, no new coupon; then a reload inside.
    await walk(context, page, [30, 10]);
    expect(await types(page)).toHaveLength(4);
    expect((await read(page)).coupons).toBe(1);
    await page.reload();
    await page.waitForFunction(() => (window as unknown as Win).fixes >= 1);
    await walk(context, page, [5, 0]);
    // A reload inside is no new visit: no enter, no coupon. The visit goes on, so its dwell comes
    // once loiterMs (1.5 s) has passed since the enter before the reload, as a loaded machine
    // may take that long.
    const after = await read(page);
    expect({ ...after, geo: after.geo.filter(([t]) => t != 'geofence_dwell') }).toEqual({ geo: [], coupons: 0, errors: [] });
    expect(log.errors()).toEqual([]);

    const sent = await collector.waitForEvents((all) => all.filter((e) => e.type.startsWith('geofence_')).length >= 4);
    const sentTypes = sent.filter((e) => e.type.startsWith('geofence_')).map((e) => e.type);
    expect(sentTypes.slice(0, 4)).toEqual(['geofence_enter', 'geofence_dwell', 'geofence_exit', 'geofence_enter']);
    expect(sentTypes.slice(4).every((t) => t == 'geofence_dwell')).toBe(true);
    await context.close();
  });

  it('records the dwell of a visitor who stands still inside, with no new fix after the enter', async () => {
    const { context, page } = await open();
    await walk(context, page, [200, 20, 0]);
    const fixes = await page.evaluate(() => (window as unknown as Win).fixes);
    await page.waitForFunction(() => (window as unknown as Win).geo.length >= 2, undefined, { timeout: 5000 });
    expect((await read(page)).geo.map(([t]) => t)).toEqual(['geofence_enter', 'geofence_dwell']);
    expect(await page.evaluate(() => (window as unknown as Win).fixes)).toBe(fixes);
    await context.close();
  });

  it('gives at most one enter and no exit for 30 fixes jittering ±15 m around the edge', async () => {
    const { context, page } = await open();
    // Enters and exits only: 30 fixes can outlast the page's 1.5 s loiterMs (a dwell is right then).
    const moves = async () => (await types(page)).filter((t) => t != 'geofence_dwell');
    await walk(context, page, Array.from({ length: 30 }, (_, i) => 50 + 15 * Math.sin(i * 1.7)));
    expect(await moves()).toEqual(['geofence_enter']);
    await walk(context, page, [200]);
    expect(await moves()).toEqual(['geofence_enter', 'geofence_exit']);
    await context.close();
  });

  it('does not enter on a fix with 500 m accuracy inside the fence', async () => {
    const { context, page } = await open();
    await walk(context, page, [0, 1, 2], 500);
    expect(await types(page)).toEqual([]);
    await walk(context, page, [3, 4], 10); // the same place, located well: now it counts
    expect(await types(page)).toEqual(['geofence_enter']);
    await context.close();
  });

  it('turns a denied permission into status denied and one error, and other tracking goes on', async () => {
    const { context, page } = await open(false);
    const log = collectConsole(page);
    expect(await page.evaluate(() => tracker.geofences!.status())).toBe('prompt');
    expect(await page.evaluate(() => tracker.geofences!.start())).toBe('denied');
    expect(await page.evaluate(() => tracker.geofences!.start())).toBe('denied');
    expect((await read(page)).errors).toEqual(['crumbtrail: geofences: no position (denied)']);
    const id = await page.evaluate(() => tracker.track('after_denied'));
    await collector.waitForEvents((all) => all.some((e) => e.id == id));
    expect(log.pageErrors).toEqual([]);
    await context.close();
  });

  it('a start() after the position became unavailable resolves with that status, though Chromium reports it only once', async () => {
    const { context, page } = await open();
    const cdp = await context.newCDPSession(page);
    await cdp.send('Emulation.setGeolocationOverride', {}); // no position: POSITION_UNAVAILABLE
    await page.waitForFunction(() => tracker.geofences!.status() == 'unavailable', undefined, { timeout: 15_000 });
    // The visitor presses "offers near me" again: the answer must come, not hang.
    const answer = () => page.evaluate(() => Promise.race([tracker.geofences!.start(), new Promise((r) => setTimeout(() => r('no answer in 5 s'), 5000))]));
    expect(await answer()).toBe('unavailable');
    await walk(context, page, [300]); // positions come back to the same watch
    expect(await page.evaluate(() => tracker.geofences!.status())).toBe('watching');
    expect((await read(page)).errors).toEqual(['crumbtrail: geofences: no position (unavailable)']);
    await context.close();
  });

  it('sends context.geo no more once the visitor takes the permission back in the site settings', async () => {
    const { context, page } = await open(true, '&context=coarse');
    const before = await page.evaluate(() => tracker.track('before_revoke'));
    // What the site settings do: Chromium tells the watch PERMISSION_DENIED.
    const cdp = await context.newCDPSession(page);
    const { targetInfo } = await cdp.send('Target.getTargetInfo');
    await cdp.send('Browser.setPermission', { permission: { name: 'geolocation' }, setting: 'denied', origin: site.url, browserContextId: targetInfo.browserContextId });
    await page.waitForFunction(() => tracker.geofences!.status() == 'denied');
    const after = await page.evaluate(() => tracker.track('after_revoke'));
    const sent = await collector.waitForEvents((all) => [before, after].every((id) => all.some((e) => e.id == id)));
    const geoOf = (id: string) => (sent.find((e) => e.id == id)!.context as { geo?: unknown }).geo;
    expect(geoOf(before)).toEqual({ lat: 41.01, lng: 28.98 });
    expect(geoOf(after)).toBeUndefined();
    await context.close();
  });

  it('sends context.geo no more once the visitor takes the permission back while the page is hidden or the watch is stopped', async () => {
    for (const pause of ['hidden', 'stopped']) {
      const { context, page } = await open(true, '&context=coarse');
      await page.waitForFunction(() => tracker.geofences!.status() == 'watching');
      const before = await page.evaluate(() => tracker.track('before_revoke'));
      await page.evaluate((pause) => {
        if (pause == 'stopped') return tracker.geofences!.stop();
        // Headless Chromium cannot hide a live page: the hide is synthetic (BROWSER-TESTING.md).
        Object.defineProperty(document, 'visibilityState', { value: 'hidden', configurable: true });
        document.dispatchEvent(new Event('visibilitychange'));
      }, pause);
      expect(await page.evaluate(() => tracker.geofences!.status())).toBe(pause == 'hidden' ? 'paused' : 'idle');
      // The page's own PermissionStatus tells the test when Chromium has told the page.
      await page.evaluate(() =>
        navigator.permissions.query({ name: 'geolocation' }).then((p) => (p.onchange = () => ((window as unknown as { revoked: string }).revoked = p.state))),
      );
      await context.clearPermissions(); // the visitor resets the permission in the site settings
      await page.waitForFunction(() => (window as unknown as { revoked?: string }).revoked == 'prompt');
      await page.waitForTimeout(50);
      const after = await page.evaluate(() => tracker.track('after_revoke'));
      const sent = await collector.waitForEvents((all) => [before, after].every((id) => all.some((e) => e.id == id)));
      const geoOf = (id: string) => (sent.find((e) => e.id == id)!.context as { geo?: unknown }).geo;
      expect([pause, geoOf(before)]).toEqual([pause, { lat: 41.01, lng: 28.98 }]);
      expect([pause, geoOf(after)]).toEqual([pause, undefined]);
      await context.close();
    }
  });

  it('a start() after stop() whose new watch gets no position in time resolves with timeout', async () => {
    const { context, page } = await open(true, '&quick');
    await page.waitForFunction(() => tracker.geofences!.status() == 'watching');
    await page.evaluate(() => tracker.geofences!.stop());
    // No emulated position any more: headless Chromium then has none to give.
    await (await context.newCDPSession(page)).send('Emulation.clearGeolocationOverride');
    const answer = await page.evaluate(() => Promise.race([tracker.geofences!.start(), new Promise((r) => setTimeout(() => r('no answer in 5 s'), 5000))]));
    expect(answer).toBe('timeout');
    expect((await read(page)).errors).toEqual(['crumbtrail: geofences: no position (timeout)']);
    await context.close();
  });

  it('stops the watch while the page is hidden, and marks the exit it finds afterwards as late', async () => {
    const { context, page } = await open();
    await walk(context, page, [20, 0]);
    // Headless Chromium cannot hide a live page: the hide is synthetic (BROWSER-TESTING.md).
    const setVisibility = (state: string) =>
      page.evaluate((s) => {
        Object.defineProperty(document, 'visibilityState', { value: s, configurable: true });
        document.dispatchEvent(new Event('visibilitychange'));
      }, state);
    await setVisibility('hidden');
    expect(await page.evaluate(() => tracker.geofences!.status())).toBe('paused');
    await walk(context, page, [400, 500]); // the page's own watch still sees them; the tracker's is gone
    expect(await types(page)).toEqual(['geofence_enter']);
    await setVisibility('visible');
    await walk(context, page, [510]);
    const { geo } = await read(page);
    expect(geo.map(([t, p]) => [t, p.detectedLate])).toEqual([
      ['geofence_enter', undefined],
      ['geofence_exit', true],
    ]);
    await context.close();
  });

  it('works from the script tag: data-geofences names the fences file', async () => {
    const context = await browser.newContext({ permissions: ['geolocation'], geolocation: at(0) });
    const page = await context.newPage();
    const log = collectConsole(page);
    await page.goto(`${site.url}/script.html`);
    await page.waitForFunction(() => (window as unknown as { crumbtrail?: { geofences?: { status(): string } } }).crumbtrail?.geofences?.status() == 'watching');
    await page.waitForFunction(() => localStorage.getItem('crumbtrail:geo:fences')); // the file arrived
    const entered = (all: { type: string; page?: unknown }[]) => all.some((e) => e.type == 'geofence_enter' && (e.page as { path: string }).path == '/script.html');
    // Fixes arrive when the position changes: two in a row inside make the enter.
    for (let i = 1; i < 40 && !entered(collector.events()); i++) {
      await context.setGeolocation(at(i % 5));
      await page.waitForTimeout(100);
    }
    const sent = await collector.waitForEvents(entered);
    expect(sent.find((e) => e.type == 'geofence_enter' && (e.page as { path: string }).path == '/script.html')!.props).toMatchObject({ fenceId: 'store-1' });
    expect(log.errors()).toEqual([]);
    await context.close();
  });

  it('with consent pending, decides in memory and writes nothing to localStorage', async () => {
    const { context, page } = await open(true, '&consent=pending');
    await walk(context, page, [0, 0, 5]);
    expect(await types(page)).toEqual(['geofence_enter']);
    expect(await page.evaluate(() => Object.keys(localStorage))).toEqual([]);
    await page.evaluate(() => (window as unknown as { tracker: { setConsent(c: string): void } }).tracker.setConsent('granted'));
    await walk(context, page, [3]);
    expect(await page.evaluate(() => JSON.parse(localStorage.getItem('crumbtrail:geo')!))).toHaveProperty('store-1.i');
    expect(await types(page)).toEqual(['geofence_enter']);
    await context.close();
  });
});

// @vitest-environment node
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { duration, groupTrail, summarizeStop, vitalValue } from '../../examples/collector/journey/trail.js';
import { startCollector, type Collector, type StoredEvent } from '../../examples/collector/server.mjs';

let seq = 0;
const at = (ts: number, type: string, extra: Partial<StoredEvent> = {}): StoredEvent => ({
  id: `e${++seq}`,
  type,
  ts,
  seq,
  receivedAt: ts,
  anonymousId: 'a-1',
  page: { url: 'https://shop.test/', path: '/' },
  ...extra,
});
const onPage = (path: string) => ({ page: { url: `https://shop.test${path}`, path } });

describe('the trail of a visitor', () => {
  it('makes one stop per page view in time order, each with the events of that view', () => {
    const home = at(1_000, 'page_view', onPage('/'));
    const product = at(5_000, 'page_view', onPage('/product.html'));
    const events = [
      at(9_000, 'track', { ...onPage('/product.html'), name: 'add_to_cart' }),
      product,
      at(4_000, 'page_leave', { ...onPage('/'), props: { pageViewId: home.id, visibleMs: 3_000 } }),
      home,
      at(500, 'identify', { userId: 'member-1' }),
    ];
    const stops = groupTrail(events);
    expect(stops.map((s) => s.view?.id)).toEqual([home.id, product.id]);
    // The identify replayed from the stub came before the first page view: it joins the first stop.
    expect(stops[0]!.events.map((e) => e.type)).toEqual(['identify', 'page_leave']);
    expect(stops[1]!.events.map((e) => e.name)).toEqual(['add_to_cart']);
  });

  it("puts an SPA route's page_leave, recorded after the URL changed, with its own page view by pageViewId", () => {
    const first = at(1_000, 'page_view', onPage('/a'));
    const second = at(2_000, 'page_view', onPage('/b'));
    const leave = at(2_001, 'page_leave', { ...onPage('/b'), props: { pageViewId: first.id, visibleMs: 1_000 } });
    const [a, b] = groupTrail([first, second, leave]);
    expect(a!.events).toEqual([leave]);
    expect(b!.events).toEqual([]);
  });

  it('sums up a stop: dwell, how much of each video was watched, places and coupons, vitals, actions', () => {
    const view = at(1_000, 'page_view');
    const video = { videoId: 'spin', title: 'Spin' };
    const stop = {
      view,
      events: [
        at(1_100, 'web_vital', { props: { name: 'LCP', value: 1_234, rating: 'needs-improvement' } }),
        at(1_200, 'video_start', { props: video }),
        at(1_300, 'video_progress', { props: { ...video, percent: 50 } }),
        at(1_400, 'video_summary', { props: { ...video, percentWatched: 62, watchedMs: 5_000 } }),
        at(1_500, 'geofence_enter', { props: { fenceId: 'store-1', name: 'Kadıköy store', distance: 40 } }),
        at(1_600, 'coupon_shown', { props: { fenceId: 'store-1', code: 'TRAIL10' } }),
        at(1_700, 'engaged'),
        at(1_800, 'track', { name: 'add_to_cart' }),
        at(1_900, 'page_leave', { props: { visibleMs: 72_500, activeMs: 60_000, maxScrollPct: 80 } }),
      ],
    };
    const s = summarizeStop(stop);
    expect(s.dwell).toEqual({ visibleMs: 72_500, activeMs: 60_000, maxScrollPct: 80 });
    expect(s.videos.get('spin')).toMatchObject({ title: 'Spin', percent: 62, watchedMs: 5_000, summary: true, events: ['start', 'progress', 'summary'] });
    expect(s.places.map((e) => e.type)).toEqual(['geofence_enter', 'coupon_shown']);
    expect(s.vitals.get('LCP')).toMatchObject({ value: 1_234, rating: 'needs-improvement' });
    expect(s.actions.map((e) => e.name)).toEqual(['add_to_cart']);
  });

  it('leaves out a web_vital whose value is not a number, which could not be shown', () => {
    const s = summarizeStop({
      view: null,
      events: [
        { id: 'a', type: 'web_vital', ts: 1, receivedAt: 1, props: { name: 'CLS', value: '0.1', rating: 'good' } },
        { id: 'b', type: 'web_vital', ts: 2, receivedAt: 2, props: { name: 'LCP', value: 900, rating: 'good' } },
      ],
    });
    expect([...s.vitals.keys()]).toEqual(['LCP']);
    expect([...s.vitals.values()].map(vitalValue)).toEqual(['900 ms']);
  });

  it('writes durations and vital values the way people read them', () => {
    expect([duration(900), duration(72_500), duration(30_000), duration(undefined)]).toEqual(['0.9s', '1m 13s', '30s', '–']);
    expect([vitalValue({ name: 'CLS', value: 0.1234 }), vitalValue({ name: 'LCP', value: 2_480 }), vitalValue({ name: 'INP', value: 87.6 })]).toEqual(['0.123', '2.48 s', '88 ms']);
  });
});

describe('the journey routes of the collector', () => {
  let collector: Collector | undefined;
  let dir: string;
  afterEach(async () => {
    await collector?.close();
    await rm(dir, { recursive: true, force: true });
  });
  const start = async () => {
    dir = await mkdtemp(join(tmpdir(), 'crumbtrail-journey-'));
    collector = await startCollector({ port: 0, dataDir: dir });
    return collector;
  };
  const post = (c: Collector, events: object[]) =>
    fetch(c.batchUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ v: 1, sentAt: '', sdk: {}, events }) });

  it('lists visitors newest first with their counts, user id and last page', async () => {
    const c = await start();
    await post(c, [
      { id: '1', type: 'page_view', ts: 1_000, anonymousId: 'old', page: { path: '/' } },
      { id: '2', type: 'page_view', ts: 2_000, anonymousId: 'new', page: { path: '/' } },
      { id: '3', type: 'identify', ts: 3_000, anonymousId: 'new', userId: 'member-7', page: { path: '/signup.html' } },
    ]);
    const visitors = await (await fetch(`${c.url}/v1/visitors`)).json();
    expect(visitors).toEqual([
      { anonymousId: 'new', firstSeen: 2_000, lastSeen: 3_000, events: 2, pageViews: 1, lastPath: '/signup.html', userId: 'member-7' },
      { anonymousId: 'old', firstSeen: 1_000, lastSeen: 1_000, events: 1, pageViews: 1, lastPath: '/' },
    ]);
  });

  it("streams one visitor's new events as Server-Sent Events, and nobody else's", async () => {
    const c = await start();
    const abort = new AbortController();
    const res = await fetch(`${c.url}/v1/stream?anonymousId=mine`, { signal: abort.signal });
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    let text = (await reader.read()).value!;
    expect(text).toBe(': live\n\n');
    await post(c, [
      { id: 'x', type: 'track', ts: 1, anonymousId: 'other' },
      { id: 'y', type: 'track', ts: 2, anonymousId: 'mine' },
    ]);
    while (!text.includes('"y"')) text += (await reader.read()).value;
    abort.abort();
    expect(text).toMatch(/event: crumb\ndata: \{"id":"y"/);
    expect(text).not.toContain('"x"');
  });

  it('serves the journey pages with a policy that allows no inline script or style', async () => {
    const c = await start();
    for (const path of ['/', '/visitor?anonymousId=a', '/journey/journey.css', '/journey/visitor.js', '/journey/trail.js']) {
      const res = await fetch(c.url + path);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-security-policy')).toBe("default-src 'self'");
    }
    expect((await fetch(`${c.url}/favicon.ico`)).status).toBe(204);
  });
});

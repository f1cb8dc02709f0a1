import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createTracker } from '../../src/core/tracker';
import type { CrumbEvent, Tracker } from '../../src/core/types';
import type { DwellEventType, DwellFigures } from '../../src/plugins/dwell-time';
import { dwellTime, onDwell, pageViews } from '../../src/plugins/page-options';
import { captureTransport, freshNamespace } from '../helpers';

const stops: (() => void)[] = [];
const trackers: Tracker[] = [];

/** Starts onDwell and returns what it reported, as [type, figures]. */
function watch(options: Parameters<typeof onDwell>[1] = {}) {
  const seen: [DwellEventType, DwellFigures][] = [];
  stops.push(onDwell((type, figures) => seen.push([type, figures]), options));
  return seen;
}

// happy-dom's page is always visible: switch visibility as a browser does, with the event.
function setVisibility(state: 'visible' | 'hidden') {
  Object.defineProperty(document, 'visibilityState', { value: state, configurable: true });
  document.dispatchEvent(new Event('visibilitychange', { bubbles: true }));
}
const input = () => document.body.dispatchEvent(new Event('pointermove', { bubbles: true }));
const wait = (ms: number) => vi.advanceTimersByTimeAsync(ms);
/** Input every `every` ms for `ms` ms. */
async function interact(ms: number, every = 250) {
  for (let t = 0; t < ms; t += every) {
    input();
    await wait(every);
  }
}
// A 4,000 px page in a 1,000 px viewport, scrolled to `y`: the document's scroll event bubbles
// (https://drafts.csswg.org/cssom-view/#scrolling-events), an element's does not.
function scrollTo(y: number) {
  Object.defineProperty(window, 'scrollY', { value: y, configurable: true });
  document.dispatchEvent(new Event('scroll', { bubbles: true }));
}

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date', 'performance'] });
  Object.defineProperty(window, 'innerHeight', { value: 1000, configurable: true });
  Object.defineProperty(document.documentElement, 'scrollHeight', { value: 4000, configurable: true });
  Object.defineProperty(window, 'scrollY', { value: 0, configurable: true });
  history.replaceState(null, '', '/');
});
afterEach(async () => {
  stops.splice(0).forEach((stop) => stop());
  await Promise.all(trackers.splice(0).map((t) => t.shutdown()));
  delete (document as { visibilityState?: string }).visibilityState;
  vi.useRealTimers();
});

describe('onDwell', () => {
  it('a view that starts while the document is loading (an async script tag) measures the scroll depth once it has loaded', async () => {
    Object.defineProperty(document, 'readyState', { value: 'loading', configurable: true });
    // The whole page fits the viewport: once loaded, it is seen to 100 %.
    Object.defineProperty(document.documentElement, 'scrollHeight', { value: 800, configurable: true });
    try {
      const seen = watch({ pingMs: 1000, engaged: { activeMs: 1000, scrollPct: 50 } });
      await interact(500);
      Reflect.deleteProperty(document, 'readyState');
      await interact(1500);
      expect(seen.map(([type, f]) => [type, f.maxScrollPct])).toEqual([
        ['engaged', 100],
        ['page_ping', 100],
        ['page_ping', 100],
      ]);
    } finally {
      Reflect.deleteProperty(document, 'readyState');
    }
  });

  it('counts visible and active time while the visitor interacts, and reports them when the page is hidden', async () => {
    const seen = watch();
    await interact(3000);
    setVisibility('hidden');
    expect(seen).toEqual([['page_leave', { visibleMs: 3000, activeMs: 3000, maxScrollPct: 25 }]]);
  });

  it('stops active time idleMs after the last input while visible time goes on', async () => {
    const seen = watch({ idleMs: 1000 });
    input();
    await wait(5000);
    setVisibility('hidden');
    expect(seen[0][1]).toMatchObject({ visibleMs: 5000, activeMs: 1000 });
  });

  it('counts 3 s active, 3 s hidden, 2 s idle past a 1 s timeout as 5 s visible and 4 s active', async () => {
    const seen = watch({ idleMs: 1000 });
    await interact(3000);
    setVisibility('hidden');
    await wait(3000);
    // Showing the page is itself an action: active for idleMs from there.
    setVisibility('visible');
    await wait(2000);
    setVisibility('hidden');
    expect(seen.map(([type, f]) => [type, f.visibleMs, f.activeMs])).toEqual([
      ['page_leave', 3000, 3000],
      ['page_leave', 5000, 4000],
    ]);
  });

  it('has no timer at all while the page is hidden, even with pings and milestones asked for', async () => {
    const seen = watch({ pingMs: 1000, engaged: { activeMs: 5000 } });
    input();
    expect(vi.getTimerCount()).toBe(1);
    setVisibility('hidden');
    expect(vi.getTimerCount()).toBe(0);
    await wait(60_000);
    expect(seen.map(([type]) => type)).toEqual(['page_leave']);
  });

  it('sends the last figure on pagehide and nothing after it', async () => {
    const seen = watch();
    await interact(1000);
    dispatchEvent(new Event('pagehide'));
    input();
    setVisibility('hidden');
    await wait(1000);
    expect(seen).toEqual([['page_leave', { visibleMs: 1000, activeMs: 1000, maxScrollPct: 25 }]]);
  });

  it('counts audible media playback as activity, but not a muted loop', async () => {
    const seen = watch({ idleMs: 1000 });
    const video = document.createElement('video');
    document.body.append(video);
    video.muted = true;
    for (let t = 0; t < 4000; t += 250) {
      video.dispatchEvent(new Event('timeupdate'));
      await wait(250);
    }
    video.muted = false;
    for (let t = 0; t < 4000; t += 250) {
      video.dispatchEvent(new Event('timeupdate'));
      await wait(250);
    }
    setVisibility('hidden');
    video.remove();
    // The first second after the start, then the 4 s of audible playback.
    expect(seen[0][1]).toMatchObject({ visibleMs: 8000, activeMs: 5000 });
  });

  it('takes no scroll of an element for activity (a carousel scrolls itself), but a wheel over it', async () => {
    const seen = watch({ idleMs: 1000 });
    const rail = document.createElement('div');
    document.body.append(rail);
    for (let t = 0; t < 4000; t += 250) {
      rail.dispatchEvent(new Event('scroll'));
      await wait(250);
    }
    for (let t = 0; t < 2000; t += 250) {
      rail.dispatchEvent(new Event('wheel', { bubbles: true }));
      await wait(250);
    }
    setVisibility('hidden');
    rail.remove();
    // The first second after the start, then the 2 s of wheeling.
    expect(seen[0][1]).toMatchObject({ visibleMs: 6000, activeMs: 3000 });
  });

  it('keeps the deepest scroll as the bottom of the viewport over the page height', async () => {
    const seen = watch();
    scrollTo(1000);
    scrollTo(2200);
    scrollTo(500);
    setVisibility('hidden');
    expect(seen[0][1].maxScrollPct).toBe(80);
  });

  it('sends engaged once when both thresholds are passed, also while the visitor reads without input', async () => {
    const seen = watch({ engaged: { activeMs: 2000, scrollPct: 50 } });
    scrollTo(1500);
    await wait(1999);
    expect(seen).toEqual([]);
    await wait(1);
    expect(seen).toEqual([['engaged', { visibleMs: 2000, activeMs: 2000, maxScrollPct: 63 }]]);
    await interact(5000);
    expect(seen.filter(([type]) => type == 'engaged')).toHaveLength(1);
  });

  it('waits for the scroll threshold of engaged after the active time was reached', async () => {
    const seen = watch({ engaged: { activeMs: 1000, scrollPct: 50 } });
    await wait(3000);
    expect(seen).toEqual([]);
    scrollTo(1200);
    expect(seen.map(([type, f]) => [type, f.activeMs, f.maxScrollPct])).toEqual([['engaged', 3000, 55]]);
  });

  it('sends page_ping after every pingMs of active time, and none while idle', async () => {
    const seen = watch({ pingMs: 1000, idleMs: 1500 });
    await wait(10_000);
    expect(seen.map(([type, f]) => [type, f.activeMs])).toEqual([['page_ping', 1000]]);
    input();
    await wait(500);
    expect(seen.map(([type, f]) => [type, f.activeMs])).toEqual([['page_ping', 1000], ['page_ping', 2000]]);
  });

  it('sends the final page_leave when stopped and listens to nothing after', async () => {
    const seen: DwellEventType[] = [];
    const stop = onDwell((type) => seen.push(type));
    await wait(1000);
    stop();
    stop();
    setVisibility('hidden');
    expect(seen).toEqual(['page_leave']);
  });

  it('starts counting only when a page opened in the background is shown', async () => {
    Object.defineProperty(document, 'visibilityState', { value: 'hidden', configurable: true });
    const seen = watch({ idleMs: 1000 });
    await wait(5000);
    setVisibility('visible');
    await wait(2000);
    setVisibility('hidden');
    expect(seen.map(([type, f]) => [type, f.visibleMs, f.activeMs])).toEqual([['page_leave', 2000, 1000]]);
  });
});

describe('dwellTime()', () => {
  function tracked(plugins = [pageViews(), dwellTime()]) {
    const tracker = createTracker({ transport: captureTransport().transport, storage: 'memory', namespace: freshNamespace(), plugins });
    trackers.push(tracker);
    const events: CrumbEvent[] = [];
    tracker.on('event', (e) => events.push(e));
    return { tracker, events };
  }
  const summary = (e: CrumbEvent) => [e.type, e.page.path, e.props.pageViewId, e.props.visibleMs];

  it('ends a view when the next SPA view starts, with its pageViewId and its own page', async () => {
    document.title = 'Home';
    const { events } = tracked();
    await interact(2000);
    history.pushState(null, '', '/shoes');
    document.title = 'Shoes';
    await wait(100);
    const [home, leave, shoes] = events;
    expect(events.map(summary)).toEqual([
      ['page_view', '/', undefined, undefined],
      ['page_leave', '/', home.id, 2100],
      ['page_view', '/shoes', undefined, undefined],
    ]);
    expect(leave.page).toEqual(home.page);
    expect(leave.props).toMatchObject({ pageViewId: home.id, activeMs: 2100, maxScrollPct: 25 });
    expect(shoes.page.title).toBe('Shoes');
  });

  it.each([
    ['automatic page views', false],
    ['router-driven page views (auto: false)', true],
  ])('with %s, treats a restore from the back/forward cache as a new view measured afresh', async (_, router) => {
    const { tracker, events } = tracked(router ? [pageViews({ auto: false }), dwellTime()] : undefined);
    if (router) tracker.page();
    await interact(1000);
    dispatchEvent(new Event('pagehide'));
    // A synthetic pageshow of a restore (happy-dom has no back/forward cache).
    dispatchEvent(Object.assign(new Event('pageshow'), { persisted: true }));
    await interact(5000);
    setVisibility('hidden');
    const [first, , second] = events;
    expect(events.map(summary)).toEqual([
      ['page_view', '/', undefined, undefined],
      ['page_leave', '/', first.id, 1000],
      ['page_view', '/', undefined, undefined],
      ['page_leave', '/', second.id, 5000],
    ]);
  });

  it('sends the final page_leave on shutdown', async () => {
    const { tracker, events } = tracked();
    await interact(1500);
    await tracker.shutdown();
    expect(events.map((e) => [e.type, e.props.visibleMs])).toEqual([
      ['page_view', undefined],
      ['page_leave', 1500],
    ]);
  });

  it('measures views recorded with tracker.page() too', async () => {
    const { tracker, events } = tracked([dwellTime({ pingMs: 1000 })]);
    tracker.page();
    await wait(1000);
    expect(events.map((e) => [e.type, e.props.pageViewId])).toEqual([
      ['page_view', undefined],
      ['page_ping', events[0].id],
    ]);
  });

  it('lets a site middleware that drops a view by its path drop that view’s dwell events too', async () => {
    const { tracker, events } = tracked();
    tracker.use((e) => (e.page.path.startsWith('/admin') ? null : e));
    await wait(100);
    history.pushState(null, '', '/admin');
    await wait(1000);
    history.pushState(null, '', '/shoes');
    await wait(100);
    expect(events.map((e) => [e.type, e.page.path])).toEqual([
      ['page_view', '/'],
      ['page_leave', '/'],
      ['page_view', '/shoes'],
    ]);
  });

  it('throws a clear error at call time for a bad option', () => {
    expect(() => dwellTime({ idleMs: -5 })).toThrow('crumbtrail: dwellTime option "idleMs" is -5; allowed: a number from 1000 to 86400000');
    expect(() => dwellTime({ pingMs: 10 })).toThrow('crumbtrail: dwellTime option "pingMs" is 10; allowed: 0 or a number from 1000 to 86400000');
    expect(() => dwellTime({ engaged: true } as never)).toThrow('crumbtrail: dwellTime option "engaged" is true; allowed: an object');
    // An empty array passed as an object with no threshold, and sent engaged at once.
    expect(() => dwellTime({ engaged: [] } as never)).toThrow('crumbtrail: dwellTime option "engaged" is an array; allowed: an object');
    expect(() => dwellTime({ engaged: [10_000, 50] } as never)).toThrow('crumbtrail: dwellTime option "engaged" is an array; allowed: an object');
    expect(() => dwellTime([] as never)).toThrow('crumbtrail: dwellTime options are an array; allowed: an object');
    expect(() => dwellTime({ engaged: { scrollPct: 150 } })).toThrow('crumbtrail: dwellTime engaged option "scrollPct" is 150; allowed: a number from 0 to 100');
    expect(() => dwellTime({ idle: 5000 } as never)).toThrow('dwellTime option "idle": no such option; did you mean "idleMs"? Options are idleMs, pingMs, engaged');
    expect(() => onDwell(() => {}, { pingMs: 0, engaged: { activeMs: 10_000 } })()).not.toThrow();
  });
});

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createTracker } from '../../src/core/tracker';
import type { CrumbEvent, Tracker } from '../../src/core/types';
import { onHistory } from '../../src/plugins/history-patch';
import { onPageView, pageViews } from '../../src/plugins/page-options';
import { captureTransport, freshNamespace } from '../helpers';

const stops: (() => void)[] = [];
const trackers: Tracker[] = [];

/** Starts onPageView and returns the paths of the views it reported. */
function watch(options: Parameters<typeof onPageView>[1] = {}) {
  const views: string[] = [];
  stops.push(onPageView(() => views.push(location.pathname + location.search + location.hash), options));
  return views;
}

/** A tracker with the pageViews plugin; its page_view events, as recorded. */
function tracked(plugin = pageViews()) {
  const tracker = createTracker({ transport: captureTransport().transport, storage: 'memory', namespace: freshNamespace(), plugins: [plugin] });
  trackers.push(tracker);
  const events: CrumbEvent[] = [];
  tracker.on('event', (e) => events.push(e));
  return { tracker, events };
}

// A synthetic pageshow: happy-dom's PageTransitionEvent ignores `persisted`.
const pageshow = (persisted: boolean) => Object.assign(new Event('pageshow'), { persisted });

// The first view comes in a microtask; a navigation becomes a view once the URL stayed put 100 ms.
const settle = async (ms = 100) => {
  await vi.advanceTimersByTimeAsync(ms);
};

beforeEach(() => {
  vi.useFakeTimers();
  history.replaceState(null, '', '/');
  document.title = 'Home';
});
afterEach(async () => {
  stops.splice(0).forEach((stop) => stop());
  await Promise.all(trackers.splice(0).map((t) => t.shutdown()));
  vi.useRealTimers();
});

describe('onPageView', () => {
  it('reports the first view in a microtask, so plugins set up after it see it', async () => {
    const views = watch();
    expect(views).toEqual([]);
    await Promise.resolve();
    expect(views).toEqual(['/']);
  });

  it('reports a pushState to a new path once the URL has stayed put for 100 ms', async () => {
    const views = watch();
    await settle();
    history.pushState(null, '', '/shoes');
    await settle(99);
    expect(views).toEqual(['/']);
    await settle(1);
    expect(views).toEqual(['/', '/shoes']);
  });

  it('collapses navigations within 100 ms into one view of the last URL', async () => {
    const views = watch();
    await settle();
    history.replaceState(null, '', '/a');
    await settle(50);
    history.pushState(null, '', '/a');
    await settle(50);
    history.pushState(null, '', '/b');
    await settle();
    expect(views).toEqual(['/', '/b']);
  });

  it('counts replaceState then pushState to one URL as one view', async () => {
    const views = watch();
    await settle();
    history.replaceState(null, '', '/shoes');
    history.pushState(null, '', '/shoes');
    await settle();
    expect(views).toEqual(['/', '/shoes']);
  });

  it('ignores a search box that rewrites the query with replaceState on every keystroke', async () => {
    const views = watch();
    await settle();
    for (const [i, letter] of [...'running shoes for trail and mud, size 44, black!'].entries()) {
      history.replaceState({ i }, '', '/?q=' + encodeURIComponent('running shoes for trail and mud, size 44, black!'.slice(0, i) + letter));
      await settle(i % 2 ? 30 : 250);
    }
    await settle();
    expect(views).toEqual(['/']);
  });

  it('counts a replaceState that changes only the query when asked with query: true', async () => {
    const views = watch({ query: true });
    await settle();
    history.replaceState(null, '', '/?q=boots');
    await settle();
    expect(views).toEqual(['/', '/?q=boots']);
  });

  it('counts a pushState that changes only the query', async () => {
    const views = watch();
    await settle();
    history.pushState(null, '', '/shoes');
    await settle();
    history.pushState(null, '', '/shoes?color=red');
    await settle();
    expect(views).toEqual(['/', '/shoes', '/shoes?color=red']);
  });

  it('ignores state-only and same-URL pushState and replaceState calls', async () => {
    const views = watch();
    await settle();
    history.pushState({ scroll: 10 }, '');
    await settle();
    history.replaceState({ scroll: 20 }, '', '/');
    await settle();
    history.pushState(null, '', '/');
    await settle();
    expect(views).toEqual(['/']);
  });

  it('reports back and forward (popstate) with their query', async () => {
    const views = watch();
    await settle();
    history.pushState(null, '', '/shoes?color=red');
    await settle();
    // happy-dom's history.back() does not move: set the URL and fire popstate as a browser does.
    history.replaceState(null, '', '/');
    dispatchEvent(new PopStateEvent('popstate'));
    await settle();
    expect(views).toEqual(['/', '/shoes?color=red', '/']);
  });

  it('ignores hash changes unless asked with hash: true', async () => {
    const plain = watch();
    const hashed = watch({ hash: true });
    await settle();
    history.replaceState(null, '', '/#/cart');
    dispatchEvent(new PopStateEvent('popstate'));
    dispatchEvent(new HashChangeEvent('hashchange'));
    await settle();
    expect(plain).toEqual(['/']);
    expect(hashed).toEqual(['/', '/#/cart']);
  });

  it('reports a restore from the back/forward cache at once as a new view of the same URL', async () => {
    const views = watch();
    await settle();
    dispatchEvent(pageshow(true));
    expect(views).toEqual(['/', '/']);
    dispatchEvent(pageshow(false));
    await settle();
    expect(views).toEqual(['/', '/']);
  });

  it('records no view when the load\'s pageshow comes after a search box rewrote the query', async () => {
    const views = watch();
    await settle();
    history.replaceState(null, '', '/?q=shoes');
    dispatchEvent(pageshow(false));
    await settle();
    expect(views).toEqual(['/']);
  });

  it('waits until a prerendered page is shown before its first view', async () => {
    Object.defineProperty(document, 'prerendering', { value: true, configurable: true });
    try {
      const views = watch();
      await settle();
      expect(views).toEqual([]);
      Object.defineProperty(document, 'prerendering', { value: false, configurable: true });
      document.dispatchEvent(new Event('prerenderingchange'));
      expect(views).toEqual(['/']);
    } finally {
      delete (document as { prerendering?: boolean }).prerendering;
    }
  });

  it('reports a Navigation API navigation once its intercept handlers are done, a push with its query', async () => {
    const navigation = Object.assign(new EventTarget(), { transition: null as { navigationType: string } | null });
    Object.defineProperty(window, 'navigation', { value: navigation, configurable: true });
    // An intercepted navigation: the URL changes at once, then the handlers run; as in the
    // browser, navigatesuccess comes while the transition is still set, which ends after it.
    const intercepted = async (navigationType: string, url: string, traverse?: boolean) => {
      navigation.transition = { navigationType };
      // No history method is called: the patched one on `history` does not hear of it.
      History.prototype.replaceState.call(history, null, '', url);
      if (traverse) dispatchEvent(new Event('popstate'));
      // The handlers load the route for longer than the URL must stay put.
      await settle(300);
      document.title = url;
      navigation.dispatchEvent(new Event('navigatesuccess'));
      navigation.transition = null;
      await settle();
    };
    try {
      const views: string[] = [];
      stops.push(onPageView(() => views.push(`${location.pathname}${location.search} ${document.title}`)));
      await settle();
      // navigation.navigate('/shoes?color=red') with intercept().
      await intercepted('push', '/shoes');
      await intercepted('push', '/shoes?color=red');
      // A replace navigation changing only the query is no view.
      await intercepted('replace', '/shoes?color=blue');
      // Back: popstate comes when the URL changes, the view once the route is rendered.
      await intercepted('traverse', '/shoes', true);
      expect(views).toEqual(['/ Home', '/shoes /shoes', '/shoes?color=red /shoes?color=red', '/shoes /shoes']);
    } finally {
      delete (window as { navigation?: unknown }).navigation;
    }
  });

  it('reports nothing and restores history.pushState and replaceState after stop', async () => {
    const { pushState, replaceState } = history;
    const views: string[] = [];
    const stop = onPageView(() => views.push(location.pathname));
    expect(history.pushState).not.toBe(pushState);
    history.pushState(null, '', '/shoes');
    stop();
    await settle();
    history.pushState(null, '', '/boots');
    await settle();
    expect(views).toEqual([]);
    expect(history.pushState).toBe(pushState);
    expect(history.replaceState).toBe(replaceState);
  });
});

describe('the history patch', () => {
  it('is installed once for any number of listeners and removed with the last', () => {
    const { pushState } = history;
    const heard: string[] = [];
    const stopA = onHistory((push) => heard.push('a' + +push));
    const patched = history.pushState;
    const stopB = onHistory((push) => heard.push('b' + +push));
    expect(history.pushState).toBe(patched);
    history.pushState(null, '', '/x');
    history.replaceState(null, '', '/y');
    expect(heard).toEqual(['a1', 'b1', 'a0', 'b0']);
    stopA();
    expect(history.pushState).toBe(patched);
    stopB();
    expect(history.pushState).toBe(pushState);
  });

  it('keeps a router that patched history after it working, before and after stop', () => {
    const { pushState } = history;
    const heard: string[] = [];
    const stop = onHistory(() => heard.push('crumbtrail'));
    const ours = history.pushState;
    history.pushState = function (...args: Parameters<History['pushState']>) {
      heard.push('router');
      return ours.apply(this, args);
    };
    history.pushState(null, '', '/a');
    stop();
    // Ours is no longer the outermost: it stays as a pass-through so the router's chain holds.
    history.pushState(null, '', '/b');
    expect(heard).toEqual(['router', 'crumbtrail', 'router']);
    expect(location.pathname).toBe('/b');
    history.pushState = pushState;
  });

  it('lets a bad URL throw from pushState as the browser does, and reports nothing', () => {
    const heard: boolean[] = [];
    stops.push(onHistory((push) => heard.push(push)));
    expect(() => history.pushState(null, '', 'https://elsewhere.example/')).toThrow();
    expect(heard).toEqual([]);
  });
});

describe('pageViews()', () => {
  it('records page_view with the new path, the title the router set after navigating, and the previous SPA URL as referrer', async () => {
    const { events } = tracked();
    await settle();
    history.pushState(null, '', '/shoes');
    // Routers set the title after the URL (in an effect, after render).
    setTimeout(() => (document.title = 'Shoes'), 20);
    await settle();
    history.pushState(null, '', '/shoes?color=red');
    setTimeout(() => (document.title = 'Red shoes'), 20);
    await settle();
    expect(events.map((e) => [e.type, e.page.path, e.page.title, e.page.referrer.replace(location.origin, '')])).toEqual([
      ['page_view', '/', 'Home', ''],
      ['page_view', '/shoes', 'Shoes', '/'],
      ['page_view', '/shoes', 'Red shoes', '/shoes'],
    ]);
    expect(events[2].page.url).toBe(location.origin + '/shoes?color=red');
  });

  it('with auto: false records only the page views the site asks for with tracker.page()', async () => {
    const { pushState } = history;
    const { tracker, events } = tracked(pageViews({ auto: false }));
    expect(history.pushState).toBe(pushState);
    history.pushState(null, '', '/shoes');
    await settle();
    expect(events).toEqual([]);
    tracker.page();
    expect(events.map((e) => [e.type, e.page.path])).toEqual([['page_view', '/shoes']]);
  });

  it('with auto: false a page restored from the back/forward cache, which no router sees, is still a page view', async () => {
    const { tracker, events } = tracked(pageViews({ auto: false }));
    tracker.page();
    dispatchEvent(pageshow(false));
    dispatchEvent(pageshow(true));
    await settle();
    expect(events.map((e) => e.type)).toEqual(['page_view', 'page_view']);
    await tracker.shutdown();
    dispatchEvent(pageshow(true));
    expect(events).toHaveLength(2);
  });

  it('removes the history patch on shutdown', async () => {
    const { pushState } = history;
    const { tracker } = tracked();
    expect(history.pushState).not.toBe(pushState);
    await tracker.shutdown();
    expect(history.pushState).toBe(pushState);
  });

  it('throws a clear error at call time for a bad option', () => {
    expect(() => pageViews({ hahs: true } as never)).toThrow(
      'crumbtrail: pageViews option "hahs": no such option; did you mean "hash"? Options are auto, hash, query, settleMs',
    );
    expect(() => pageViews({ settleMs: -5 })).toThrow('crumbtrail: pageViews option "settleMs" is -5; allowed: a number from 0 to 86400000');
    expect(() => pageViews({ query: 'yes' } as never)).toThrow('crumbtrail: pageViews option "query" is "yes"; allowed: true or false');
    expect(() => pageViews(null as never)).toThrow('crumbtrail: pageViews options are null; allowed: an object');
    expect(() => pageViews([{ hash: true }] as never)).toThrow('crumbtrail: pageViews options are an array; allowed: an object');
    expect(() => onPageView(() => {}, { auto: 1 } as never)).toThrow('pageViews option "auto" is 1');
  });
});

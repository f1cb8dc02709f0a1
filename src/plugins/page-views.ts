import type { Plugin } from '../core/types';
import { onHistory } from './history-patch';
import { listen } from './page-util';

/** Options of {@link pageViews} and {@link onPageView}. */
export interface PageViewOptions {
  /**
   * `false` leaves page views to your router: call `tracker.page()` from it. A page restored from
   * the back/forward cache, which no router sees, is still recorded. (Handled by the npm entry's
   * `pageViews`, page-options.ts: the script tag always records page views.)
   * @default true
   */
  auto?: boolean;
  /**
   * Count a change of the hash (`#/cart` → `#/checkout`) as a page view, for hash routers.
   * @default false
   */
  hash?: boolean;
  /**
   * Count a `replaceState` that changes only the query as a page view. Off by default because
   * search boxes and filters rewrite the query on every keystroke. `pushState`, back and forward
   * count query changes either way.
   * @default false
   */
  query?: boolean;
  /**
   * How long the URL must stay put before the view is recorded (at most a day): navigations
   * closer together collapse into one (redirects, replace-then-push), and the router has time to
   * set the title.
   * @default 100
   */
  settleMs?: number;
}

/**
 * Calls `callback` for every page view: the first one (once the page is shown, if it was
 * prerendered), every SPA navigation that changes the path (or the query on push, back and
 * forward; the hash with `hash: true`) once the URL has been stable for `settleMs`, and a
 * restore from the back/forward cache. State-only and same-URL `pushState`/`replaceState` calls
 * are not page views. Read `location` and `document.title` in the callback: they are the new
 * page's. The first view comes in a microtask, so that plugins set up after this one see it.
 * Options are not checked here: the npm entry's `onPageView` (page-options.ts) checks them.
 *
 * @returns stop: removes every listener, the pending timer and the history patch.
 * @example
 * const stop = onPageView(() => console.log('view', location.pathname, document.title));
 */
export function onPageView(callback: () => void, options: PageViewOptions = {}): () => void {
  const { hash, query, settleMs = 100 } = options;
  // The Navigation API (Chromium 102+, Firefox 147+, Safari 26.2+).
  const nav = (window as { navigation?: EventTarget & { transition?: { navigationType: string } | null } }).navigation;
  let timer: ReturnType<typeof setTimeout> | undefined;
  // Truthy when a push, back/forward or hash change happened since the last check.
  let push: unknown;
  let last: URL | undefined;

  // What makes a new page: the path; the query unless only replaceState changed it; the hash
  // when asked.
  const key = (u: URL | Location) => u.pathname + (push || query ? u.search : '') + (hash ? u.hash : '');
  // `reset` (a new view whatever the URL): the first view and a restore from the back/forward cache.
  const fire = (reset?: unknown) => {
    // A prerendered page is not seen until it is activated (https://developer.chrome.com/docs/web-platform/prerender-pages).
    // While a Navigation API router's handlers load the route (a back or forward it intercepted
    // fired popstate at once), the view waits for their navigatesuccess: the route's title is set.
    if ((document as { prerendering?: boolean }).prerendering || !offs[0] || (!reset && nav?.transition)) return;
    const changed = reset || key(location) != key(last!);
    last = new URL(location + '');
    push = 0;
    if (changed) callback();
  };
  const schedule = (isPush: unknown) => {
    push ||= isPush;
    clearTimeout(timer);
    timer = setTimeout(fire, settleMs);
  };
  const offs = [
    onHistory(schedule),
    // Back, forward and hash changes: every fragment navigation fires popstate before hashchange
    // (https://html.spec.whatwg.org/#updating-the-document); key() ignores the hash unless asked.
    // A page restored from the back/forward cache is a new view of the same URL; the pageshow of
    // the load changes nothing (on a slow load it can come after a router's first replaceState).
    listen(window, 'popstate pageshow', (e) => (e.type == 'popstate' ? schedule(1) : (e as PageTransitionEvent).persisted && fire(1))),
    listen(document, 'prerenderingchange', fire),
    // navigatesuccess follows every same-document navigation once its intercept handlers are
    // done (the route loaded), also those of navigation.navigate() that no history patch sees.
    // Only an intercepted one has a transition, and only its type tells a push from a replace.
    // Without the Navigation API, window never fires it.
    listen(nav || window, 'navigatesuccess', () => schedule(nav?.transition?.navigationType == 'push')),
  ];
  queueMicrotask(() => fire(1));

  return () => {
    clearTimeout(timer);
    offs.splice(0).forEach((off) => off());
  };
}

/**
 * Page views, right in single-page apps: the first view, then every route change of
 * `history.pushState`/`replaceState`, back/forward, the Navigation API and (optionally) hash
 * changes, recorded once the route settled so that path, title and `page.referrer` (the previous
 * SPA URL) are the new page's. A restore from the back/forward cache is a new view. In the script
 * tag: `data-plugins="pageviews"`. Options are not checked here, as the script tag passes none:
 * the npm entry's `pageViews` (page-options.ts) checks them, and handles `auto: false`.
 *
 * @example
 * createTracker({ collector: '/v1/batch', plugins: [pageViews()] });
 * // Router-driven instead: pageViews({ auto: false }) and router.afterEach(() => tracker.page());
 */
export function pageViews(options: PageViewOptions = {}): Plugin {
  return {
    name: 'pageviews',
    setup: (tracker) => onPageView(() => tracker.page(), options),
  };
}

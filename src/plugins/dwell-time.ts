import type { CrumbEvent, Plugin, Props } from '../core/types';
import { listen } from './page-util';

/** Events of the dwell plugin. */
export type DwellEventType = 'page_leave' | 'page_ping' | 'engaged';

/** The figures of one page view so far. */
export interface DwellFigures {
  /** Time the document was visible. */
  visibleMs: number;
  /** Time visible with an input, scroll or audible playback less than `idleMs` before. */
  activeMs: number;
  /**
   * Deepest point of the page seen: the lowest bottom of the viewport over the page height as
   * last measured (a scroll, a hide), 0-100. A page that grew since is measured at its new height.
   */
  maxScrollPct: number;
}

/** Options of {@link dwellTime} and {@link onDwell}. */
export interface DwellOptions {
  /**
   * After this long without input, scroll or audible playback the visitor counts as idle
   * (at most a day).
   * @default 30000
   */
  idleMs?: number;
  /**
   * Emit `page_ping` after every `pingMs` of active time (at most a day); 0 for none. (Handled
   * by the npm entry, page-options.ts: the script tag sends no pings.)
   * @default 0
   */
  pingMs?: number;
  /**
   * Emit `engaged` once per page view when both thresholds are passed (a missing one is 0).
   * (Handled by the npm entry, page-options.ts: the script tag sends no `engaged`.)
   * @default undefined (no `engaged` event)
   * @example { activeMs: 10000, scrollPct: 50 }
   */
  engaged?: { activeMs?: number; scrollPct?: number };
}

/**
 * The milestones of one page view (`engaged`, `page_ping`), which only the npm entry adds
 * (dwell-milestones.ts), so that the script tag carries none of their code. Called after each
 * update with the totals, it reports the milestones passed and returns the active time until the
 * next one (Infinity: none, or none before the page is scrolled deeper).
 */
export type Milestones = (activeMs: number, scrollPct: number, report: (type: DwellEventType) => void) => number;

// Input that means someone is there. Media `timeupdate` (4 a second, only while playing) keeps a
// watching visitor active; muted media (autoplaying hero loops) do not. Only the document's
// scroll counts: an element may scroll itself (a carousel), and a visitor's scroll of one comes
// with input (wheel, pointer, keys).
const ACTIVITY = 'pointerdown pointermove keydown wheel scroll timeupdate';

/**
 * Measures one page view from now: visible time, active time and scroll depth. Calls `callback`
 * with `page_leave` whenever the page goes hidden (so that a tab killed in the background keeps
 * its figure), and on `pagehide` or when stopped (the figures so far: a later one supersedes an
 * earlier one); with `engaged` and `page_ping` when active time reaches them, if `milestones`
 * (the npm entry's) says so. Its only timer waits for the next milestone while the visitor is
 * active: a hidden or idle page costs nothing. Options are not checked here: the npm entry's
 * `onDwell` (page-options.ts) checks them and adds the milestones.
 *
 * @returns stop: sends the final `page_leave` (unless `pagehide` did) and removes every listener.
 * @example
 * const stop = onDwell((type, f) => console.log(type, f.visibleMs, f.activeMs, f.maxScrollPct));
 */
export function onDwell(
  callback: (type: DwellEventType, figures: DwellFigures) => void,
  options: DwellOptions = {},
  milestones?: (options: DwellOptions) => Milestones,
): () => void {
  const { idleMs = 3e4 } = options;
  const next = milestones?.(options);
  const d = document;
  const now = () => performance.now();
  const { min, max, round } = Math;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let visible = false;
  let live = true;
  // Totals up to `counted`; the last activity; the deepest point seen (px) and the scroll depth.
  let vis = 0;
  let act = 0;
  let counted = 0;
  let last = 0;
  let seen = 0;
  let pct = 0;

  // The deepest bottom of the viewport seen, over the page's height now: a page that grows after
  // it was measured (content loaded after the view started) is not seen to its end.
  const depth = () => {
    pct = min(100, round((100 * (seen = max(seen, scrollY + innerHeight))) / (d.documentElement.scrollHeight || 1)));
  };
  // Also cancels the milestone timer: update() sets it again while the page is visible.
  const report = (type: DwellEventType) => {
    clearTimeout(timer);
    callback(type, { visibleMs: round(vis), activeMs: round(act), maxScrollPct: pct });
  };
  // Brings the totals up to now (`active`: an activity happened now) and reports the milestones
  // passed. Active time runs from each activity until the next one, for idleMs at most.
  const update = (active?: unknown) => {
    const t = now();
    clearTimeout(timer);
    if (visible) {
      vis += t - counted;
      act += max(0, min(t, last + idleMs) - counted);
    }
    counted = t;
    if (active) last = t;
    // Before DOMContentLoaded the page is not its full height yet: a depth then would be too deep.
    // Measured at the first update after it (a layout read, once: any page is over 0 %).
    if (!pct && d.readyState != 'loading') depth();
    // Active time grows with the clock until idleMs after the last activity: wake when it reaches
    // the next milestone within that window; past it, only new activity (which calls us) can.
    const due = next?.(act, pct, report);
    if (visible && due! <= last + idleMs - t) timer = setTimeout(update, due);
  };
  const stop = () => {
    if (live) {
      live = false;
      update();
      off();
      report('page_leave');
    }
  };
  const onEvent = (e: Event) => {
    const type = e.type;
    if (type == 'pagehide') {
      depth();
      stop();
    } else if (d.visibilityState == 'hidden') {
      // Also reached by media events of a page playing audio in the background: nothing to do.
      if (visible) {
        depth();
        update();
        visible = false;
        report('page_leave');
      }
    } else if (!visible) {
      // Showing the page is itself an action of the visitor: active from there.
      counted = now();
      visible = true;
      update(1);
      // Input and the document's scroll bubble; an element's scroll and media events do not.
    } else if (e.bubbles || (e.target as HTMLMediaElement).muted === false) {
      if (type == 'scroll') depth();
      update(1);
    }
  };
  // Capture on window: sees element scrolls, media events (which do not bubble) and
  // visibilitychange from the document; and runs before the queue's own pagehide and
  // visibilitychange listeners, so the page_leave recorded here leaves with the exit beacon.
  const off = listen(window, ACTIVITY + ' visibilitychange pagehide', onEvent, true);
  onEvent({} as Event);
  return stop;
}

/**
 * Dwell time per page view: `page_leave` with `{ pageViewId, visibleMs, activeMs, maxScrollPct }`
 * on every hide (an update: the collector keeps the last figure per `pageViewId`) and
 * when the view ends (the next page view, pagehide, shutdown); optional `page_ping` and `engaged`
 * with the same props. Measures the views that `pageViews()` or `tracker.page()` record, and its
 * events carry that view's `page`, also when the router already moved to the next one. In the
 * script tag: `data-plugins="dwell"`. Options are not checked here, as the script tag passes
 * none: the npm entry's `dwellTime` (page-options.ts) checks them and adds the milestones.
 *
 * @example
 * createTracker({ collector: '/v1/batch', plugins: [pageViews(), dwellTime({ engaged: { activeMs: 10000, scrollPct: 50 } })] });
 */
export function dwellTime(options: DwellOptions = {}, milestones?: (options: DwellOptions) => Milestones): Plugin {
  return {
    name: 'dwell',
    setup(tracker) {
      let stop: (() => void) | undefined;
      let view = { id: '' } as CrumbEvent;
      // Middleware, which runs before the event is queued: the last page_leave of a view is
      // recorded while the next page_view passes, once the router has moved on, so it gets the
      // page of the view it measures; and a site's middleware that drops a view (by its path)
      // then drops its dwell events too.
      const off = tracker.use((e) => {
        if (e.type == 'page_view') {
          stop?.();
          view = e;
          stop = onDwell((type, figures) => tracker.emit(type, { pageViewId: e.id, ...figures } as Props), options, milestones);
        } else if (e.props.pageViewId == view.id) e.page = view.page;
        return e;
      });
      return () => {
        stop?.();
        off();
      };
    },
  };
}

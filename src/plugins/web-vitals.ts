import { onCLS, onFCP, onINP, onLCP, onTTFB, type Metric, type ReportOpts } from 'web-vitals';
import type { Plugin, Props } from '../core/types';

/** The Core Web Vitals and the two loading metrics behind them. */
export type VitalName = 'LCP' | 'INP' | 'CLS' | 'FCP' | 'TTFB';

/** The rating of a value against web.dev's thresholds. */
export type VitalRating = 'good' | 'needs-improvement' | 'poor';

/**
 * Props of a `web_vital` event. `value` is milliseconds, except CLS (unitless). `id` is the
 * library's id of this metric instance (a restore from the back/forward cache gets a new one).
 * `target` (a CSS selector of the element) comes only from {@link webVitalsAttribution}.
 */
export type WebVital = {
  name: VitalName;
  value: number;
  rating: VitalRating;
  navigationType: Metric['navigationType'];
  id: string;
  target?: string;
};

/** One metric's reporter, shaped like web-vitals' `onLCP(callback, opts)`. */
export type VitalReporter = (callback: (metric: Metric) => void, opts?: ReportOpts) => void;

/** The reporters of the web-vitals library (or of its attribution build, or a test fake). */
export type VitalsLibrary = Record<`on${VitalName}`, VitalReporter>;

/** Options of {@link webVitals} and {@link onWebVital}. */
export interface WebVitalsOptions {
  /**
   * The metrics to report.
   * @default ['LCP', 'INP', 'CLS', 'FCP', 'TTFB']
   */
  metrics?: VitalName[];
  /**
   * The library's reporters. Tests pass fakes; {@link webVitalsAttribution} passes the
   * attribution build.
   * @default the `web-vitals` package
   */
  library?: VitalsLibrary;
}

/** Every metric, in the order of the default `metrics`. */
export const VITALS: VitalName[] = ['LCP', 'INP', 'CLS', 'FCP', 'TTFB'];

/**
 * Calls `callback` once per metric instance, when the library reports its final value: FCP and
 * TTFB soon after load, LCP at the first input or when the page is hidden, CLS and INP when the
 * page is hidden. A later report of the same instance (the page came back and was hidden again)
 * is skipped, so there is one event per metric per page view. The library cannot unsubscribe:
 * stop only silences the callback. Options are not checked here, as the script tag passes none:
 * the npm entry's `onWebVital` (web-vitals-options.ts) checks them.
 *
 * @returns stop
 * @example
 * const stop = onWebVital((v) => console.log(v.name, v.value, v.rating));
 */
export function onWebVital(
  callback: (vital: WebVital, metric: Metric) => void,
  options: WebVitalsOptions = {},
): () => void {
  const { metrics = VITALS, library = { onCLS, onFCP, onINP, onLCP, onTTFB } } = options;
  const seen = new Set<string>();
  let live = true;
  // A name given twice would subscribe twice: the library measures each as its own instance.
  for (const name of new Set(metrics)) {
    library[`on${name}`]((m) => {
      if (live && !seen.has(m.id) && seen.add(m.id)) {
        callback({ name: m.name, value: m.value, rating: m.rating, navigationType: m.navigationType, id: m.id }, m);
      }
    });
  }
  return () => (live = false);
}

/**
 * A plugin that records one `web_vital` event per metric per page view (LCP, INP, CLS, FCP,
 * TTFB) with props `{ name, value, rating, navigationType, id }`, using Google's `web-vitals`
 * library. Events recorded when the page is hidden leave by the queue's exit path (beacon).
 * In the script tag: `data-plugins="vitals"`. Options are not checked here: the npm entry's
 * `webVitals` (web-vitals-options.ts) checks them.
 *
 * @example
 * createTracker({ collector: '/v1/batch', plugins: [webVitals()] });
 */
export function webVitals(options: WebVitalsOptions = {}): Plugin {
  return {
    name: 'webVitals',
    setup: (tracker) => onWebVital((v) => tracker.emit('web_vital', v as Props), options),
  };
}

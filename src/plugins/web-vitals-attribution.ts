// A separate module because the attribution build of web-vitals is about twice the size of the
// standard one: only those who import webVitalsAttribution pay for it.
import { onCLS, onFCP, onINP, onLCP, onTTFB, type Metric, type MetricWithAttribution } from 'web-vitals/attribution';
import type { Plugin, Props } from '../core/types';
import { onWebVital, type WebVitalsOptions } from './web-vitals';
import { checkVitalsOptions } from './web-vitals-options';

/**
 * The CSS selector of the element behind a metric of the attribution build: the LCP element,
 * the element of the largest layout shift (CLS) or the interaction target (INP). FCP and TTFB
 * have none: undefined.
 *
 * @example
 * onLCP((m) => console.log(vitalTarget(m))); // "main>img.hero"
 */
export function vitalTarget(metric: Metric): string | undefined {
  const a = (metric as MetricWithAttribution).attribution as { target?: string; largestShiftTarget?: string; interactionTarget?: string } | undefined;
  return a && (a.target || a.largestShiftTarget || a.interactionTarget);
}

/**
 * {@link webVitals} on the attribution build of web-vitals: each `web_vital` event of LCP, CLS
 * and INP also carries `target`, the CSS selector of the element to fix.
 *
 * @example
 * import { createTracker, webVitalsAttribution } from 'crumbtrail';
 * createTracker({ collector: '/v1/batch', plugins: [webVitalsAttribution()] });
 */
export function webVitalsAttribution(options: WebVitalsOptions = {}): Plugin {
  checkVitalsOptions(options);
  const opts: WebVitalsOptions = { library: { onCLS, onFCP, onINP, onLCP, onTTFB }, ...options };
  return {
    name: 'webVitals',
    setup: (tracker) =>
      onWebVital((v, m) => {
        const target = vitalTarget(m);
        if (target) v.target = target;
        tracker.emit('web_vital', v as Props);
      }, opts),
  };
}

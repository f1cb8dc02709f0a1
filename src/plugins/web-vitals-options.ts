// The npm entry's webVitals and onWebVital: those of web-vitals.ts behind a check of their
// options. The script tag passes them no options and so carries no checks.
import { configError, show } from '../core/errors';
import { unknownOption } from '../core/suggest';
import type { Metric } from 'web-vitals';
import type { Plugin } from '../core/types';
import * as vitals from './web-vitals';

const NAMES = ['metrics', 'library'];

/**
 * Throws a configuration error naming the option, the value and what is allowed, for options
 * that are no object, an unknown option name (a typo must not pass silently), `metrics` that is
 * no array or names no metric of the library, and a `library` without the five reporters.
 *
 * @example
 * checkVitalsOptions({ metrics: ['LCP', 'FID'] }); // throws: webVitals option "metrics" has "FID"; allowed: LCP, INP, CLS, FCP, TTFB
 */
export function checkVitalsOptions(options: unknown): void {
  const bad = (what: string, allowed: string) => {
    throw configError(`webVitals ${what}; allowed: ${allowed}`);
  };
  if (!options || typeof options != 'object' || Array.isArray(options)) bad(`options are ${show(options)}`, 'an object');
  for (const name of Object.keys(options as object)) {
    if (!NAMES.includes(name)) throw configError(`webVitals option "${name}": ${unknownOption(name, NAMES)}`);
  }
  const { metrics, library } = options as vitals.WebVitalsOptions;
  const all = vitals.VITALS.join(', ');
  if (metrics !== undefined) {
    if (!Array.isArray(metrics)) bad(`option "metrics" is ${show(metrics)}`, `an array of ${all}`);
    for (const m of metrics) if (!vitals.VITALS.includes(m)) bad(`option "metrics" has ${show(m)}`, all);
  }
  if (library !== undefined && !vitals.VITALS.every((n) => typeof (library as Partial<vitals.VitalsLibrary> | null)?.[`on${n}`] == 'function')) {
    bad(`option "library" is ${show(library)}`, 'an object with onLCP, onINP, onCLS, onFCP and onTTFB');
  }
}

/**
 * {@link vitals.webVitals} with its options checked: throws at call time for a bad one.
 *
 * @example
 * createTracker({ collector: '/v1/batch', plugins: [webVitals({ metrics: ['LCP', 'INP', 'CLS'] })] });
 */
export function webVitals(options: vitals.WebVitalsOptions = {}): Plugin {
  checkVitalsOptions(options);
  return vitals.webVitals(options);
}

/**
 * {@link vitals.onWebVital} with its options checked: throws for a bad one.
 *
 * @example
 * const stop = onWebVital((v) => console.log(v.name, v.value, v.rating), { metrics: ['LCP'] });
 */
export function onWebVital(callback: (vital: vitals.WebVital, metric: Metric) => void, options: vitals.WebVitalsOptions = {}): () => void {
  checkVitalsOptions(options);
  return vitals.onWebVital(callback, options);
}

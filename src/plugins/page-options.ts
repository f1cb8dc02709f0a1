// The npm entry's pageViews, onPageView, dwellTime and onDwell: the plugins of page-views.ts and
// dwell-time.ts behind a check of their options, with the dwell milestones (engaged, page_ping)
// that only options ask for. The script tag passes them no options and so carries no checks and
// no milestones, as it carries no check of the tracker's options (startTracker).
import { configError, show } from '../core/errors';
import { unknownOption } from '../core/suggest';
import type { Plugin } from '../core/types';
import { dwellMilestones } from './dwell-milestones';
import * as dwell from './dwell-time';
import { listen } from './page-util';
import * as views from './page-views';

/** A test of one option's value and the words saying what is allowed; or the rules of an object. */
type Rule = [test: (value: unknown) => boolean, allowed: string] | Rules;
interface Rules {
  [name: string]: Rule;
}

const flag: Rule = [(v) => typeof v == 'boolean', 'true or false'];
const range = (min: number, max: number, orZero?: boolean): Rule => [
  (v) => typeof v == 'number' && ((v >= min && v <= max) || (!!orZero && v === 0)),
  `${orZero ? '0 or ' : ''}a number from ${min} to ${max}`,
];
const DAY = 864e5;
const VIEW_RULES: Rules = { auto: flag, hash: flag, query: flag, settleMs: range(0, DAY) };
const DWELL_RULES: Rules = {
  idleMs: range(1000, DAY),
  // A ping is an event: more than one a second would flood the queue.
  pingMs: range(1000, DAY, true),
  engaged: { activeMs: range(0, DAY), scrollPct: range(0, 100) },
};

// Throws a configuration error naming the option, the value and what is allowed, for an unknown
// name (a typo must not pass silently), a wrong type or a number out of range. `undefined` values
// count as absent. An array is no object here: `engaged: []` would pass as one with no threshold.
const isObject = (v: unknown): v is object => !!v && typeof v == 'object' && !Array.isArray(v);
function checkOptions(where: string, options: unknown, rules: Rules): void {
  if (!isObject(options)) {
    throw configError(`${where} options are ${show(options)}; allowed: an object`);
  }
  for (const [name, value] of Object.entries(options)) {
    const rule = rules[name];
    if (!rule) throw configError(`${where} option "${name}": ${unknownOption(name, Object.keys(rules))}`);
    const allowed = Array.isArray(rule) ? !rule[0](value) && rule[1] : !isObject(value) && 'an object';
    if (value !== undefined && allowed) {
      throw configError(`${where} option "${name}" is ${show(value)}; allowed: ${allowed}`);
    }
    if (value && !Array.isArray(rule)) checkOptions(`${where} ${name}`, value, rule);
  }
}

/**
 * {@link views.pageViews} with its options checked: throws at call time for a bad one.
 *
 * @example
 * createTracker({ collector: '/v1/batch', plugins: [pageViews({ hash: true })] });
 */
export function pageViews(options: views.PageViewOptions = {}): Plugin {
  checkOptions('pageViews', options, VIEW_RULES);
  if (options.auto !== false) return views.pageViews(options);
  // A restore from the back/forward cache is a new view that no router sees.
  return {
    name: 'pageviews',
    setup: (tracker) => listen(window, 'pageshow', (e) => (e as PageTransitionEvent).persisted && tracker.page()),
  };
}

/**
 * {@link views.onPageView} with its options checked: throws for a bad one.
 *
 * @example
 * const stop = onPageView(() => console.log('view', location.pathname, document.title), { query: true });
 */
export function onPageView(callback: () => void, options: views.PageViewOptions = {}): () => void {
  checkOptions('pageViews', options, VIEW_RULES);
  return views.onPageView(callback, options);
}

/**
 * {@link dwell.dwellTime} with its options checked: throws at call time for a bad one.
 *
 * @example
 * createTracker({ collector: '/v1/batch', plugins: [pageViews(), dwellTime({ idleMs: 15000, pingMs: 30000 })] });
 */
export function dwellTime(options: dwell.DwellOptions = {}): Plugin {
  checkOptions('dwellTime', options, DWELL_RULES);
  return dwell.dwellTime(options, dwellMilestones);
}

/**
 * {@link dwell.onDwell} with its options checked: throws for a bad one.
 *
 * @example
 * const stop = onDwell((type, f) => console.log(type, f.activeMs), { engaged: { activeMs: 10000 } });
 */
export function onDwell(callback: (type: dwell.DwellEventType, figures: dwell.DwellFigures) => void, options: dwell.DwellOptions = {}): () => void {
  checkOptions('dwellTime', options, DWELL_RULES);
  return dwell.onDwell(callback, options, dwellMilestones);
}

import { configError, show } from '../core/errors';
import { defaultConfig, type Config } from '../core/options';
import { startTracker } from '../core/tracker';
import type { Plugin, Tracker } from '../core/types';

/** A plugin factory the script tag can enable by name in `data-plugins`. */
export type PluginFactory = (script: DOMStringMap) => Plugin;

/** A call queued by the stub snippet: `['track', 'name', { props }]`. */
export type QueuedCall = [string, ...unknown[]];

/** `window.crumbtrail` after the script loaded: the tracker, plus `push` for stub-style calls. */
export type ScriptTracker = Tracker & { push(...calls: QueuedCall[]): number };

// `window.crumbtrail` holds the stub snippet's queued calls, then the tracker.
type Host = Window & { crumbtrail?: QueuedCall[] | ScriptTracker };

// data-* attributes as `dataset` names them, the pattern of a valid value, what is allowed, and
// for numbers the batch option they set. The collector comes first: it is required.
const ATTRS: [string, RegExp, string, (keyof Config['batch'])?][] = [
  ['collector', /./, 'the collector URL'],
  ['consent', /^(granted|pending|denied)$/, 'granted, pending or denied'],
  ['storage', /^(indexeddb|memory)$/, 'indexeddb or memory'],
  ['namespace', /^[\w-]{1,40}$/, '1 to 40 letters, digits, _ or -'],
  ['batchSize', /^[1-9]\d{0,2}$/, 'a whole number from 1 to 999', 'maxEvents'],
  ['flushInterval', /^\d{1,7}$/, 'milliseconds', 'flushIntervalMs'],
];

/**
 * Reads the tracker's configuration from the script element's data-* attributes, and throws a
 * clear error for a missing collector or a bad value.
 */
export function configFrom(data: DOMStringMap, plugins: Plugin[]): Config {
  // data-debug (empty or any value but false) turns debug on.
  const config = { ...defaultConfig(), plugins, debug: data.debug != null && data.debug != 'false' };
  ATTRS.forEach(([name, valid, allowed, option], i) => {
    const value = data[name];
    if (!value && i) return;
    if (!value || !valid.test(value)) {
      throw configError(`data-${name.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase())} is ${show(value)}; allowed: ${allowed}`);
    }
    if (option) config.batch[option] = +value;
    else (config as unknown as Record<string, string>)[name] = value;
  });
  return config;
}

/**
 * Boots the script-tag build: reads `data-*` from its own `<script>`, creates the tracker with
 * the plugins named in `data-plugins`, replays the calls the stub snippet queued in order, and
 * keeps `crumbtrail.push([...])` working. A second copy of the script finds the tracker in
 * place and does nothing.
 *
 * @example
 * <script>window.crumbtrail = window.crumbtrail || []; crumbtrail.push(['track', 'early']);</script>
 * <script async src="crumbtrail.min.js" data-collector="/v1/batch" data-plugins="pageviews,dwell"></script>
 */
export function boot(factories: Record<string, PluginFactory>): void {
  const existing = (window as Host).crumbtrail;
  if (existing && !Array.isArray(existing)) return;
  const data = (document.currentScript as HTMLScriptElement | null)?.dataset || {};
  let tracker: Tracker;
  const run = (call: unknown) => {
    const method = Array.isArray(call) && tracker[call[0] as keyof Tracker];
    if (typeof method != 'function') {
      return tracker.report(`push() needs ['method', ...args] naming a tracker method, got ${show(call)}`);
    }
    try {
      (method as (...a: unknown[]) => unknown)(...(call as unknown[]).slice(1));
    } catch (e) {
      tracker.report(e);
    }
  };
  // Replaying is the last plugin: the others (dwellTime's measure of each page view) then see a
  // queued ['page']; the automatic first page view still follows, as pageViews sends it a
  // microtask later.
  const replay: Plugin = {
    name: 'replay',
    setup(t) {
      tracker = t;
      // for-of, not forEach: it also makes the calls pushed on the stub while it replays
      // (a queued listener's).
      for (const call of existing || []) run(call);
    },
  };
  startTracker(
    configFrom(data, [
      ...(data.plugins?.match(/[^\s,]+/g) || []).map((name) => {
        if (!factories[name]) {
          throw configError(`data-plugins names "${name}"; this build has ${Object.keys(factories).join(', ') || 'none'}`);
        }
        return factories[name](data);
      }),
      replay,
    ]),
  );
  (window as Host).crumbtrail = Object.assign(Object.create(null), tracker!, {
    push(...calls: QueuedCall[]) {
      calls.forEach(run);
      return 0;
    },
  }) as ScriptTracker;
}

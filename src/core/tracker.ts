import { createQueue, type Drop } from '../queue/queue';
import { httpTransport } from '../transport/http';
import { campaignOf, pageContext, redactUrl } from './context';
import { createEmitter } from './emitter';
import { show, toError } from './errors';
import { uuid } from './id';
import { noopTracker } from './noop';
import { resolveOptions, type Config, type TrackerOptions } from './options';
import { sanitize } from './sanitize';
import { createIdentity } from './session';
import { getItem, removeKeys, setItem } from './storage';
import type { Consent, CrumbEvent, EventType, Middleware, Tracker } from './types';

const CONSENTS = 'granted pending denied'.split(' ') as Consent[];
const MAX_NAME = 200;

/**
 * Creates a tracker. Throws a clear error for bad options; after that nothing it does throws
 * into the page: problems are reported through `on('error')`. Where there is no `window` (SSR)
 * it returns a tracker that does nothing.
 *
 * @example
 * const tracker = createTracker({ collector: '/v1/batch', plugins: [pageViews(), dwellTime()] });
 * tracker.track('add_to_cart', { sku: 'A-1', price: 19.9 });
 */
export function createTracker(options: TrackerOptions): Tracker {
  const config = resolveOptions(options);
  return typeof document == 'undefined' ? noopTracker() : startTracker(config);
}

/**
 * Starts a tracker from a checked configuration where a DOM is certain: the script-tag builds,
 * which check their data-* attributes themselves, carry neither option checks nor SSR fallback.
 */
export function startTracker(config: Config): Tracker {
  const emitter = createEmitter(config.debug);
  const report = (e: unknown, where?: string) => emitter.emit('error', toError(e, where));
  const drop: Drop = (reason, count, error) => count && emitter.emit('dropped', { reason, count, error });
  const identity = createIdentity(config.namespace, config.sessionTimeoutMs, config.consent == 'granted');
  const queue = createQueue(config, config.transport || httpTransport({ url: config.collector! }), emitter, report, drop);
  const redact = (url: string) => redactUrl(url, config.redact);
  const context = pageContext(campaignOf(location.href, document.referrer));
  const middleware: Middleware[] = [];
  const stops: (() => void)[] = [];
  let referrer = redact(document.referrer);
  let lastView: string | undefined;
  let href = '';
  let url = '';
  let seq = 0;
  let stopping: Promise<void> | undefined;

  // `type` is 'track' for track(), where `name` is the event's name, and '' for emit() (which
  // page and identify go through), where `name` is the type. A name that is not a non-empty
  // string is repaired when it is a number or boolean, else the event is dropped; either way one
  // error says so.
  const record = (type: EventType, name: unknown, props: unknown): string => {
    if (stopping) return '';
    const problems: string[] = [];
    if (typeof name == 'number' || typeof name == 'boolean') {
      problems.push(`name (${name}) sent as a string`);
      name = String(name);
    }
    if (typeof name != 'string' || !name.trim()) {
      report(`${type || 'emit'}() needs a name, got ${show(name)}; dropped`);
      drop('invalid', 1);
      return '';
    }
    name = name.slice(0, MAX_NAME);
    if (!type) {
      type = name as string;
      name = undefined;
    }
    try {
      const clean = sanitize(props, problems, redact);
      // Redacting parses the URL: do it once per URL, not once per event.
      if (location.href != href) url = redact((href = location.href));
      if (type == 'page_view') {
        if (lastView !== undefined && lastView != url) referrer = lastView;
        lastView = url;
      }
      const ts = Date.now();
      // Absent fields are undefined, which JSON leaves out.
      let e: CrumbEvent = {
        id: uuid(),
        type,
        name: name as string | undefined,
        ts,
        seq: ++seq,
        anonymousId: identity.anonymousId(),
        sessionId: identity.sessionId(ts),
        userId: identity.userId(),
        page: { url, path: location.pathname, title: document.title, referrer },
        // A copy: middleware that adds a key would add it to every event still in memory.
        context: { ...context },
        props: clean,
      };
      // A copy: a middleware removing itself would make the loop skip the next one.
      for (const m of [...middleware]) {
        try {
          const out = m(e);
          if (!out) return drop('middleware', 1), '';
          // An async middleware's promise, or `true`, would go on the wire in place of the event,
          // where the collector refuses the whole batch for it.
          if (!out.id) throw `returned ${show(out)}, not an event`;
          e = out;
        } catch (err) {
          report(err, 'middleware');
        }
      }
      if (problems.length) report(`${name === undefined ? type : `track("${name}")`}: ${problems.join('; ')}`);
      emitter.emit('event', e);
      queue.push(e);
      return e.id;
    } catch (err) {
      report(err, type);
      return '';
    }
  };

  const tracker: Tracker = {
    // The emitter's on and off; its emit gives way to the tracker's below.
    ...emitter,
    track: (name, props) => record('track', name, props),
    emit: (type, props) => record('', type, props),
    page: (props) => record('', 'page_view', props),
    identify(userId, traits) {
      if (typeof userId != 'string' || !userId || userId.length > MAX_NAME) {
        report(`identify() needs a user id of 1 to ${MAX_NAME} characters, got ${show(userId)}; ignored`);
        return '';
      }
      identity.userId(userId);
      return record('', 'identify', traits);
    },
    setConsent(c) {
      if (!CONSENTS.includes(c)) return report(`setConsent() got ${show(c)}; ignored`);
      // Events held while consent was pending get the ids the visitor turned out to have.
      queue.setConsent(c, identity.persist(c == 'granted'));
      // 'denied' removes every key of crumbtrail's, plugins' state included.
      if (c == 'denied') removeKeys(config.namespace + ':');
    },
    state(key, value) {
      key = config.namespace + ':' + key;
      return queue.status().consent != 'granted' ? null : value === undefined ? getItem(key) : setItem(key, value) ? value : null;
    },
    use(fn) {
      if (typeof fn != 'function') {
        report(`use() got ${show(fn)}; ignored`);
        return () => {};
      }
      middleware.push(fn);
      // indexOf gives -1 once removed, which `>>> 0` turns into an index past the end.
      return () => void middleware.splice(middleware.indexOf(fn) >>> 0, 1);
    },
    flush: queue.flush,
    status: queue.status,
    report,
    // One shutdown, whose promise every call gets: a second caller waits for the delivery too.
    // `stopping` is set once the plugins have stopped, so that their last events are recorded.
    shutdown: () =>
      (stopping ||= (async () => {
        for (const stop of stops.splice(0).reverse()) {
          try {
            stop();
          } catch (e) {
            report(e, 'shutdown');
          }
        }
        await queue.stop();
      })()),
  };

  // Denied from the start clears what an earlier visit stored.
  if (config.consent == 'denied') tracker.setConsent('denied');
  for (const plugin of config.plugins) {
    try {
      const stop = plugin.setup(tracker);
      if (typeof stop == 'function') stops.push(stop);
    } catch (e) {
      report(e, `plugin ${plugin.name}`);
    }
  }
  return tracker;
}

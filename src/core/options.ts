import type { Consent, Plugin, StorageKind, Transport } from './types';
import { configError, show } from './errors';
import { unknownOption } from './suggest';

/** Batching of deliveries. */
export interface BatchOptions {
  /** Most events in one POST. @default 50 */
  maxEvents?: number;
  /** Most bytes in one POST; below 64 KB so that a batch fits one beacon. @default 60000 */
  maxBytes?: number;
  /** How long an event may wait before a flush starts. @default 5000 */
  flushIntervalMs?: number;
}

/** Bounds of the durable queue; past a bound the oldest events are dropped and reported. */
export interface QueueOptions {
  /** @default 10000 */
  maxEvents?: number;
  /** @default 5000000 */
  maxBytes?: number;
  /** @default 604800000 (7 days) */
  maxAgeMs?: number;
}

/**
 * Options of `createTracker`. Unknown keys are errors, so that typos never pass silently.
 *
 * @example
 * createTracker({ collector: '/v1/batch', plugins: [pageViews()], consent: 'pending' });
 */
export interface TrackerOptions {
  /** Collector URL; shorthand for `transport: httpTransport({ url })`. */
  collector?: string;
  /** Any object with `send(batch, ctx)`. Give this or `collector`. */
  transport?: Transport;
  batch?: BatchOptions;
  queue?: QueueOptions;
  /** `'memory'` keeps events for the page's life only. @default 'indexeddb' (memory when unavailable) */
  storage?: StorageKind;
  /** @default 'granted' */
  consent?: Consent;
  /** Sources of events. @default [] */
  plugins?: Plugin[];
  /** Logs what the tracker does to the console. @default false */
  debug?: boolean;
  /**
   * Query parameters whose name contains one of these words (case-insensitive) are replaced by
   * `REDACTED` in every URL. Replaces the default list.
   * @default ['email', 'token', 'password', 'passwd', 'secret', 'auth', 'session', 'key', 'phone']
   */
  redact?: string[];
  /** A visitor's session ends after this long without events. @default 1800000 (30 min) */
  sessionTimeoutMs?: number;
  /** Prefix of storage keys and the IndexedDB database name, for several trackers. @default 'crumbtrail' */
  namespace?: string;
}

/** Options after validation, with defaults applied. */
export interface Config {
  collector?: string;
  transport?: Transport;
  batch: Required<BatchOptions>;
  queue: Required<QueueOptions>;
  storage: StorageKind;
  consent: Consent;
  plugins: Plugin[];
  debug: boolean;
  redact: string[];
  sessionTimeoutMs: number;
  namespace: string;
}

/** Default words for `redact`. */
export const REDACT = 'email token password passwd secret auth session key phone'.split(' ');

// Least and most of each numeric option; their defaults are in `defaultConfig`.
const RANGES: Record<string, [number, number]> = {
  'batch.maxEvents': [1, 1000],
  'batch.maxBytes': [1000, 1e6],
  'batch.flushIntervalMs': [0, 36e5],
  'queue.maxEvents': [1, 1e6],
  'queue.maxBytes': [1e4, 5e8],
  'queue.maxAgeMs': [1000, 31536e6],
  sessionTimeoutMs: [6e4, 864e5],
};

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => !!v && typeof v == 'object' && !Array.isArray(v);
const isArray = (v: unknown, item: (x: unknown) => unknown) => Array.isArray(v) && v.every(item);

// Other options: name → [valid?, what is allowed].
const RULES: Record<string, [(v: unknown) => unknown, string]> = {
  collector: [(v) => typeof v == 'string' && v, 'a URL'],
  transport: [(v) => isObj(v) && typeof v.send == 'function', 'an object with a send(batch, ctx) method'],
  batch: [isObj, 'an object'],
  queue: [isObj, 'an object'],
  storage: [(v) => v == 'indexeddb' || v == 'memory', "'indexeddb' or 'memory'"],
  consent: [(v) => v == 'granted' || v == 'pending' || v == 'denied', "'granted', 'pending' or 'denied'"],
  plugins: [(v) => isArray(v, (p) => isObj(p) && typeof p.setup == 'function'), 'an array of plugins ({ name, setup })'],
  debug: [(v) => typeof v == 'boolean', 'true or false'],
  redact: [(v) => isArray(v, (w) => typeof w == 'string' && w), 'an array of words'],
  sessionTimeoutMs: [() => 1, ''],
  namespace: [(v) => typeof v == 'string' && /^[\w-]{1,40}$/.test(v), '1 to 40 letters, digits, _ or -'],
};

const fail = (name: string, value: unknown, allowed: string) => {
  throw configError(`option "${name}" is ${show(value)}; allowed: ${allowed}`);
};
const unknown = (name: string, names: string[]) => {
  throw configError(`option "${name}": ${unknownOption(name.replace(/.*\./, ''), names)}`);
};

/** The configuration with every default and no collector or transport. */
export function defaultConfig(): Config {
  return {
    storage: 'indexeddb',
    consent: 'granted',
    plugins: [],
    debug: false,
    namespace: 'crumbtrail',
    redact: REDACT,
    sessionTimeoutMs: 18e5,
    batch: { maxEvents: 50, maxBytes: 6e4, flushIntervalMs: 5000 },
    queue: { maxEvents: 1e4, maxBytes: 5e6, maxAgeMs: 6048e5 },
  };
}

/**
 * Checks every option and applies defaults; throws one clear error naming the option, its value
 * and what is allowed.
 */
export function resolveOptions(input: unknown): Config {
  if (!isObj(input)) fail('options', input, 'an object such as { collector: "/v1/batch" }');
  const o = input as Obj;
  const config = defaultConfig() as Config & Obj;
  const { batch, queue } = config;
  for (const k in o) {
    // `[0]`: RULES.constructor and RULES.toString are Object's, not rules.
    if (!RULES[k]?.[0]) unknown(k, Object.keys(RULES));
    if (o[k] !== undefined) {
      if (!RULES[k][0](o[k])) fail(k, o[k], RULES[k][1]);
      config[k] = o[k];
    }
  }
  Object.assign(config, { batch, queue });
  for (const name in RANGES) {
    const [min, max] = RANGES[name];
    const [a, b] = name.split('.');
    const v = b ? (o[a] as Obj | undefined)?.[b] : o[a];
    if (v !== undefined && !(Number.isInteger(v) && (v as number) >= min && (v as number) <= max)) {
      fail(name, v, `a whole number from ${min} to ${max}`);
    }
    if (v !== undefined) {
      if (b) (config[a] as Obj)[b] = v;
      else config[a] = v;
    }
  }
  for (const section of ['batch', 'queue']) {
    for (const k in o[section] as Obj) {
      if (!RANGES[section + '.' + k]) {
        unknown(section + '.' + k, Object.keys(RANGES).flatMap((r) => (r.startsWith(section + '.') ? [r.slice(section.length + 1)] : [])));
      }
    }
  }
  if (!o.collector == !o.transport) throw configError('give one of the options "collector" (a URL) and "transport"');
  config.redact = ((o.redact as string[]) || REDACT).map((w) => w.toLowerCase());
  return config;
}

/**
 * Public types of crumbtrail. They are the documentation of the wire format and of the contracts
 * between sources (plugins), the core, the queue and transports.
 */

import type { GeofenceController } from '../plugins/geofences';

/** A JSON value as it travels on the wire. */
export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

/** Free-form event properties: JSON only, at most 32 KB serialized, strings at most 8 KB. */
export type Props = { [key: string]: Json };

/**
 * Event types of the wire format. `track` is a custom event whose name is in `name`.
 * Other strings are accepted for plugins of your own.
 */
export type EventType =
  | 'page_view'
  | 'page_leave'
  | 'page_ping'
  | 'engaged'
  | 'track'
  | 'identify'
  | 'video_start'
  | 'video_pause'
  | 'video_resume'
  | 'video_seek'
  | 'video_progress'
  | 'video_complete'
  | 'video_summary'
  | 'geofence_enter'
  | 'geofence_dwell'
  | 'geofence_exit'
  | 'coupon_shown'
  | 'coupon_clicked'
  | 'coupon_dismissed'
  | 'web_vital'
  | 'sdk_error'
  | (string & {});

/** Where an event happened. URLs are redacted before they are stored or sent. */
export interface PageInfo {
  /** Full URL with sensitive query parameters replaced by `REDACTED`. */
  url: string;
  path: string;
  title: string;
  /** The previous page of an SPA, else `document.referrer` (redacted); empty when unknown. */
  referrer: string;
}

/** Marketing attribution from `utm_*` parameters or a social network referrer. */
export interface Campaign {
  source?: string;
  medium?: string;
  campaign?: string;
  term?: string;
  content?: string;
}

/** Context shared by every event of a page. Plugins may add keys (e.g. `geo`). */
export interface EventContext {
  locale: string;
  tz: string;
  screen: string;
  campaign?: Campaign;
  [key: string]: Json | Campaign | undefined;
}

/**
 * One breadcrumb, exactly as it goes on the wire.
 *
 * @example
 * tracker.on('event', (e: CrumbEvent) => console.log(e.type, e.id));
 */
export interface CrumbEvent {
  /** Unique id (UUID v4): collectors drop repeats, so delivery can be at-least-once. */
  id: string;
  type: EventType;
  /** The custom event name, for `type: 'track'`. */
  name?: string;
  /** Epoch milliseconds when the event was tracked. */
  ts: number;
  /** Order of the event among those tracked by this page's tracker, from 1. */
  seq: number;
  anonymousId: string;
  sessionId: string;
  userId?: string;
  page: PageInfo;
  context: EventContext;
  props: Props;
}

/** What a transport sends: one POST body of the wire format. */
export interface Batch {
  v: 1;
  /** ISO time of sending. */
  sentAt: string;
  sdk: { name: 'crumbtrail'; version: string };
  events: CrumbEvent[];
}

/**
 * The outcome of one `send`. `retry: true` asks the queue to try again later (after
 * `retryAfterMs` when the collector said so); `tooLarge: true` asks it to split the batch.
 */
export type SendResult =
  | { ok: true }
  | { ok: false; retry: boolean; retryAfterMs?: number; tooLarge?: boolean; error?: string };

/** Passed to `Transport.send`. */
export interface SendContext {
  /** True while the page is being hidden or unloaded: use sendBeacon / keepalive. */
  unloading: boolean;
}

/**
 * Anything that delivers a batch. The queue owns retries and persistence; a transport only sends.
 *
 * @example
 * const transport: Transport = {
 *   async send(batch) {
 *     const res = await fetch('/collect', { method: 'POST', body: JSON.stringify(batch) });
 *     return res.ok ? { ok: true } : { ok: false, retry: res.status >= 500 };
 *   },
 * };
 */
export interface Transport {
  send(batch: Batch, ctx: SendContext): Promise<SendResult>;
}

/**
 * A source of breadcrumbs. `setup` runs once in `createTracker`; the function it may return runs
 * in `shutdown()` and must remove every listener the plugin added.
 *
 * @example
 * const clicks: Plugin = {
 *   name: 'clicks',
 *   setup(tracker) {
 *     const onClick = () => tracker.track('click');
 *     addEventListener('click', onClick);
 *     return () => removeEventListener('click', onClick);
 *   },
 * };
 */
export interface Plugin {
  name: string;
  setup(tracker: Tracker): void | (() => void);
}

/** Consent state. `pending` keeps events in memory only; `denied` drops them and clears storage. */
export type Consent = 'granted' | 'pending' | 'denied';

/** Where the queue keeps events. */
export type StorageKind = 'indexeddb' | 'memory';

/** Why events were dropped. */
export type DropReason =
  | 'rejected'
  | 'too_large'
  | 'queue_full'
  | 'expired'
  | 'quota'
  | 'consent'
  | 'middleware'
  | 'invalid';

/** Payload of the `dropped` report. */
export interface DropReport {
  reason: DropReason;
  count: number;
  error?: string;
}

/** Payload of the `sent` report. */
export interface SentReport {
  count: number;
  ids: string[];
}

/** Payloads of the tracker's reports, by name. */
export interface TrackerEvents {
  event: CrumbEvent;
  sent: SentReport;
  dropped: DropReport;
  error: Error;
}

/** Snapshot of the delivery queue from `tracker.status()`. */
export interface QueueStatus {
  /** Events waiting for delivery (this tab's view of the shared store). */
  length: number;
  /** Their approximate serialized size. */
  bytes: number;
  /** Age of the oldest waiting event in ms, 0 when empty. */
  oldestAgeMs: number;
  storage: StorageKind;
  consent: Consent;
  /** Message of the last delivery or storage error, if any. */
  lastError?: string;
  /** Epoch ms of the next retry when a delivery failed, else undefined. */
  nextRetryAt?: number;
}

/**
 * Middleware: returns the event (changed or not) to keep it, or `null`/`false` to drop it.
 *
 * @example
 * tracker.use((e) => (e.page.path.startsWith('/admin') ? null : e));
 */
export type Middleware = (event: CrumbEvent) => CrumbEvent | null | false | undefined | void;

/** A tracker made by `createTracker`. */
export interface Tracker {
  /**
   * Records a custom event and returns its id (empty string when it was dropped).
   * @example tracker.track('add_to_cart', { sku: 'A-1', price: 19.9 });
   */
  track(name: string, props?: Props): string;
  /**
   * Records a page view of the current URL.
   * @example router.afterEach(() => tracker.page());
   */
  page(props?: Props): string;
  /**
   * Sets the user id carried by later events and records an `identify` event with traits.
   * @example tracker.identify('user-42', { plan: 'gold' });
   */
  identify(userId: string, traits?: Props): string;
  /**
   * Changes consent at run time.
   * @example banner.onAccept(() => tracker.setConsent('granted'));
   */
  setConsent(consent: Consent): void;
  /**
   * Adds middleware that runs on every event before it is queued.
   * @example tracker.use((e) => ({ ...e, props: { ...e.props, build: '42' } }));
   */
  use(middleware: Middleware): () => void;
  /**
   * Records an event of any type; the building block of plugins.
   * @example tracker.emit('video_start', { videoId: 'intro' });
   */
  emit(type: EventType, props?: Props): string;
  /**
   * Subscribes to a report; returns the unsubscribe function.
   * @example tracker.on('dropped', (d) => console.warn(d.reason, d.count));
   */
  on<K extends keyof TrackerEvents>(name: K, fn: (payload: TrackerEvents[K]) => void): () => void;
  /** Removes a subscription made with `on`. */
  off<K extends keyof TrackerEvents>(name: K, fn: (payload: TrackerEvents[K]) => void): void;
  /**
   * Resolves when everything queued before the call was delivered or the attempt failed.
   * @example await tracker.flush();
   */
  flush(): Promise<void>;
  /**
   * The delivery queue's state.
   * @example if (tracker.status().length > 1000) showOfflineBanner();
   */
  status(): QueueStatus;
  /**
   * Stops every plugin, flushes, and removes every listener. Later calls do nothing.
   * @example await tracker.shutdown();
   */
  shutdown(): Promise<void>;
  /**
   * A plugin's state in localStorage, under the tracker's namespace and only with consent: with
   * one argument reads `key` (null when absent, when storage is unavailable or consent is not
   * granted); with two writes it (`null` removes) and returns the value, or null when it was
   * not stored. `setConsent('denied')` removes it with the rest of crumbtrail's storage.
   * @example const seen = tracker.state('tour') == 'done'; tracker.state('tour', 'done');
   */
  state(key: string, value?: string | null): string | null;
  /**
   * Reports an error through `on('error')` (used by plugins; never throws).
   * @example tracker.report(new Error('video: player gone'));
   */
  report(error: unknown): void;
  /** Location watching, when the `geofences()` plugin is set up. @example tracker.geofences?.start() */
  geofences?: GeofenceController;
}

import type { Emitter } from '../core/emitter';
import { toError } from '../core/errors';
import { uuid } from '../core/id';
import type { Config } from '../core/options';
import type { Consent, CrumbEvent, DropReason, QueueStatus, SendResult, Transport } from '../core/types';
import { VERSION } from '../core/version';
import { BEACON_LIMIT, makeBatch } from '../transport/body';
import { backoffMs } from './backoff';
import { durableStore, isQuota } from './idb-store';
import { LEASE_MS, withFlushLock } from './lock';
import { clearStash, readStash, stash, unstash } from './stash';
import { memoryStore, type StoredEvent } from './store';

// How long a page that began to leave for another page of the site may take to unload. A slower
// navigation only beacons this page's events that the next page will also send (duplicates the
// collector drops); a page that stays (a download) must not hold them back at its later exit.
const LEAVING_MS = 3e3;

/** Reports `count` events dropped for `reason` (none: nothing to report). */
export type Drop = (reason: DropReason, count: number, error?: string) => unknown;

/** The delivery queue as the tracker sees it. */
export interface Queue {
  /**
   * Takes a tracked event: persisted within the tick, delivered in a batch. Throws only for an
   * event JSON cannot serialize.
   */
  push(e: CrumbEvent): void;
  /** Resolves when what was queued before the call was delivered or the attempt failed. */
  flush(): Promise<void>;
  /**
   * Changes consent. On 'granted', `adopt` may change the events held while consent was pending
   * (the visitor's stored ids replace those made meanwhile) before they are queued.
   */
  setConsent(consent: Consent, adopt?: (e: CrumbEvent) => void): void;
  status(): QueueStatus;
  /** Flushes, then removes every listener and timer. */
  stop(): Promise<void>;
}

/**
 * The durable batch queue. Events are written to the store once per tick, delivered oldest
 * first by one tab at a time, and deleted only after the collector answered 2xx. At exit the
 * events not yet in IndexedDB go out through the transport's unloading path and are stashed in
 * localStorage for the next visit. Errors go to the tracker's `report`, dropped events to its `drop`.
 */
export function createQueue(config: Config, transport: Transport, emitter: Emitter, report: (e: unknown) => void, drop: Drop): Queue {
  const { namespace: ns, batch, queue: bounds } = config;
  const store =
    config.storage == 'memory'
      ? memoryStore()
      : durableStore(ns, (e) => report(`IndexedDB is unavailable (${toError(e).message}); events are kept in memory`));
  // Async, so that a custom transport that throws rejects instead.
  const send = async (records: StoredEvent[], unloading: boolean) =>
    transport.send(makeBatch(records.map((r) => r.e), VERSION), { unloading });

  let consent = config.consent;
  let stopped = false;
  // Held while consent is pending: never written, never sent.
  const held: CrumbEvent[] = [];
  // Tracked but not yet committed to the store: waiting for the tick's write, or being written.
  let unsaved: StoredEvent[] = [];
  let writing: StoredEvent[] = [];
  let saving: Promise<void> | undefined;
  // Events already stashed and sent by the exit path of this page; and the ids this page put in
  // the stash, taken out again if the page lives on.
  const exited = new Set<string>();
  const stashed: string[] = [];
  let exiting = false;
  // This page's events not yet known to be delivered (by this tab or another), newest last,
  // bounded to what the exit budget could carry; and the ids of the batch being sent.
  const own = new Map<string, StoredEvent>();
  let ownBytes = 0;
  let inFlight: string[] = [];
  // When the page began to leave for another page of this site, which will deliver what is
  // stored (0: it is not leaving).
  let leftAt = 0;
  let channel: BroadcastChannel | undefined;
  const forget = (id: string) => {
    ownBytes -= own.get(id)?.n || 0;
    own.delete(id);
  };
  try {
    channel = new BroadcastChannel(ns);
    // The host page could post on a channel of the same name.
    channel.onmessage = (m) => Array.isArray(m.data) && m.data.forEach(forget);
  } catch {
    // Without BroadcastChannel, events another tab delivered may be sent again at exit.
  }
  // This tab's estimate of the store, made exact by every trim.
  let count = 0;
  let bytes = 0;
  let oldest = 0;
  let fails = 0;
  let nextRetryAt = 0;
  let lastError: string | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let timerAt = Infinity;
  const owner = uuid();

  // A flush in `ms`, unless one is due sooner; never before a pending retry.
  const schedule = (ms: number) => {
    const at = Math.max(Date.now() + ms, nextRetryAt);
    if (stopped || at >= timerAt) return;
    clearTimeout(timer);
    timerAt = at;
    timer = setTimeout(() => {
      timerAt = Infinity;
      flush();
    }, at - Date.now());
  };

  // Adds (sign 1) or takes away (-1) events from the estimate.
  const tally = (records: StoredEvent[], sign: number) => {
    for (const r of records) {
      count += sign;
      bytes += sign * r.n;
    }
    count = Math.max(0, count);
    bytes = Math.max(0, bytes);
  };

  const trim = async (b = bounds) => {
    const r = await store.trim(b, Date.now());
    drop('expired', r.expired);
    drop(b == bounds ? 'queue_full' : 'quota', r.full);
    ({ count, bytes, oldest } = r);
  };

  const add = async (records: StoredEvent[]) => {
    try {
      await store.add(records);
    } catch (e) {
      if (!isQuota(e)) throw e;
      // The origin's storage is full: drop the oldest tenth (at least as many events as are
      // being added), then try once more. Counted first: other tabs may have added events.
      await trim();
      await trim({ ...bounds, maxEvents: Math.max(0, count - Math.max(records.length, (count / 10) | 0)) });
      await store.add(records);
    }
    // A denial that came meanwhile clears the store after this write: nothing to count.
    if (consent != 'denied') {
      tally(records, 1);
      oldest ||= records[0].e.ts;
    }
    if (count > bounds.maxEvents || bytes > bounds.maxBytes) await trim();
  };

  const save = () =>
    (saving ||= (async () => {
      // At most 500 events a transaction: put() costs ~25 µs an event, so a tick that tracked
      // thousands would otherwise block the page for over 50 ms in one task.
      while (unsaved.length) {
        writing = unsaved.splice(0, 500);
        await add(writing).catch((e) => drop('quota', writing.length, toError(e).message));
        writing = [];
      }
    })().finally(() => (saving = undefined)));

  // Removes a batch the collector answered, as delivered or (with a reason) dropped; true, for
  // deliver() to return: the queue can go on.
  const settle = async (records: StoredEvent[], reason?: DropReason, error?: string) => {
    await store.remove(records);
    tally(records, -1);
    const ids = records.map((r) => r.e.id);
    ids.forEach(forget);
    // Answered events are no longer at risk: a memory store's stay in the stash when the page
    // lives on (onPage), and a hidden page may deliver its stashed events.
    unstash(ns, ids);
    channel?.postMessage(ids);
    if (reason) drop(reason, records.length, error);
    else emitter.emit('sent', { count: records.length, ids });
    return true;
  };

  // Sends one batch; false when delivery must wait for a retry.
  const deliver = async (records: StoredEvent[]): Promise<boolean> => {
    inFlight = records.map((r) => r.e.id);
    const r = await send(records, false).catch((e): SendResult => ({ ok: false, retry: true, error: toError(e).message }));
    inFlight = [];
    if (r.ok) {
      fails = nextRetryAt = 0;
      lastError = undefined;
      return settle(records);
    }
    lastError = r.error || 'delivery failed';
    if (r.tooLarge && records.length > 1) {
      const half = records.length >> 1;
      return (await deliver(records.slice(0, half))) && deliver(records.slice(half));
    }
    if (!r.retry) return settle(records, r.tooLarge ? 'too_large' : 'rejected', lastError);
    const delay = backoffMs(fails++, r.retryAfterMs);
    nextRetryAt = Date.now() + delay;
    if (config.debug) console.debug('[crumbtrail] retry in', delay | 0, 'ms:', lastError);
    // The retry replaces a flush due sooner.
    timerAt = Infinity;
    schedule(delay);
    await trim();
    return false;
  };

  // `held` says whether this tab still holds the flush lock: checked after each batch.
  const drain = async (held: () => Promise<boolean>) => {
    for (;;) {
      const records: StoredEvent[] = [];
      // Room for the envelope around the events.
      let size = 200;
      for (const r of await store.read(batch.maxEvents)) {
        if (records.length && size + r.n > batch.maxBytes) break;
        records.push(r);
        size += r.n;
      }
      // Nothing left (another tab may have delivered it): no retry is due, whatever the clock did.
      if (!records.length) return void (count = bytes = oldest = fails = nextRetryAt = 0);
      oldest = records[0].e.ts;
      if (!(await deliver(records)) || !(await held())) return;
    }
  };

  // One flush at a time; a flush asked for while one runs starts after it, shared by all askers.
  let chain = Promise.resolve();
  let queued: Promise<void> | undefined;
  const flush = () =>
    (queued ||= chain = chain.then(async () => {
      queued = undefined;
      if (consent != 'granted') return;
      try {
        await save();
        if (!(await withFlushLock(ns + ':flush', store, owner, drain))) schedule(LEASE_MS);
      } catch (e) {
        lastError = toError(e).message;
        report(e);
      }
    }));

  // Exit. What is not yet in IndexedDB (or all of a memory store) is at risk, since IndexedDB
  // writes started now are usually lost: it is stashed in localStorage for the next visit. It is
  // sent through the transport's unloading path (beacons), with this page's other undelivered
  // events, so that a visitor who never comes back loses nothing; but not the batch already in
  // flight, and not stored events when the page leaves for another page of the site, which will
  // deliver them: sent now, unacknowledged, they would be sent twice. Runs again for events
  // tracked during exit (page_leave, web vitals), since their listeners run after ours.
  const exit = () => {
    if (consent == 'granted') {
      const fresh = (list: StoredEvent[]) => list.filter((r) => !exited.has(r.e.id) && exited.add(r.e.id));
      const risky = fresh([...store.peek!(), ...writing, ...unsaved]);
      // `storage: 'memory'` promises nothing outlives the page; a memory fallback still stashes.
      // Stashing no events writes nothing.
      if (config.storage != 'memory' && stash(ns, risky)) stashed.push(...risky.map((r) => r.e.id));
      const all = Date.now() - leftAt < LEAVING_MS ? risky : [...fresh([...own.values()].filter((r) => !inFlight.includes(r.e.id))), ...risky];
      if (all.length) send(all, true).catch(() => {});
    }
  };

  // Sized as it is queued: adopting ids may have changed a held event.
  const accept = (e: CrumbEvent) => {
    const r = { e, n: JSON.stringify(e).length };
    own.set(r.e.id, r);
    ownBytes += r.n;
    for (const id of own.keys()) {
      if (ownBytes <= 2 * BEACON_LIMIT) break;
      forget(id);
    }
    if (unsaved.push(r) == 1) Promise.resolve().then(save);
    if (exiting) exit();
    schedule(count + unsaved.length >= batch.maxEvents ? 0 : batch.flushIntervalMs);
  };

  // Clearing opens the database, which would create an empty one on a device that never had it.
  // A grant that came while databases() was answering (a consent manager's stored choice) keeps
  // the store: clearing it then would delete the events tracked since.
  const clear = async () => {
    const dbs = store.kind != 'memory' && (await globalThis.indexedDB?.databases?.());
    if (consent == 'denied' && (!dbs || dbs.some((d) => d.name == ns))) await store.clear();
  };

  const start = () =>
    (async () => {
      const [raw, records] = readStash(ns);
      if (records.length) {
        await add(records);
        clearStash(raw);
      }
      await trim();
      if (count) schedule(0);
    })().catch(report);

  const onPage = (hidden: boolean, e?: Event) => {
    exiting = hidden;
    if (hidden) {
      // Events of the exit's own listeners (page_leave, web vitals) come within the second; a
      // page that lives on hidden then tracks by the normal path, not one beacon an event.
      setTimeout(() => (exiting = false), 1000);
      return exit();
    }
    leftAt = 0;
    // The page lives on: what it stashed is in IndexedDB once written, not to be merged again.
    // A memory store keeps nothing: its stash stays, and so does the stash of events whose write
    // failed over to memory (asked before the write, the store was still IndexedDB).
    if (stashed.length) {
      const ids = stashed.splice(0);
      save().then(() => store.kind != 'memory' && unstash(ns, ids));
    }
    if (lastError || (e as PageTransitionEvent)?.persisted) flush();
  };
  // Every listener goes with this signal, aborted by stop().
  const listening = new AbortController();
  const options = { signal: listening.signal };
  addEventListener('pageshow', (e) => onPage(false, e), options);
  addEventListener('pagehide', () => onPage(true), options);
  addEventListener('online', flush, options);
  document.addEventListener('visibilitychange', () => onPage(document.visibilityState == 'hidden'), options);
  // The Navigation API tells a page-initiated navigation (link, form, location.reload) and where
  // it goes; browser-UI navigations and closing the tab do not fire it. A navigation an SPA
  // router intercepted, or one that failed (navigatesuccess, navigateerror: no destination),
  // does not unload the page. Nor does a download or a 204, which say nothing more: a page still
  // there LEAVING_MS later stays, and beacons its events at exit after all.
  const nav = (window as { navigation?: EventTarget }).navigation;
  for (const type of ['navigate', 'navigatesuccess', 'navigateerror']) {
    nav?.addEventListener(
      type,
      (e) => {
        const d = (e as Event & { destination?: { url: string; sameDocument: boolean } }).destination;
        leftAt = d && !d.sameDocument && new URL(d.url).origin == location.origin ? Date.now() : 0;
      },
      options,
    );
  }
  if (consent == 'granted') start();

  return {
    push(e) {
      if (stopped || consent == 'denied') return;
      if (consent == 'granted') accept(e);
      else if (held.push(e) > bounds.maxEvents) drop('queue_full', held.splice(0, 1).length);
    },
    flush,
    setConsent(c, adopt) {
      const was = consent;
      consent = c;
      if (c == 'granted') {
        if (was != 'granted') start();
        for (const e of held.splice(0)) {
          adopt?.(e);
          accept(e);
        }
      } else if (c == 'denied') {
        drop('consent', held.length + unsaved.length + writing.length + count);
        held.length = 0;
        unsaved = [];
        writing = [];
        // Nor are they sent at exit, should consent be granted again.
        own.clear();
        count = bytes = oldest = ownBytes = 0;
        clear().catch(report);
      }
    },
    status: () => ({
      length: count + unsaved.length + writing.length + held.length,
      bytes,
      oldestAgeMs: oldest && Date.now() - oldest,
      storage: store.kind,
      consent,
      lastError,
      nextRetryAt: nextRetryAt || undefined,
    }),
    async stop() {
      await flush();
      stopped = true;
      clearTimeout(timer);
      channel?.close();
      channel = undefined;
      listening.abort();
    },
  };
}

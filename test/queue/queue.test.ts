import { afterEach, describe, expect, it, vi } from 'vitest';
import { createTracker } from '../../src/core/tracker';
import type { TrackerOptions } from '../../src/core/options';
import type { DropReport, SendResult, Tracker } from '../../src/core/types';
import { clearStash, readStash, stash } from '../../src/queue/stash';
import type { StoredEvent } from '../../src/queue/store';
import { captureTransport, freshNamespace } from '../helpers';

const trackers: Tracker[] = [];
function setup(answer?: Parameters<typeof captureTransport>[0], extra: Partial<TrackerOptions> = {}) {
  const cap = captureTransport(answer);
  const namespace = extra.namespace || freshNamespace();
  const tracker = createTracker({ transport: cap.transport, namespace, batch: { flushIntervalMs: 60_000 }, ...extra });
  trackers.push(tracker);
  const dropped: DropReport[] = [];
  const errors: Error[] = [];
  tracker.on('dropped', (d) => dropped.push(d));
  tracker.on('error', (e) => errors.push(e));
  return { ...cap, tracker, dropped, errors, namespace };
}
afterEach(async () => {
  vi.useRealTimers();
  await Promise.all(trackers.splice(0).map((t) => t.shutdown()));
});

const tick = () => new Promise((r) => setTimeout(r, 0));
const setVisibility = (v: DocumentVisibilityState) => {
  Object.defineProperty(document, 'visibilityState', { value: v, configurable: true });
  document.dispatchEvent(new Event('visibilitychange'));
};

describe('persisting', () => {
  it('writes everything tracked in one tick in one IndexedDB transaction', async () => {
    const { tracker } = setup();
    await tick();
    const spy = vi.spyOn(IDBDatabase.prototype, 'transaction');
    for (let i = 0; i < 1000; i++) tracker.track('bulk', { i });
    await vi.waitFor(() => expect(tracker.status().length).toBe(1000));
    await tick();
    const writes = spy.mock.calls.filter(([, mode]) => mode == 'readwrite');
    expect(writes.length).toBeLessThanOrEqual(2);
    spy.mockRestore();
  });

  it('reports storage as indexeddb, or memory when asked', () => {
    expect(setup().tracker.status().storage).toBe('indexeddb');
    expect(setup(undefined, { storage: 'memory' }).tracker.status().storage).toBe('memory');
  });

  it('delivers on the next visit what an earlier page could not', async () => {
    const namespace = freshNamespace();
    const first = setup(() => ({ ok: false, retry: true }), { namespace });
    first.tracker.track('offline');
    await first.tracker.flush();
    expect(first.events().map((e) => e.name)).toEqual(['offline']);
    await first.tracker.shutdown();
    const second = setup(undefined, { namespace });
    await second.tracker.flush();
    expect(second.events().map((e) => e.name)).toEqual(['offline']);
  });
});

describe('delivery', () => {
  it('deletes events only after the collector accepted them', async () => {
    let ok = false;
    const { tracker, events } = setup(() => (ok ? { ok: true } : { ok: false, retry: true }));
    tracker.track('a');
    tracker.track('b');
    await tracker.flush();
    expect(tracker.status()).toMatchObject({ length: 2, lastError: 'delivery failed' });
    expect(tracker.status().nextRetryAt).toBeGreaterThan(Date.now());
    ok = true;
    await tracker.flush();
    expect(tracker.status().length).toBe(0);
    expect(events().map((e) => e.name)).toEqual(['a', 'b', 'a', 'b']);
  });

  it('respects batch.maxEvents and delivers oldest first', async () => {
    const { tracker, batches } = setup(undefined, { batch: { maxEvents: 10, flushIntervalMs: 60_000 } });
    for (let i = 0; i < 25; i++) tracker.track('e', { i });
    await tracker.flush();
    expect(batches.map((b) => b.events.length)).toEqual([10, 10, 5]);
    expect(batches.flatMap((b) => b.events.map((e) => e.props.i))).toEqual([...Array(25).keys()]);
  });

  it('respects batch.maxBytes', async () => {
    const { tracker, batches } = setup(undefined, { batch: { maxBytes: 5000, flushIntervalMs: 60_000 } });
    for (let i = 0; i < 10; i++) tracker.track('e', { pad: 'x'.repeat(1500) });
    await tracker.flush();
    expect(batches.length).toBeGreaterThan(3);
    for (const b of batches) expect(JSON.stringify(b).length).toBeLessThan(5000 + 2000);
  });

  it('flushes by itself after flushIntervalMs', async () => {
    const { tracker, events } = setup(undefined, { batch: { flushIntervalMs: 50 } });
    tracker.track('timed');
    await vi.waitFor(() => expect(events()).toHaveLength(1), { timeout: 2000 });
  });

  it('flushes as soon as a batch is full', async () => {
    const { tracker, batches } = setup(undefined, { batch: { maxEvents: 5, flushIntervalMs: 3_600_000 } });
    for (let i = 0; i < 5; i++) tracker.track('e');
    await vi.waitFor(() => expect(batches).toHaveLength(1), { timeout: 2000 });
  });

  it('splits a batch the collector finds too large, down to single events', async () => {
    const { tracker, batches, dropped, events } = setup((b) =>
      b.events.some((e) => e.props.huge) ? { ok: false, retry: false, tooLarge: true } : b.events.length > 2 ? { ok: false, retry: false, tooLarge: true } : { ok: true },
    );
    for (let i = 0; i < 8; i++) tracker.track('e', i == 5 ? { huge: true } : {});
    await tracker.flush();
    const delivered = batches.filter((b) => b.events.length <= 2 && !b.events.some((e) => e.props.huge));
    expect(delivered.flatMap((b) => b.events).length).toBe(7);
    expect(dropped).toEqual([expect.objectContaining({ reason: 'too_large', count: 1 })]);
    expect(tracker.status().length).toBe(0);
    expect(events().length).toBeGreaterThan(8);
  });

  it('drops a batch refused with another 4xx and reports it', async () => {
    const { tracker, dropped } = setup(() => ({ ok: false, retry: false, error: 'HTTP 400' }));
    tracker.track('a');
    tracker.track('b');
    await tracker.flush();
    expect(dropped).toEqual([{ reason: 'rejected', count: 2, error: 'HTTP 400' }]);
    expect(tracker.status().length).toBe(0);
  });

  it('treats a transport that throws as a failure to retry', async () => {
    const { tracker } = setup(() => {
      throw new Error('custom transport broke');
    });
    tracker.track('a');
    await tracker.flush();
    expect(tracker.status()).toMatchObject({ length: 1, lastError: 'crumbtrail: custom transport broke' });
  });

  it('delivers on a flush after shutdown without an error', async () => {
    let up = false;
    const { tracker, errors, events } = setup(() => (up ? { ok: true } : { ok: false, retry: true }));
    tracker.track('a');
    await tracker.shutdown();
    up = true;
    const sent = vi.fn();
    tracker.on('sent', sent);
    await tracker.flush();
    expect(events().map((e) => e.name)).toEqual(['a', 'a']);
    expect(sent).toHaveBeenCalledTimes(1);
    expect(errors).toEqual([]);
  });

  it('ignores messages of the host page on a broadcast channel of the same name', async () => {
    const { tracker, errors, namespace } = setup();
    const host = new BroadcastChannel(namespace);
    host.postMessage(42);
    host.postMessage({ not: 'ids' });
    // Delivered asynchronously; a throwing handler would surface as an unhandled error.
    await new Promise((r) => setTimeout(r, 50));
    host.close();
    tracker.track('still-working');
    await tracker.flush();
    expect(errors).toEqual([]);
  });

  it('emits sent with the delivered ids', async () => {
    const { tracker } = setup();
    const sent = vi.fn();
    tracker.on('sent', sent);
    const id = tracker.track('a');
    await tracker.flush();
    expect(sent).toHaveBeenCalledWith({ count: 1, ids: [id] });
  });
});

describe('retry', () => {
  it('forgets a pending retry once the queue is empty, delivered by another tab', async () => {
    const namespace = freshNamespace();
    const a = setup(() => ({ ok: false, retry: true }), { namespace });
    a.tracker.track('x');
    await a.tracker.flush();
    expect(a.tracker.status().nextRetryAt).toBeGreaterThan(Date.now());
    await setup(undefined, { namespace }).tracker.flush();
    // The other tab's own start may still hold the flush lock: A tries until it gets it.
    await vi.waitFor(async () => {
      await a.tracker.flush();
      expect(a.tracker.status().nextRetryAt).toBeUndefined();
    });
  });

  it('backs off exponentially with jitter, from 1 s, honouring Retry-After', async () => {
    const answers: SendResult[] = [
      { ok: false, retry: true },
      { ok: false, retry: true },
      { ok: false, retry: true, retryAfterMs: 30_000 },
      { ok: true },
    ];
    const times: number[] = [];
    const { tracker } = setup(() => (times.push(Date.now()), answers.shift()!), { storage: 'memory' });
    vi.spyOn(Math, 'random').mockReturnValue(1);
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    tracker.track('a');
    await tracker.flush();
    await vi.advanceTimersByTimeAsync(1000);
    await vi.advanceTimersByTimeAsync(2000);
    await vi.advanceTimersByTimeAsync(29_999);
    expect(times).toHaveLength(3);
    await vi.advanceTimersByTimeAsync(1);
    expect(times).toHaveLength(4);
    expect(times.slice(1).map((t, i) => t - times[i])).toEqual([1000, 2000, 30_000]);
    expect(tracker.status().length).toBe(0);
  });

  it('backs off as usual when a custom transport gives a Retry-After that is not a number', async () => {
    let attempts = 0;
    // A custom transport's `Number(res.headers.get('Retry-After')) * 1000` of an HTTP date.
    const { tracker } = setup(() => (attempts++, { ok: false, retry: true, retryAfterMs: NaN }), { storage: 'memory' });
    tracker.track('a');
    await tracker.flush();
    await new Promise((r) => setTimeout(r, 300));
    expect(attempts).toBe(1);
    expect(tracker.status().nextRetryAt).toBeGreaterThan(Date.now());
  });

  it('takes a Retry-After of over an hour, which setTimeout may not be able to wait, as absent', async () => {
    const { backoffMs } = await import('../../src/queue/backoff');
    const random = vi.spyOn(Math, 'random').mockReturnValue(1);
    expect(backoffMs(2, 36e5)).toBe(36e5);
    expect(backoffMs(2, 30 * 86_400_000)).toBe(4000);
    random.mockRestore();
  });

  it('never waits longer than 5 minutes', async () => {
    const { backoffMs } = await import('../../src/queue/backoff');
    const random = vi.spyOn(Math, 'random').mockReturnValue(1);
    expect(backoffMs(30)).toBe(300_000);
    random.mockReturnValue(0);
    expect(backoffMs(0)).toBe(1000);
    random.mockRestore();
  });

  it('retries at once when the browser comes back online', async () => {
    let ok = false;
    const { tracker, events } = setup(() => (ok ? { ok: true } : { ok: false, retry: true, retryAfterMs: 3_600_000 }), { storage: 'memory' });
    tracker.track('a');
    await tracker.flush();
    ok = true;
    dispatchEvent(new Event('online'));
    await vi.waitFor(() => expect(tracker.status().length).toBe(0));
    expect(events()).toHaveLength(2);
  });
});

describe('bounds', () => {
  it('drops the oldest events past queue.maxEvents and counts them', async () => {
    const { tracker, dropped, events } = setup(() => ({ ok: false, retry: true }), { queue: { maxEvents: 5 } });
    for (let i = 0; i < 8; i++) tracker.track('e', { i });
    await tracker.flush();
    expect(tracker.status().length).toBe(5);
    expect(dropped).toContainEqual({ reason: 'queue_full', count: 3 });
    expect(events().at(-1)?.props.i).toBe(7);
  });

  it('drops events older than queue.maxAgeMs', async () => {
    const namespace = freshNamespace();
    const first = setup(() => ({ ok: false, retry: true }), { namespace });
    first.tracker.track('old');
    await first.tracker.flush();
    await first.tracker.shutdown();
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + 2000 });
    const second = setup(() => ({ ok: false, retry: true }), { namespace, queue: { maxAgeMs: 1000 } });
    await vi.waitFor(() => expect(second.dropped).toContainEqual({ reason: 'expired', count: 1 }));
  });
});

describe('exit', () => {
  it('sends on pagehide the undelivered events and stashes those not yet in IndexedDB', async () => {
    const { tracker, exits, namespace } = setup(() => ({ ok: false, retry: true }));
    tracker.track('before');
    await tracker.flush();
    tracker.track('last-tick');
    dispatchEvent(new PageTransitionEvent('pagehide'));
    expect(exits.flatMap((b) => b.events.map((e) => e.name))).toEqual(['before', 'last-tick']);
    expect(readStash(namespace)[1].map((r) => r.e.name)).toEqual(['last-tick']);
    dispatchEvent(new PageTransitionEvent('pageshow'));
  });

  it('sends events tracked during exit right away', async () => {
    const { tracker, exits } = setup(() => ({ ok: false, retry: true }));
    dispatchEvent(new PageTransitionEvent('pagehide'));
    tracker.track('page_leave_like');
    expect(exits.flatMap((b) => b.events.map((e) => e.name))).toEqual(['page_leave_like']);
    dispatchEvent(new PageTransitionEvent('pageshow'));
  });

  it('does not send the same events twice in one exit', async () => {
    const { tracker, exits } = setup(() => ({ ok: false, retry: true }));
    tracker.track('a');
    tracker.track('b');
    dispatchEvent(new PageTransitionEvent('pagehide'));
    Object.defineProperty(document, 'visibilityState', { value: 'hidden', configurable: true });
    document.dispatchEvent(new Event('visibilitychange'));
    expect(exits).toHaveLength(1);
    Object.defineProperty(document, 'visibilityState', { value: 'visible', configurable: true });
    document.dispatchEvent(new Event('visibilitychange'));
  });

  it('tracks by the normal path a second after the page was hidden, not one beacon an event', async () => {
    const { tracker, exits, events, namespace } = setup();
    setVisibility('hidden');
    await new Promise((r) => setTimeout(r, 1100));
    for (let i = 0; i < 5; i++) tracker.track('background', { i });
    await tracker.flush();
    expect(exits).toEqual([]);
    expect(events()).toHaveLength(5);
    expect(readStash(namespace)[1]).toEqual([]);
    setVisibility('visible');
  });

  it('takes out of the stash what a page that lived on has since written to IndexedDB', async () => {
    const { tracker, namespace } = setup(() => ({ ok: false, retry: true }));
    tracker.track('switched-away');
    setVisibility('hidden');
    expect(readStash(namespace)[1].map((r) => r.e.name)).toEqual(['switched-away']);
    setVisibility('visible');
    await vi.waitFor(() => expect(readStash(namespace)[1]).toEqual([]));
    expect(tracker.status().length).toBe(1);
  });

  it('keeps in the stash what a page that lived on holds only in memory, IndexedDB having failed under its write', async () => {
    const { tracker, namespace, errors } = setup(() => ({ ok: false, retry: true }));
    await tracker.flush();
    tracker.track('switched-away');
    setVisibility('hidden');
    // Back before the event's write finished, which fails (Safari: "Connection to Indexed Database
    // server lost"), so that the queue falls back to memory with the event.
    vi.spyOn(IDBDatabase.prototype, 'transaction').mockImplementation(() => {
      throw new DOMException('Connection to Indexed Database server lost', 'UnknownError');
    });
    setVisibility('visible');
    await vi.waitFor(() => expect(tracker.status()).toMatchObject({ storage: 'memory', length: 1 }));
    vi.restoreAllMocks();
    expect(errors).toHaveLength(1);
    await tick();
    // The page is closed while the collector is down: the event must still be in the stash.
    dispatchEvent(new PageTransitionEvent('pagehide'));
    expect(readStash(namespace)[1].map((r) => r.e.name)).toEqual(['switched-away']);
    dispatchEvent(new PageTransitionEvent('pageshow'));
  });

  it('takes out of the stash the events a page that lived on in memory has since delivered', async () => {
    const idb = globalThis.indexedDB;
    // @ts-expect-error simulating a browser where IndexedDB fails
    delete globalThis.indexedDB;
    try {
      const { tracker, events, namespace } = setup();
      tracker.track('switched-away');
      setVisibility('hidden');
      expect(readStash(namespace)[1].map((r) => r.e.name)).toEqual(['switched-away']);
      setVisibility('visible');
      await tracker.flush();
      expect(events().map((e) => e.name)).toEqual(['switched-away']);
      expect(readStash(namespace)[1]).toEqual([]);
    } finally {
      globalThis.indexedDB = idb;
    }
  });

  it('merges the stash of an earlier page into the queue', async () => {
    const namespace = freshNamespace();
    const first = setup(() => ({ ok: false, retry: true }), { namespace });
    first.tracker.track('stashed');
    dispatchEvent(new PageTransitionEvent('pagehide'));
    dispatchEvent(new PageTransitionEvent('pageshow'));
    await first.tracker.shutdown();
    const second = setup(undefined, { namespace });
    await vi.waitFor(async () => {
      await second.tracker.flush();
      expect(second.events().map((e) => e.name)).toContain('stashed');
    });
    expect(Object.keys(localStorage).filter((k) => k.startsWith(namespace + ':stash'))).toEqual([]);
  });

  it('merges the stashes of every page, each under its own key, and keeps one its page extended meanwhile', async () => {
    const namespace = freshNamespace();
    const rec = (id: string) => ({ e: { id }, n: 2 });
    localStorage.setItem(namespace + ':stash', JSON.stringify([rec('old')]));
    localStorage.setItem(namespace + ':stash:a', JSON.stringify([rec('a')]));
    localStorage.setItem(namespace + ':stash:b', JSON.stringify([rec('b')]));
    stash(namespace, [rec('mine') as unknown as StoredEvent]);
    const [found, records] = readStash(namespace);
    expect(records.map((r) => r.e.id).sort()).toEqual(['a', 'b', 'mine', 'old']);
    localStorage.setItem(namespace + ':stash:b', JSON.stringify([rec('b'), rec('b2')]));
    clearStash(found);
    expect(readStash(namespace)[1].map((r) => r.e.id)).toEqual(['b', 'b2']);
    localStorage.removeItem(namespace + ':stash:b');
  });

  it('reads nothing from a stash that is missing, empty, not JSON or not a list of events', () => {
    const namespace = freshNamespace();
    for (const raw of [null, '', '{', '"x"', '{"e":{"id":"a"}}', '[1,null,{"e":{}},{"e":{"id":"ok"},"n":2}]']) {
      if (raw == null) localStorage.removeItem(namespace + ':stash');
      else localStorage.setItem(namespace + ':stash', raw);
      expect(readStash(namespace)).toEqual([raw == null ? [] : [[namespace + ':stash', raw]], raw?.startsWith('[') ? [{ e: { id: 'ok' }, n: 2 }] : []]);
    }
    localStorage.removeItem(namespace + ':stash');
  });
});

describe('consent', () => {
  it('sends nothing at exit of what a denial dropped, once consent is granted again', async () => {
    const { tracker, exits } = setup(() => ({ ok: false, retry: true }));
    tracker.track('before-denial');
    await tracker.flush();
    tracker.setConsent('denied');
    tracker.setConsent('granted');
    tracker.track('after-grant');
    dispatchEvent(new PageTransitionEvent('pagehide'));
    expect(exits.flatMap((b) => b.events.map((e) => e.name))).toEqual(['after-grant']);
    dispatchEvent(new PageTransitionEvent('pageshow'));
  });

  it('reports an empty queue after a denial that came while events were being written', async () => {
    const { tracker } = setup(() => ({ ok: false, retry: true }));
    await tracker.flush();
    tracker.track('being-written');
    // The tick's write has started.
    await Promise.resolve();
    await Promise.resolve();
    tracker.setConsent('denied');
    await new Promise((r) => setTimeout(r, 100));
    expect(tracker.status()).toMatchObject({ length: 0, bytes: 0, oldestAgeMs: 0 });
  });

  it('counts the stored events a denial drops', async () => {
    const { tracker, dropped } = setup(() => ({ ok: false, retry: true }));
    tracker.track('stored-1');
    tracker.track('stored-2');
    await tracker.flush();
    tracker.track('unsaved');
    tracker.setConsent('denied');
    expect(dropped).toEqual([{ reason: 'consent', count: 3 }]);
  });
});

/** The next IndexedDB put() throws as a full origin quota does. */
function failNextPutForQuota() {
  const put = IDBObjectStore.prototype.put;
  let fail = true;
  vi.spyOn(IDBObjectStore.prototype, 'put').mockImplementation(function (this: IDBObjectStore, ...args) {
    if (fail) {
      fail = false;
      throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
    }
    return put.apply(this, args as never);
  });
}

describe('storage failures', () => {
  it('falls back to memory with one error when IndexedDB is missing', async () => {
    const idb = globalThis.indexedDB;
    // @ts-expect-error simulating a browser without IndexedDB
    delete globalThis.indexedDB;
    try {
      const { tracker, errors, events } = setup();
      tracker.track('a');
      tracker.track('b');
      await tracker.flush();
      expect(events().map((e) => e.name)).toEqual(['a', 'b']);
      expect(errors).toHaveLength(1);
      expect(errors[0].message).toMatch(/IndexedDB is unavailable/);
      expect(tracker.status().storage).toBe('memory');
    } finally {
      globalThis.indexedDB = idb;
    }
  });

  it('drops the oldest events when the storage quota is full, and keeps the page working', async () => {
    const { tracker, dropped } = setup(() => ({ ok: false, retry: true }));
    for (let i = 0; i < 20; i++) tracker.track('old', { i });
    await tracker.flush();
    failNextPutForQuota();
    expect(() => tracker.track('new')).not.toThrow();
    await tracker.flush();
    vi.restoreAllMocks();
    expect(dropped).toContainEqual({ reason: 'quota', count: 2 });
    expect(tracker.status().length).toBe(19);
  });

  it('counts the events other tabs queued before dropping a tenth for a full quota', async () => {
    const namespace = freshNamespace();
    const a = setup(() => ({ ok: false, retry: true }), { namespace });
    await a.tracker.flush();
    const b = setup(() => ({ ok: false, retry: true }), { namespace });
    for (let i = 0; i < 100; i++) b.tracker.track('from-b', { i });
    await b.tracker.flush();
    failNextPutForQuota();
    a.tracker.track('new-in-a');
    await a.tracker.flush();
    vi.restoreAllMocks();
    expect(a.dropped).toEqual([{ reason: 'quota', count: 10 }]);
    expect(a.tracker.status().length).toBe(91);
  });
});

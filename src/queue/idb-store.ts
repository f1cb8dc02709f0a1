import { promisifyRequest } from 'idb-keyval';
import { LEASE_MS } from './lock';
import { keyOf, memoryStore, trimEvents, type EventStore, type StoredEvent, type TrimResult } from './store';

interface Lease {
  owner: string;
  until: number;
}

/**
 * Events in an IndexedDB database of their own (named after the namespace), shared by the tabs
 * of the site. Every method is one transaction and resolves when it completed, not when its
 * requests succeeded; nothing but IndexedDB requests is awaited inside a transaction.
 */
export function idbStore(ns: string): EventStore {
  // Opened on first use like idb-keyval's createStore, which keeps its connection through a
  // `versionchange`: a delete of the database (a site's logout routine) then waits for every open
  // tab, and every later open waits behind the delete. This connection closes instead, and the
  // next call opens again. An open still held up (by a connection elsewhere that ignores it, or
  // hanging as in some Safari versions) fails after 5 s, far above a healthy open, so that memory
  // takes over rather than flush() never resolving.
  let db: Promise<IDBDatabase> | undefined;
  const open = () =>
    new Promise<IDBDatabase>((ok, no) => {
      const req = indexedDB.open(ns);
      req.onupgradeneeded = () => req.result.createObjectStore('events');
      promisifyRequest(req).then((c) => ok((c.onclose = c.onversionchange = () => (c.close(), (db = undefined)), c)), no);
      setTimeout(no, 5_000, 'open timed out');
    });
  // One transaction, read-write unless asked otherwise; resolves on its completion with the result
  // of the request `fn` returns.
  const tx = <T>(fn: (s: IDBObjectStore) => IDBRequest<T> | void, mode: IDBTransactionMode = 'readwrite') =>
    (db ||= open()).then((c) => {
      const t = c.transaction('events', mode);
      const req = fn(t.objectStore('events'));
      return promisifyRequest(t).then(() => req?.result as T);
    });
  // Calls `fn` with the values under `key` within a read-write transaction; resolves on its
  // completion with what `fn` returned.
  const update = <T, R>(key: IDBValidKey | IDBKeyRange, fn: (values: T[], s: IDBObjectStore) => R) => {
    let out: R;
    return tx((s) => {
      const req = s.getAll(key);
      req.onsuccess = () => (out = fn(req.result, s));
    }).then(() => out);
  };

  // Event keys are arrays, which IndexedDB sorts after every string key such as 'lease': the events
  // are the keys from [] up.
  return {
    kind: 'indexeddb',
    add: (records) => tx((s) => records.forEach((r) => s.put(r, keyOf(r)))),
    read: (max) => tx((s) => s.getAll(IDBKeyRange.lowerBound([]), max), 'readonly'),
    remove: (records) => tx((s) => records.forEach((r) => s.delete(keyOf(r)))),
    clear: () => tx((s) => s.clear()),
    trim: (bounds, now) => update<StoredEvent, TrimResult>(IDBKeyRange.lowerBound([]), (all, s) => trimEvents(all, bounds, now, (r) => s.delete(keyOf(r)))),
    lease: (owner, ms, now) =>
      update<Lease, boolean>('lease', ([held], s) => {
        // A lease ending further ahead than a lease lasts was taken before the clock went back.
        const mine = !held || held.owner == owner || held.until < now || held.until > now + LEASE_MS;
        if (mine) {
          if (ms) s.put({ owner, until: now + ms } satisfies Lease, 'lease');
          else s.delete('lease');
        }
        return mine && ms > 0;
      }),
  };
}

/** True for the error of a full storage quota. */
export const isQuota = (e: unknown) => (e as Error)?.name == 'QuotaExceededError';

/**
 * IndexedDB when it works, else memory: the first failure other than a full quota (missing API,
 * private mode, sandboxed iframe, a broken database) switches to a memory store for the page's
 * life and calls `onFallback` once. Events of the failed write are kept in memory.
 */
export function durableStore(ns: string, onFallback: (e: unknown) => void): EventStore {
  // The database is opened on first use, so every failure shows up in a call.
  let active = idbStore(ns);
  const store = {
    get kind() {
      return active.kind;
    },
    peek: () => active.peek?.() || [],
  } as EventStore;
  // Every method of the IndexedDB store: all its keys but `kind`.
  for (const name of Object.keys(active) as (keyof EventStore)[]) {
    if (name == 'kind') continue;
    store[name] = (async (...args: unknown[]) => {
      const call = () => (active[name] as (...a: unknown[]) => Promise<unknown>)(...args);
      const tried = active;
      try {
        return await call();
      } catch (e) {
        if (isQuota(e) || tried.kind == 'memory') throw e;
        if (active == tried) {
          active = memoryStore();
          onFallback(e);
        }
        return call();
      }
    }) as never;
  }
  return store;
}

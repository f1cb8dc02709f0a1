import type { CrumbEvent, StorageKind } from '../core/types';

/** An event as the queue keeps it, with its serialized size. */
export interface StoredEvent {
  e: CrumbEvent;
  /** Approximate serialized size in bytes (JSON length). */
  n: number;
}

/** Key of a stored event: oldest first across tabs, unique by id, the same for the same event. */
export type EventKey = [number, number, string];

/** The key an event is stored under. */
export const keyOf = (r: StoredEvent): EventKey => [r.e.ts, r.e.seq, r.e.id];

/** What a trim pass found and dropped. */
export interface TrimResult {
  /** Events left. */
  count: number;
  bytes: number;
  /** ts of the oldest event left, 0 when empty. */
  oldest: number;
  expired: number;
  full: number;
}

/** Bounds applied by `trim`. */
export interface Bounds {
  maxEvents: number;
  maxBytes: number;
  maxAgeMs: number;
}

/**
 * Where queued events are kept, oldest first. Implemented on IndexedDB (shared by the tabs of a
 * site) and in memory (this page only).
 */
export interface EventStore {
  kind: StorageKind;
  /** Stores events; storing an event twice keeps one copy. */
  add(records: StoredEvent[]): Promise<void>;
  /** Up to `max` events, oldest first. */
  read(max: number): Promise<StoredEvent[]>;
  remove(records: StoredEvent[]): Promise<void>;
  /** Drops expired events, then the oldest past the count and byte bounds. */
  trim(bounds: Bounds, now: number): Promise<TrimResult>;
  clear(): Promise<void>;
  /**
   * Takes or renews the flush lease for `owner` for `ms`, where Web Locks are missing; true when
   * `owner` holds it. `ms` 0 releases it.
   */
  lease(owner: string, ms: number, now: number): Promise<boolean>;
  /** Every event, synchronously, for stores that do not outlive the page (memory). */
  peek?(): StoredEvent[];
}

/**
 * Applies the bounds to events given oldest first: walks them newest first and removes each one
 * expired, or past the count or byte bound, counting what it kept and dropped.
 */
export function trimEvents(records: StoredEvent[], bounds: Bounds, now: number, remove: (r: StoredEvent) => void): TrimResult {
  const result: TrimResult = { count: 0, bytes: 0, oldest: 0, expired: 0, full: 0 };
  for (const r of records.reverse()) {
    const expired = r.e.ts < now - bounds.maxAgeMs;
    if (expired || result.count >= bounds.maxEvents || result.bytes + r.n > bounds.maxBytes) {
      result[expired ? 'expired' : 'full']++;
      remove(r);
    } else {
      result.count++;
      result.bytes += r.n;
      result.oldest = r.e.ts;
    }
  }
  return result;
}

/**
 * A store in this page's memory: for `storage: 'memory'` and when IndexedDB fails. Events are
 * kept in the order they were added, which is their order: only this page adds them.
 */
export function memoryStore(): EventStore {
  const map = new Map<string, StoredEvent>();
  const all = () => [...map.values()];
  return {
    kind: 'memory',
    add: async (records) => records.forEach((r) => map.set(r.e.id, r)),
    read: async (max) => all().slice(0, max),
    peek: all,
    remove: async (records) => records.forEach((r) => map.delete(r.e.id)),
    trim: async (bounds, now) => trimEvents(all(), bounds, now, (r) => map.delete(r.e.id)),
    clear: async () => map.clear(),
    lease: async () => true,
  };
}

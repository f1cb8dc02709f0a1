import { uuid } from '../core/id';
import { getItem, keys, setItem } from '../core/storage';
import type { StoredEvent } from './store';

// IndexedDB writes started while a page unloads are usually lost (10 of 10 on navigation in
// Chromium 156), while a localStorage write at that moment survives, so events not yet written
// to IndexedDB at exit go to localStorage and are merged into the queue on the next visit.
// Each page stashes under its own key (`<namespace>:stash:<uuid>`): tabs closed together each
// read a shared stash before the other's write reached them, and the last write lost the other's
// events (2 runs in 3 in Chromium). The next visit merges every key, and `<namespace>:stash`.

let page = '';
const own = (ns: string) => ns + ':stash:' + (page ||= uuid());

// The events of one stash key; none for a missing key or one that is not a list of events.
const read = (key: string): StoredEvent[] => {
  let list: unknown;
  try {
    // No stash parses as null.
    list = JSON.parse(getItem(key)!);
  } catch {
    // Not JSON: nothing to merge.
  }
  return Array.isArray(list) ? list.filter((r) => typeof r?.e?.id == 'string') : [];
};

// Writes this page's stash; one of no events is removed.
const write = (ns: string, records: StoredEvent[]) => setItem(own(ns), records.length ? JSON.stringify(records) : null);

/** Appends events to this page's exit stash. Returns false when localStorage refused them. */
export function stash(ns: string, records: StoredEvent[]): boolean {
  return !records.length || write(ns, [...read(own(ns)), ...records]);
}

/** Every stash key with its value as read (to clear it later), and the events of all. Never throws. */
export function readStash(ns: string): [[string, string | null][], StoredEvent[]] {
  const found = keys(ns + ':stash').map((k): [string, string | null] => [k, getItem(k)]);
  return [found, found.flatMap(([k]) => read(k))];
}

/**
 * Removes the stashes read once their events are safely in the queue; a stash its page extended
 * in the meantime is kept, to be merged (again: ids make that harmless) later.
 */
export function clearStash(found: [string, string | null][]): void {
  for (const [k, raw] of found) if (getItem(k) === raw) setItem(k, null);
}

/** Takes the events with these ids out of this page's stash: they are safely in the queue. */
export function unstash(ns: string, ids: string[]): void {
  write(ns, read(own(ns)).filter((r) => !ids.includes(r.e.id)));
}

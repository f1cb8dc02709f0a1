import { afterEach, describe, expect, it, vi } from 'vitest';
import type { CrumbEvent } from '../../src/core/types';
import { durableStore, idbStore } from '../../src/queue/idb-store';
import { memoryStore, type EventStore, type StoredEvent } from '../../src/queue/store';
import { freshNamespace } from '../helpers';

const rec = (id: string, ts: number, seq = 1, n = 100): StoredEvent => ({ e: { id, ts, seq } as CrumbEvent, n });
const bounds = { maxEvents: 100, maxBytes: 1e6, maxAgeMs: 1e9 };

describe.each([
  ['IndexedDB', () => idbStore(freshNamespace())],
  ['memory', () => memoryStore()],
] as [string, () => EventStore][])('the %s store', (_, make) => {
  it('reads oldest first, keeps one copy of an event stored twice, and removes by event', async () => {
    const s = make();
    await s.add([rec('b', 2), rec('a', 1)]);
    await s.add([rec('a', 1), rec('c', 3)]);
    const all = await s.read(10);
    expect(all.map((r) => r.e.id)).toEqual(s.kind == 'memory' ? ['b', 'a', 'c'] : ['a', 'b', 'c']);
    expect(await s.read(2)).toHaveLength(2);
    await s.remove([rec('b', 2)]);
    expect((await s.read(10)).map((r) => r.e.id).sort()).toEqual(['a', 'c']);
    await s.clear();
    expect(await s.read(10)).toEqual([]);
  });

  it('trims expired events, then the oldest past the count and byte bounds', async () => {
    const s = make();
    await s.add([rec('old', 1), ...Array.from({ length: 6 }, (_, i) => rec(`e${i}`, 1000 + i))]);
    const r = await s.trim({ maxEvents: 4, maxBytes: 350, maxAgeMs: 100 }, 1050);
    expect(r).toMatchObject({ expired: 1, full: 3, count: 3, bytes: 300, oldest: 1003 });
    expect((await s.read(10)).map((x) => x.e.id)).toEqual(['e3', 'e4', 'e5']);
  });

  it('reports the exact count and bytes of what is left', async () => {
    const s = make();
    await s.add([rec('a', 1, 1, 10), rec('b', 2, 1, 20)]);
    expect(await s.trim(bounds, 3)).toMatchObject({ count: 2, bytes: 30, oldest: 1, expired: 0, full: 0 });
  });
});

describe('the IndexedDB store when the site deletes its database', () => {
  afterEach(() => void vi.useRealTimers());
  const deleted = (ns: string) =>
    new Promise((ok, fail) => {
      const req = indexedDB.deleteDatabase(ns);
      req.onsuccess = ok;
      req.onblocked = () => fail(new Error('the delete is blocked'));
    });

  it('lets the delete through (a logout routine) and opens a fresh database on next use', async () => {
    const ns = freshNamespace();
    const s = idbStore(ns);
    await s.add([rec('a', 1)]);
    await deleted(ns);
    expect(await s.read(10)).toEqual([]);
    await s.add([rec('b', 2)]);
    expect((await s.read(10)).map((r) => r.e.id)).toEqual(['b']);
  });

  it('falls back to memory, reporting once, when a connection elsewhere holds up the delete and its open waits behind it', async () => {
    const ns = freshNamespace();
    // A connection that ignores versionchange, as an older version of the SDK in another tab.
    const other = await new Promise<IDBDatabase>((ok) => {
      const req = indexedDB.open(ns);
      req.onsuccess = () => ok(req.result);
    });
    await new Promise((ok) => (indexedDB.deleteDatabase(ns).onblocked = ok));
    vi.useFakeTimers({ toFake: ['setTimeout'] });
    const errors: unknown[] = [];
    const s = durableStore(ns, (e) => errors.push(e));
    const added = s.add([rec('a', 1)]);
    await vi.advanceTimersByTimeAsync(10_000);
    await added;
    expect(s.kind).toBe('memory');
    expect((await s.read(10)).map((r) => r.e.id)).toEqual(['a']);
    expect(errors).toHaveLength(1);
    other.close();
  });
});

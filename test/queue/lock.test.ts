import { afterEach, describe, expect, it, vi } from 'vitest';
import { idbStore } from '../../src/queue/idb-store';
import { LEASE_MS, withFlushLock } from '../../src/queue/lock';
import { memoryStore } from '../../src/queue/store';
import { freshNamespace } from '../helpers';

afterEach(() => void vi.useRealTimers());

describe('withFlushLock without Web Locks', () => {
  it('lets only one tab flush while it holds the lease', async () => {
    const store = idbStore(freshNamespace());
    let inside = 0;
    let release!: () => void;
    const first = withFlushLock('f', store, 'tab-1', () => new Promise<void>((r) => ((inside++, (release = r)))), undefined);
    await new Promise((r) => setTimeout(r, 20));
    expect(await withFlushLock('f', store, 'tab-2', async () => void inside++, undefined)).toBe(false);
    expect(inside).toBe(1);
    release();
    expect(await first).toBe(true);
    expect(await withFlushLock('f', store, 'tab-2', async () => void inside++, undefined)).toBe(true);
    expect(inside).toBe(2);
  });

  it('frees the lease of a tab that died once it expires', async () => {
    const store = idbStore(freshNamespace());
    expect(await store.lease('dead-tab', LEASE_MS, 1000)).toBe(true);
    expect(await store.lease('tab-2', LEASE_MS, 1000 + LEASE_MS - 1)).toBe(false);
    expect(await store.lease('tab-2', LEASE_MS, 1000 + LEASE_MS + 1)).toBe(true);
  });

  it('frees a lease taken before the clock went back, instead of blocking other tabs for the size of the jump', async () => {
    const store = idbStore(freshNamespace());
    const hourMs = 3_600_000;
    expect(await store.lease('dead-tab', LEASE_MS, 2 * hourMs)).toBe(true);
    // 20 s later by the wall, on a clock set back by an hour.
    expect(await store.lease('tab-2', LEASE_MS, hourMs + 20_000)).toBe(true);
  });

  it('tells a tab whose lease another tab took while its timers were suspended to stop before its next batch', async () => {
    const store = idbStore(freshNamespace());
    vi.useFakeTimers({ toFake: ['Date'] });
    let resume!: () => void;
    const seen: string[] = [];
    const first = withFlushLock('f', store, 'tab-1', async (held) => {
      seen.push(`tab-1 holds: ${await held()}`);
      // In the middle of a batch, suspended (background tab, iOS): no renewal runs.
      await new Promise<void>((r) => (resume = r));
      seen.push(`tab-1 holds: ${await held()}`);
    }, undefined);
    await vi.waitFor(() => expect(seen).toHaveLength(1));
    vi.setSystemTime(Date.now() + LEASE_MS + 1000);
    const second = withFlushLock('f', store, 'tab-2', async (held) => {
      seen.push(`tab-2 holds: ${await held()}`);
      resume();
      await first;
    }, undefined);
    expect(await first).toBe(false);
    expect(await second).toBe(true);
    expect(seen).toEqual(['tab-1 holds: true', 'tab-2 holds: true', 'tab-1 holds: false']);
  });

  it('uses Web Locks where they exist', async () => {
    const names: string[] = [];
    const locks = { request: async (name: string, fn: () => Promise<void>) => (names.push(name), fn()) } as unknown as LockManager;
    let ran = false;
    expect(await withFlushLock('crumbtrail:flush', idbStore(freshNamespace()), 'tab', async () => void (ran = true), locks)).toBe(true);
    expect(ran).toBe(true);
    expect(names).toEqual(['crumbtrail:flush']);
  });

  it('falls back to the lease only when Web Locks refuse the request, never when the flush itself fails', async () => {
    // Opaque origins (sandboxed iframes) have navigator.locks but refuse every request.
    const refusing = { request: () => Promise.reject(new DOMException('refused', 'SecurityError')) } as unknown as LockManager;
    let runs = 0;
    expect(await withFlushLock('f', idbStore(freshNamespace()), 'tab', async () => void runs++, refusing)).toBe(true);
    expect(runs).toBe(1);
    const granting = { request: async (_: string, fn: () => Promise<void>) => fn() } as unknown as LockManager;
    const failing = withFlushLock('f', idbStore(freshNamespace()), 'tab', async () => {
      runs++;
      throw new Error('drain failed');
    }, granting);
    await expect(failing).rejects.toThrow('drain failed');
    expect(runs).toBe(2);
  });

  it('needs no lock for a memory store, which belongs to one page', async () => {
    const locks = { request: () => Promise.reject(new Error('must not be called')) } as unknown as LockManager;
    let ran = false;
    expect(await withFlushLock('f', memoryStore(), 'tab', async () => void (ran = true), locks)).toBe(true);
    expect(ran).toBe(true);
  });
});

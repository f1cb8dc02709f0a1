import type { EventStore } from './store';

/** How long a lease lasts when Web Locks are missing; a dead tab blocks others at most this long. */
export const LEASE_MS = 10_000;

/**
 * Runs `fn` while this tab is the only one flushing the shared store, so that two tabs never send
 * the same events. Web Locks wait their turn and are freed when a tab dies; where they are
 * missing, a lease with an expiry kept in the store is taken, renewed while `fn` runs and given
 * back after. Resolves false when another tab holds the lease (try again later). A memory store
 * belongs to this page alone and needs no lock.
 */
export async function withFlushLock(
  name: string,
  store: EventStore,
  owner: string,
  fn: () => Promise<void>,
  locks: LockManager | undefined = globalThis.navigator?.locks,
): Promise<boolean> {
  if (store.kind == 'memory') return fn().then(() => true);
  if (locks) {
    let ran = false;
    try {
      await locks.request(name, () => ((ran = true), fn()));
      return true;
    } catch (e) {
      // Opaque origins have navigator.locks but refuse requests: fall back to the lease. An error
      // of `fn` itself is no refusal: running `fn` again, outside the Web Lock, would race other tabs.
      if (ran) throw e;
    }
  }
  const lease = (ms: number) => store.lease(owner, ms, Date.now()).catch(() => false);
  if (!(await store.lease(owner, LEASE_MS, Date.now()))) return false;
  const renew = setInterval(lease, LEASE_MS / 3, LEASE_MS);
  try {
    await fn();
  } finally {
    clearInterval(renew);
    await lease(0);
  }
  return true;
}

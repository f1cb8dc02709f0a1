import type { EventStore } from './store';

/** How long a lease lasts when Web Locks are missing; a dead tab blocks others at most this long. */
export const LEASE_MS = 10_000;

/**
 * Runs `fn` while this tab is the only one flushing the shared store, so that two tabs never send
 * the same events. Web Locks wait their turn and are freed when a tab dies; where they are
 * missing, a lease with an expiry kept in the store is taken, renewed while `fn` runs and given
 * back after. Resolves false when another tab holds the lease, or took it while `fn` ran (try
 * again later). A memory store belongs to this page alone and needs no lock.
 *
 * `fn` awaits `held()` before each further batch and stops on false: renewals run on timers,
 * which a background or suspended tab may not run for longer than the lease, and another tab then
 * takes it. Only a lease can be lost; under a Web Lock or for a memory store `held()` is true.
 */
export async function withFlushLock(
  name: string,
  store: EventStore,
  owner: string,
  fn: (held: () => Promise<boolean>) => Promise<void>,
  locks: LockManager | undefined = globalThis.navigator?.locks,
): Promise<boolean> {
  const yes = async () => true;
  if (store.kind == 'memory') return fn(yes).then(yes);
  if (locks) {
    let ran: unknown;
    try {
      await locks.request(name, () => (ran = fn(yes)));
      return true;
    } catch (e) {
      // Opaque origins have navigator.locks but refuse requests: fall back to the lease. An error
      // of `fn` itself is no refusal: running `fn` again, outside the Web Lock, would race other tabs.
      if (ran) throw e;
    }
  }
  const lease = (ms: number) => store.lease(owner, ms, Date.now()).catch(() => false);
  let mine = await store.lease(owner, LEASE_MS, Date.now());
  if (mine) {
    const renew = setInterval(lease, LEASE_MS / 3, LEASE_MS);
    try {
      await fn(async () => (mine &&= await lease(LEASE_MS)));
    } finally {
      clearInterval(renew);
      await lease(0);
    }
  }
  return mine;
}

import { afterEach, describe, expect, it, vi } from 'vitest';
import { createTracker } from '../../src/core/tracker';
import type { CrumbEvent, Tracker } from '../../src/core/types';
import { idbStore } from '../../src/queue/idb-store';
import { captureTransport, freshNamespace } from '../helpers';

const trackers: Tracker[] = [];
function tracker(options: Record<string, unknown>) {
  const cap = captureTransport();
  const t = createTracker({ transport: cap.transport, ...options });
  trackers.push(t);
  const seen: CrumbEvent[] = [];
  t.on('event', (e) => seen.push(e));
  return { ...cap, tracker: t, seen };
}
afterEach(async () => {
  await Promise.all(trackers.splice(0).map((t) => t.shutdown()));
});

const keysOf = (ns: string) => Object.keys(localStorage).filter((k) => k.startsWith(ns + ':'));
const databaseExists = async (ns: string) => (await indexedDB.databases()).some((d) => d.name == ns);

describe('consent', () => {
  it('lets a returning visitor keep the ids of the last visit when consent goes from pending to granted', async () => {
    const namespace = freshNamespace();
    const first = tracker({ namespace, storage: 'memory' });
    first.tracker.identify('user-42');
    first.tracker.track('visit_1');
    const [visit1] = first.seen;
    await first.tracker.shutdown();

    const second = tracker({ namespace, storage: 'memory', consent: 'pending' });
    second.tracker.track('before_banner');
    const [pending] = second.seen;
    expect(pending.anonymousId).not.toBe(visit1.anonymousId);
    second.tracker.setConsent('granted');
    second.tracker.track('after_banner');
    await second.tracker.flush();

    const sent = second.events();
    expect(sent.map((e) => e.name)).toEqual(['before_banner', 'after_banner']);
    for (const e of sent) {
      expect(e).toMatchObject({ anonymousId: visit1.anonymousId, sessionId: visit1.sessionId, userId: 'user-42' });
    }
    expect(localStorage.getItem(namespace + ':aid')).toBe(visit1.anonymousId);
  });

  it('keeps the ids made while pending for a visitor who has none stored', async () => {
    const namespace = freshNamespace();
    const { tracker: t, seen, events } = tracker({ namespace, storage: 'memory', consent: 'pending' });
    t.track('before_banner');
    t.setConsent('granted');
    t.track('after_banner');
    await t.flush();
    expect(new Set(events().map((e) => e.anonymousId))).toEqual(new Set([seen[0].anonymousId]));
    expect(localStorage.getItem(namespace + ':aid')).toBe(seen[0].anonymousId);
  });

  it('removes what an earlier visit stored when the tracker starts with consent denied', async () => {
    const namespace = freshNamespace();
    const first = tracker({ namespace, consent: 'granted' });
    first.tracker.identify('user-42');
    first.tracker.track('visit_1');
    await first.tracker.shutdown();
    localStorage.setItem(namespace + ':stash', '[]');
    localStorage.setItem(namespace + ':geo', '{}');
    expect(keysOf(namespace).length).toBeGreaterThanOrEqual(4);

    const second = tracker({ namespace, consent: 'denied' });
    second.tracker.track('ignored');
    expect(keysOf(namespace)).toEqual([]);
    await second.tracker.flush();
    expect(second.events()).toEqual([]);
  });

  it('clears the events an earlier visit left in IndexedDB when the tracker starts with consent denied', async () => {
    const namespace = freshNamespace();
    const first = tracker({ namespace, transport: { send: async () => ({ ok: false, retry: true }) } });
    first.tracker.track('undelivered');
    await first.tracker.flush();
    await first.tracker.shutdown();

    const stored = idbStore(namespace);
    expect(await stored.read(10)).toHaveLength(1);
    tracker({ namespace, consent: 'denied' });
    await vi.waitFor(async () => expect(await stored.read(10)).toEqual([]));
  });

  it('creates no IndexedDB database when consent is denied on a device that never had one', async () => {
    const namespace = freshNamespace();
    const { tracker: t } = tracker({ namespace, consent: 'pending' });
    t.track('x');
    t.setConsent('denied');
    await t.flush();
    await new Promise((r) => setTimeout(r, 20));
    expect(await databaseExists(namespace)).toBe(false);
  });

  it('keeps plugin state under the namespace only with consent, and removes it on denial', () => {
    const namespace = freshNamespace();
    const { tracker: t } = tracker({ namespace, storage: 'memory', consent: 'pending' });
    expect(t.state('tour', 'done')).toBeNull();
    expect(t.state('tour')).toBeNull();
    expect(keysOf(namespace)).toEqual([]);
    t.setConsent('granted');
    expect(t.state('tour', 'done')).toBe('done');
    expect(localStorage.getItem(namespace + ':tour')).toBe('done');
    t.setConsent('denied');
    expect(t.state('tour')).toBeNull();
    expect(keysOf(namespace)).toEqual([]);
  });
});

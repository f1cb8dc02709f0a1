import { uuid } from './id';
import { getItem, setItem } from './storage';
import type { CrumbEvent } from './types';

/** The visitor's anonymous id and session, kept in localStorage (never cookies). */
export interface Identity {
  anonymousId(): string;
  /** The current session id; starts a new session after `timeoutMs` without events. */
  sessionId(now: number): string;
  /** The signed-in user's id, set by `identify`; `null` clears it. */
  userId(id?: string | null): string | undefined;
  /**
   * Persist ids (consent granted), adopting those a returning visitor has stored, or keep them
   * in memory only and remove stored ones. Returns what gives an event made with the ids of
   * before the call those of after it, for the events held while consent was pending.
   */
  persist(on: boolean): (e: CrumbEvent) => void;
}

// Writing the last-activity time on every event would put a localStorage write on the hot
// path; every few seconds is enough for a 30-minute timeout.
const WRITE_EVERY_MS = 5000;

/**
 * Identity shared by the tabs of one browser: a tab adopts the session another tab keeps alive.
 * While `persist` is off (consent pending or denied) nothing is read from or written to storage.
 */
export function createIdentity(ns: string, timeoutMs: number, persist: boolean): Identity {
  const aidKey = ns + ':aid';
  const sidKey = ns + ':sid';
  const uidKey = ns + ':uid';
  let uid = (persist && getItem(uidKey)) || undefined;
  let aid = '';
  let sid = '';
  let last = 0;
  let written = 0;

  const save = () => {
    if (!persist) return;
    if (aid) setItem(aidKey, aid);
    // Not the absence of one: it would remove the user id a sign-in in another tab stored.
    if (uid) setItem(uidKey, uid);
    if (sid) setItem(sidKey, `${sid} ${last}`);
    written = last;
  };

  return {
    anonymousId() {
      if (!aid) {
        aid = (persist && getItem(aidKey)) || uuid();
        save();
      }
      return aid;
    },
    sessionId(now) {
      if (persist && now - written > WRITE_EVERY_MS) {
        const [id, at] = (getItem(sidKey) || '').split(' ');
        // Another tab may have signed in, or, on a first visit opened in two tabs at once, stored
        // its anonymous id over ours: both tabs then go on with the stored ones (the anonymous id
        // from the next event on: this one has it already).
        aid = getItem(aidKey) || aid;
        uid = getItem(uidKey) || uid;
        // A stale one is replaced just below, like our own.
        if (+at > last) {
          sid = id;
          last = +at;
        }
      }
      if (!sid || now - last >= timeoutMs) sid = uuid();
      last = now;
      if (now - written > WRITE_EVERY_MS) save();
      return sid;
    },
    userId(id) {
      if (id !== undefined) {
        uid = id || undefined;
        if (persist) setItem(uidKey, id);
      }
      return uid;
    },
    persist(on) {
      const a = aid;
      const s = sid;
      const u = uid;
      persist = on;
      if (on) {
        // Consent came after a pending start: the ids stored on an earlier visit win over those
        // made meanwhile, and so does its session while it is alive.
        aid = getItem(aidKey) || aid;
        uid ||= getItem(uidKey) || undefined;
        const [id, at] = (getItem(sidKey) || '').split(' ');
        if (sid && id && last - +at < timeoutMs) sid = id;
        save();
      } else {
        for (const k of [aidKey, sidKey, uidKey]) setItem(k, null);
      }
      return (e) => {
        if (e.anonymousId == a) e.anonymousId = aid;
        if (e.sessionId == s) e.sessionId = sid;
        if (!u) e.userId ??= uid;
      };
    },
  };
}

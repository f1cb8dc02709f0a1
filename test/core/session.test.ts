import { beforeEach, describe, expect, it } from 'vitest';
import { createIdentity } from '../../src/core/session';

const MIN = 60_000;
beforeEach(() => localStorage.clear());

describe('createIdentity', () => {
  it('keeps the anonymous id across page loads in localStorage', () => {
    const a = createIdentity('ns', 30 * MIN, true).anonymousId();
    expect(createIdentity('ns', 30 * MIN, true).anonymousId()).toBe(a);
    expect(document.cookie).toBe('');
  });

  it('keeps the session while events come, and starts a new one after 30 minutes without', () => {
    const id = createIdentity('ns', 30 * MIN, true);
    const s1 = id.sessionId(0 + 1e12);
    expect(id.sessionId(1e12 + 29 * MIN)).toBe(s1);
    expect(id.sessionId(1e12 + 58 * MIN)).toBe(s1);
    expect(id.sessionId(1e12 + 89 * MIN)).not.toBe(s1);
  });

  it('shares the session between tabs of one browser', () => {
    const t0 = 1e12;
    const tab1 = createIdentity('ns', 30 * MIN, true);
    const s = tab1.sessionId(t0);
    const tab2 = createIdentity('ns', 30 * MIN, true);
    expect(tab2.sessionId(t0 + 1000)).toBe(s);
  });

  it('adopts the session another tab kept alive', () => {
    const t0 = 1e12;
    const tab1 = createIdentity('ns', 30 * MIN, true);
    const tab2 = createIdentity('ns', 30 * MIN, true);
    const s = tab1.sessionId(t0);
    tab2.sessionId(t0);
    tab1.sessionId(t0 + 25 * MIN);
    // tab2 was idle 40 minutes, but tab1 kept the shared session alive.
    expect(tab2.sessionId(t0 + 40 * MIN)).toBe(s);
  });

  it('keeps ids in memory only while persistence is off, and removes stored ones when it turns off', () => {
    const id = createIdentity('ns', 30 * MIN, false);
    id.anonymousId();
    id.sessionId(1e12);
    expect(localStorage.length).toBe(0);
    id.persist(true);
    expect(localStorage.getItem('ns:aid')).toBe(id.anonymousId());
    id.persist(false);
    expect(localStorage.length).toBe(0);
  });

  it('keeps the user id another tab stored when this tab, opened before the sign-in, saves its session', () => {
    const t0 = 1e12;
    const before = createIdentity('ns', 30 * MIN, true);
    before.sessionId(t0);
    createIdentity('ns', 30 * MIN, true).userId('u1');
    before.sessionId(t0 + MIN);
    expect(createIdentity('ns', 30 * MIN, true).userId()).toBe('u1');
  });

  it('gives a tab opened before a sign-in in another tab the user id it stored', () => {
    const t0 = 1e12;
    const before = createIdentity('ns', 30 * MIN, true);
    before.sessionId(t0);
    createIdentity('ns', 30 * MIN, true).userId('u1');
    before.sessionId(t0 + MIN);
    expect(before.userId()).toBe('u1');
  });

  it('goes on with the anonymous id another tab, started at the same moment, stored over its own', () => {
    const t0 = 1e12;
    const tab1 = createIdentity('ns', 30 * MIN, true);
    const tab2 = createIdentity('ns', 30 * MIN, true);
    const a1 = tab1.anonymousId();
    tab1.sessionId(t0);
    // Tab 2 read no id before tab 1's write reached it.
    localStorage.removeItem('ns:aid');
    const a2 = tab2.anonymousId();
    tab2.sessionId(t0);
    expect(a2).not.toBe(a1);
    tab1.sessionId(t0 + MIN);
    expect(tab1.anonymousId()).toBe(a2);
    expect(localStorage.getItem('ns:aid')).toBe(a2);
  });

  it('remembers the user id until it is cleared', () => {
    createIdentity('ns', 30 * MIN, true).userId('u1');
    const next = createIdentity('ns', 30 * MIN, true);
    expect(next.userId()).toBe('u1');
    next.userId(null);
    expect(createIdentity('ns', 30 * MIN, true).userId()).toBeUndefined();
  });
});

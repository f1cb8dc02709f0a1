// @vitest-environment node
import { describe, expect, it } from 'vitest';
import { createTracker } from '../../src/index';

describe('createTracker without a DOM (SSR)', () => {
  it('returns a tracker whose every method does nothing and never throws', async () => {
    expect(typeof document).toBe('undefined');
    const t = createTracker({ collector: 'https://x.test/c' });
    expect(t.track('x', { a: 1 })).toBe('');
    expect(t.page()).toBe('');
    expect(t.identify('u')).toBe('');
    t.setConsent('granted');
    const off = t.on('error', () => {});
    off();
    await expect(t.flush()).resolves.toBeUndefined();
    await expect(t.shutdown()).resolves.toBeUndefined();
    expect(t.status().length).toBe(0);
  });

  it('still throws for bad options, so mistakes show in server logs too', () => {
    expect(() => createTracker({ colector: 'x' } as never)).toThrow(/colector/);
  });
});

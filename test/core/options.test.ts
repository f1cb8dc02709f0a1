import { describe, expect, it } from 'vitest';
import { createTracker } from '../../src/core/tracker';
import { resolveOptions } from '../../src/core/options';

describe('createTracker options', () => {
  it('throws an error naming a misspelt option', () => {
    expect(() => createTracker({ colector: 'https://x.test/c' } as never)).toThrow(
      'crumbtrail: option "colector": no such option; did you mean "collector"? Options are collector, transport, batch',
    );
  });

  it('throws an error naming a misspelt batch option', () => {
    expect(() => createTracker({ collector: '/c', batch: { maxEvent: 5 } } as never)).toThrow(
      'crumbtrail: option "batch.maxEvent": no such option; did you mean "maxEvents"? Options are maxEvents, maxBytes, flushIntervalMs',
    );
  });

  it('names an unknown option that is also the name of an Object method as unknown', () => {
    for (const name of ['constructor', 'toString', 'hasOwnProperty']) {
      expect(() => resolveOptions({ collector: '/c', [name]: 1 })).toThrow(`crumbtrail: option "${name}": no such option; options are collector,`);
    }
  });

  it('names the option, the bad value and the allowed range of a number', () => {
    expect(() => resolveOptions({ collector: '/c', batch: { maxEvents: -1 } })).toThrow(
      'crumbtrail: option "batch.maxEvents" is -1; allowed: a whole number from 1 to 1000',
    );
  });

  it('rejects an unknown consent value with the allowed values', () => {
    expect(() => resolveOptions({ collector: '/c', consent: 'yes' })).toThrow(/"consent" is "yes"; allowed: 'granted', 'pending' or 'denied'/);
  });

  it('requires exactly one of collector and transport', () => {
    expect(() => resolveOptions({})).toThrow(/give one of the options "collector"/);
    expect(() => resolveOptions({ collector: '/c', transport: { send: async () => ({ ok: true }) } })).toThrow(/give one of/);
  });

  it('rejects a transport without send and plugins without setup', () => {
    expect(() => resolveOptions({ transport: {} })).toThrow(/"transport" is an object; allowed: an object with a send/);
    expect(() => resolveOptions({ collector: '/c', plugins: [{ name: 'x' }] })).toThrow(/"plugins"/);
  });

  it('rejects options that are not an object', () => {
    expect(() => resolveOptions('https://x.test')).toThrow(/"options" is "https:\/\/x.test"; allowed: an object/);
  });

  it('applies documented defaults', () => {
    const c = resolveOptions({ collector: '/c' });
    expect(c.batch).toEqual({ maxEvents: 50, maxBytes: 60_000, flushIntervalMs: 5000 });
    expect(c.queue).toEqual({ maxEvents: 10_000, maxBytes: 5_000_000, maxAgeMs: 7 * 86_400_000 });
    expect(c).toMatchObject({ storage: 'indexeddb', consent: 'granted', debug: false, namespace: 'crumbtrail', sessionTimeoutMs: 1_800_000 });
  });
});

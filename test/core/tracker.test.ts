import { afterEach, describe, expect, it, vi } from 'vitest';
import { createTracker } from '../../src/core/tracker';
import type { CrumbEvent, Tracker } from '../../src/core/types';
import { captureTransport, freshNamespace } from '../helpers';

const trackers: Tracker[] = [];
function setup(extra: Record<string, unknown> = {}) {
  const cap = captureTransport();
  const tracker = createTracker({ transport: cap.transport, storage: 'memory', namespace: freshNamespace(), ...extra });
  trackers.push(tracker);
  const errors: Error[] = [];
  tracker.on('error', (e) => errors.push(e));
  return { ...cap, tracker, errors };
}
afterEach(async () => {
  await Promise.all(trackers.splice(0).map((t) => t.shutdown()));
});

describe('the event envelope', () => {
  it('carries every wire-format field', async () => {
    history.replaceState(null, '', '/shoes?utm_source=newsletter&utm_medium=email&email=a@b.c');
    document.title = 'Shoes';
    const { tracker, events } = setup();
    tracker.identify('user-42', { plan: 'gold' });
    const id = tracker.track('add_to_cart', { sku: 'A-1', price: 19.9 });
    await tracker.flush();
    const e = events().find((x) => x.id == id)!;
    expect(e).toMatchObject({
      type: 'track',
      name: 'add_to_cart',
      seq: 2,
      userId: 'user-42',
      page: { path: '/shoes', title: 'Shoes' },
      context: { campaign: { source: 'newsletter', medium: 'email' } },
      props: { sku: 'A-1', price: 19.9 },
    });
    expect(e.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(e.page.url).toContain('email=REDACTED');
    expect(e.page.url).not.toContain('a@b.c');
    expect(typeof e.ts).toBe('number');
    expect(e.anonymousId).toMatch(/^[0-9a-f-]{36}$/);
    expect(e.sessionId).toMatch(/^[0-9a-f-]{36}$/);
    expect(e.context).toHaveProperty('locale');
    expect(e.context).toHaveProperty('tz');
    expect(e.context.screen).toMatch(/^\d+x\d+$/);
  });

  it('redacts URLs in props as it redacts the page URL, at any depth, and leaves other strings alone', async () => {
    const { tracker, events, errors } = setup({ redact: ['token', 'customer'] });
    const id = tracker.track('watch', {
      src: 'https://cdn.test/v.mp4?token=SECRET&q=1',
      nested: { links: ['HTTP://cdn.test/a#customer=42', 'https://cdn.test/plain.mp4'] },
      note: 'see https://x.test/?token=SECRET',
    });
    await tracker.flush();
    const { props } = events().find((x) => x.id == id)!;
    expect(props).toEqual({
      src: 'https://cdn.test/v.mp4?token=REDACTED&q=1',
      nested: { links: ['http://cdn.test/a#customer=REDACTED', 'https://cdn.test/plain.mp4'] },
      note: 'see https://x.test/?token=SECRET',
    });
    expect(errors).toHaveLength(0);
  });

  it('gives every event a unique id', async () => {
    const { tracker, events } = setup();
    for (let i = 0; i < 500; i++) tracker.track('x');
    await tracker.flush();
    expect(new Set(events().map((e) => e.id)).size).toBe(500);
  });

  it('sets a page view referrer to the previous page of an SPA', async () => {
    history.replaceState(null, '', '/a');
    const { tracker, events } = setup();
    tracker.page();
    history.pushState(null, '', '/b');
    tracker.page();
    await tracker.flush();
    const [a, b] = events();
    expect(b.page.referrer).toBe(a.page.url);
    expect(b.page.path).toBe('/b');
  });
});

describe('bad input to track()', () => {
  const cases: [string, unknown, (props: Record<string, unknown>) => void][] = [
    ['a function', { f: () => 1, ok: 1 }, (p) => expect(p).toEqual({ ok: 1 })],
    ['a symbol', { s: Symbol('x'), ok: 1 }, (p) => expect(p).toEqual({ ok: 1 })],
    ['a BigInt', { big: 10n }, (p) => expect(p).toEqual({ big: '10' })],
    ['NaN and Infinity', { a: NaN, b: Infinity, c: -Infinity }, (p) => expect(p).toEqual({ a: null, b: null, c: null })],
    ['a DOM node', { el: document.body, ok: true }, (p) => expect(p).toEqual({ ok: true })],
    ['a DOM node as the props', document.body, (p) => expect(p).toEqual({})],
    ['window as the props', window, (p) => expect(p).toEqual({})],
    ['a string over 8 KB', { s: 'x'.repeat(10_000) }, (p) => expect((p.s as string).length).toBe(8192)],
    [
      'a circular reference',
      (() => {
        const o: Record<string, unknown> = { ok: 1 };
        o.self = o;
        return o;
      })(),
      (p) => expect(p).toEqual({ ok: 1 }),
    ],
    ['props over 32 KB', { a: 'x'.repeat(8000), b: 'x'.repeat(8000), c: 'x'.repeat(8000), d: 'x'.repeat(8000), e: 'x'.repeat(8000) }, (p) => expect(p).toEqual({})],
    ['props that are not an object', 42, (p) => expect(p).toEqual({})],
    ['a Date as the props', new Date(0), (p) => expect(p).toEqual({})],
    ['props whose toJSON gives an array', { toJSON: () => [1, 2] }, (p) => expect(p).toEqual({})],
  ];
  for (const [what, props, check] of cases) {
    it(`repairs ${what}, reports one error and never throws`, async () => {
      const { tracker, events, errors } = setup();
      let id = '';
      expect(() => (id = tracker.track('bad', props as never))).not.toThrow();
      await tracker.flush();
      expect(errors).toHaveLength(1);
      expect(errors[0].message).toMatch(/^crumbtrail: track\("bad"\)/);
      const e = events().find((x) => x.id == id)!;
      check(e.props as Record<string, unknown>);
    });
  }

  it('repairs a numeric name into a string with one error', async () => {
    const { tracker, events, errors } = setup();
    tracker.track(42 as never);
    await tracker.flush();
    expect(events()[0].name).toBe('42');
    expect(errors).toHaveLength(1);
  });

  for (const name of [undefined, null, '', '  ', {}, () => 'x']) {
    it(`drops an event named ${String(name)} with one error and a dropped report`, async () => {
      const { tracker, events, errors } = setup();
      const dropped = vi.fn();
      tracker.on('dropped', dropped);
      expect(tracker.track(name as never)).toBe('');
      await tracker.flush();
      expect(events()).toHaveLength(0);
      expect(errors).toHaveLength(1);
      expect(dropped).toHaveBeenCalledWith({ reason: 'invalid', count: 1 });
    });
  }

  it('keeps clean props without reporting anything', async () => {
    const { tracker, errors, events } = setup();
    tracker.track('ok', { a: 1, b: 'two', c: [true, null], d: { e: new Date(0) } } as never);
    await tracker.flush();
    expect(errors).toHaveLength(0);
    expect(events()[0].props).toEqual({ a: 1, b: 'two', c: [true, null], d: { e: '1970-01-01T00:00:00.000Z' } });
  });

  it('never logs to the console outside debug mode', async () => {
    const spies = (['log', 'debug', 'info', 'warn', 'error'] as const).map((m) => vi.spyOn(console, m));
    const { tracker } = setup();
    tracker.track(undefined as never);
    tracker.track('x', { f: () => 1 } as never);
    tracker.use(() => {
      throw new Error('bad middleware');
    });
    tracker.track('y');
    await tracker.flush();
    for (const s of spies) expect(s).not.toHaveBeenCalled();
    spies.forEach((s) => s.mockRestore());
  });
});

describe('middleware', () => {
  it('can change an event or drop it', async () => {
    const { tracker, events } = setup();
    const dropped = vi.fn();
    tracker.on('dropped', dropped);
    tracker.use((e) => (e.name == 'secret' ? null : { ...e, props: { ...e.props, build: 7 } }));
    tracker.track('secret');
    tracker.track('public');
    await tracker.flush();
    expect(events().map((e) => [e.name, e.props.build])).toEqual([['public', 7]]);
    expect(dropped).toHaveBeenCalledWith({ reason: 'middleware', count: 1 });
  });

  it('that throws is reported and skipped', async () => {
    const { tracker, events, errors } = setup();
    tracker.use(() => {
      throw new Error('oops');
    });
    tracker.track('kept');
    await tracker.flush();
    expect(events()).toHaveLength(1);
    expect(errors[0].message).toBe('crumbtrail: middleware: oops');
  });

  it('that removes itself while it runs leaves the next middleware to run on that event', async () => {
    const { tracker, events } = setup();
    const once = tracker.use((e) => (once(), e));
    tracker.use((e) => ({ ...e, props: {} }));
    tracker.track('signup', { email: 'a@b.c' });
    await tracker.flush();
    expect(events()[0].props).toEqual({});
  });

  it('that adds a key to an event\'s context changes that event alone, not those tracked before it', async () => {
    const { tracker, events } = setup();
    tracker.use((e) => {
      e.context.step = e.name!;
      return e;
    });
    tracker.track('cart');
    tracker.track('checkout');
    await tracker.flush();
    expect(events().map((e) => e.context.step)).toEqual(['cart', 'checkout']);
  });

  for (const [what, fn] of [
    ['is async', async (e: CrumbEvent) => e],
    ['returns true', () => true],
  ] as const) {
    it(`that ${what} is reported and skipped, and the event goes out as it was`, async () => {
      const { tracker, batches, errors } = setup();
      tracker.use(fn as never);
      const id = tracker.track('kept', { a: 1 });
      await tracker.flush();
      expect(id).toMatch(/^[0-9a-f-]{36}$/);
      expect(batches.flatMap((b) => b.events)).toMatchObject([{ id, type: 'track', name: 'kept', props: { a: 1 } }]);
      expect(errors.map((e) => e.message)).toEqual([expect.stringMatching(/^crumbtrail: middleware: returned .*, not an event$/)]);
    });
  }
});

describe('plugins and listeners', () => {
  it('runs plugin setup with the tracker and its stop on shutdown', async () => {
    const stop = vi.fn();
    const { tracker, events } = setup({
      plugins: [{ name: 'p', setup: (t: Tracker) => (t.emit('page_view'), stop) }],
    });
    await tracker.flush();
    expect(events()[0].type).toBe('page_view');
    await tracker.shutdown();
    expect(stop).toHaveBeenCalledOnce();
    expect(tracker.track('after')).toBe('');
  });

  it('resolves a second shutdown() only once the first has delivered what was queued, and stops plugins once', async () => {
    let release!: () => void;
    const cap = captureTransport(() => new Promise((r) => (release = () => r({ ok: true }))));
    const stop = vi.fn();
    const tracker = createTracker({
      transport: cap.transport,
      storage: 'memory',
      namespace: freshNamespace(),
      plugins: [{ name: 'p', setup: () => stop }],
    });
    tracker.track('last');
    const first = tracker.shutdown();
    let secondDone = false;
    const second = tracker.shutdown().then(() => (secondDone = true));
    await vi.waitFor(() => expect(cap.batches).toHaveLength(1));
    await new Promise((r) => setTimeout(r, 20));
    expect(secondDone).toBe(false);
    release();
    await Promise.all([first, second]);
    expect(stop).toHaveBeenCalledOnce();
  });

  it('reports a plugin whose setup throws and keeps tracking', async () => {
    const { tracker, errors, events } = setup({
      plugins: [{ name: 'broken', setup: () => { throw new Error('no API'); } }],
    });
    tracker.track('still');
    await tracker.flush();
    expect(errors[0].message).toBe('crumbtrail: plugin broken: no API');
    expect(events()).toHaveLength(1);
  });

  it('reports what a plugin or middleware throws even when its message is not a string, and keeps tracking', async () => {
    let made: ReturnType<typeof setup> | undefined;
    expect(() => {
      made = setup({ plugins: [{ name: 'odd', setup: () => { throw { message: 42 }; } }] });
    }).not.toThrow();
    const { tracker, errors, events } = made!;
    tracker.use(() => {
      throw { message: 7 };
    });
    tracker.track('still');
    await tracker.flush();
    expect(errors.map((e) => e.message)).toEqual(['crumbtrail: plugin odd: 42', 'crumbtrail: middleware: 7']);
    expect(events()).toHaveLength(1);
  });

  it('keeps the other subscription of a listener subscribed twice when one is removed', async () => {
    const { tracker } = setup();
    const seen: string[] = [];
    const log = (e: CrumbEvent) => seen.push(e.name!);
    const offFirst = tracker.on('event', log);
    tracker.on('event', log);
    tracker.track('both');
    offFirst();
    tracker.track('one');
    tracker.off('event', log);
    tracker.track('none');
    expect(seen).toEqual(['both', 'both', 'one']);
  });

  it('isolates a listener that throws', async () => {
    const { tracker } = setup();
    const second = vi.fn();
    tracker.on('event', () => {
      throw new Error('listener');
    });
    tracker.on('event', second);
    expect(() => tracker.track('x')).not.toThrow();
    expect(second).toHaveBeenCalledOnce();
  });

  it('isolates an error listener that throws on the errors kept from before it listened', () => {
    const tracker = createTracker({
      transport: captureTransport().transport,
      storage: 'memory',
      namespace: freshNamespace(),
      plugins: [1, 2].map((n) => ({ name: 'broken' + n, setup: () => { throw new Error('no API'); } })),
    });
    trackers.push(tracker);
    const seen: string[] = [];
    expect(() =>
      tracker.on('error', (e) => {
        seen.push(e.message);
        throw new Error('listener');
      }),
    ).not.toThrow();
    expect(seen).toEqual(['crumbtrail: plugin broken1: no API', 'crumbtrail: plugin broken2: no API']);
  });
});

describe('consent', () => {
  it('pending keeps events in memory until granted, then sends them', async () => {
    const { tracker, events } = setup({ consent: 'pending' });
    tracker.track('early');
    await tracker.flush();
    expect(events()).toHaveLength(0);
    expect(tracker.status()).toMatchObject({ length: 1, consent: 'pending' });
    tracker.setConsent('granted');
    await tracker.flush();
    expect(events().map((e) => e.name)).toEqual(['early']);
  });

  it('denied drops events and removes stored ids', async () => {
    const ns = freshNamespace();
    const { tracker, events } = setup({ consent: 'granted', namespace: ns });
    tracker.track('x');
    await tracker.flush();
    expect(localStorage.getItem(ns + ':aid')).toBeTruthy();
    tracker.setConsent('denied');
    tracker.track('y');
    await tracker.flush();
    expect(events().map((e) => e.name)).toEqual(['x']);
    expect(localStorage.getItem(ns + ':aid')).toBeNull();
  });

  it('pending writes nothing to localStorage', async () => {
    const ns = freshNamespace();
    const { tracker } = setup({ consent: 'pending', namespace: ns });
    tracker.track('x');
    expect(Object.keys(localStorage).filter((k) => k.startsWith(ns))).toEqual([]);
  });

  it('reports a bad consent value without throwing', () => {
    const { tracker, errors } = setup();
    expect(() => tracker.setConsent('maybe' as never)).not.toThrow();
    expect(errors[0].message).toMatch(/setConsent\(\) got "maybe"; ignored/);
  });
});


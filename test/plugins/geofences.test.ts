import { afterEach, beforeEach, describe, expect, it, onTestFinished, vi } from 'vitest';
import { createTracker } from '../../src/core/tracker';
import type { Consent, CrumbEvent, Tracker } from '../../src/core/types';
import { distance } from '../../src/plugins/geo-math';
import type { Fence } from '../../src/plugins/geo-validate';
import { geofences as scriptTagGeofences, type GeofencesOptions } from '../../src/plugins/geofences';
import { geofences } from '../../src/plugins/geofences-options';
import { captureTransport } from '../helpers';

const CENTRE = { lat: 41.0082, lng: 28.9784 };
// Metres per degree of latitude at the centre.
const KY = distance(CENTRE.lat, CENTRE.lng, CENTRE.lat + 1e-4, CENTRE.lng) * 1e4;
const COUPON = { title: '10 % off', code: 'SUMMER10' };
const STORE: Fence = { id: 'store-1', name: 'Store', ...CENTRE, radius: 50, coupon: COUPON };

/** Navigator's geolocation, driven by the test: `fix(m)` puts the visitor `m` metres north of the centre. */
function fakeGeolocation() {
  const watches = new Map<number, [PositionCallback, PositionErrorCallback | null | undefined]>();
  let next = 1;
  const api = {
    watchPosition: vi.fn((ok: PositionCallback, err?: PositionErrorCallback | null, _options?: PositionOptions) => (watches.set(next, [ok, err]), next++)),
    clearWatch: vi.fn((id: number) => watches.delete(id)),
    getCurrentPosition: vi.fn(),
  };
  return {
    geolocation: api as unknown as Geolocation,
    api,
    watching: () => watches.size,
    fix(metres: number, accuracy = 10) {
      const coords = { latitude: CENTRE.lat + metres / KY, longitude: CENTRE.lng, accuracy };
      for (const [ok] of [...watches.values()]) ok({ coords, timestamp: Date.now() } as GeolocationPosition);
    },
    error(code: number) {
      for (const [, err] of [...watches.values()]) err?.({ code, message: 'test' } as GeolocationPositionError);
    },
  };
}

function fakePermissions(state: PermissionState) {
  const status = { state, onchange: null as null | (() => void) };
  return {
    permissions: { query: vi.fn(async () => status) } as unknown as Permissions,
    grant() {
      status.state = 'granted';
      status.onchange?.();
    },
  };
}

const NS = 'geotest';
const trackers: Tracker[] = [];
async function setup(options: Partial<GeofencesOptions> = {}, permission: PermissionState = 'granted', geo = fakeGeolocation(), consent: Consent = 'granted') {
  const perm = fakePermissions(permission);
  const events: CrumbEvent[] = [];
  const errors: string[] = [];
  const tracker = createTracker({
    transport: captureTransport().transport,
    storage: 'memory',
    consent,
    // One namespace for every tracker of a test: a second setup is a reload or another tab.
    namespace: NS,
    plugins: [geofences({ fences: [STORE], geolocation: geo.geolocation, permissions: perm.permissions, loiterMs: 60_000, ...options })],
  });
  trackers.push(tracker);
  tracker.on('event', (e) => events.push(e));
  tracker.on('error', (e) => errors.push(e.message));
  await vi.advanceTimersByTimeAsync(0); // the Permissions API answers asynchronously
  const geofenceEvents = () => events.filter((e) => e.type.startsWith('geofence_')).map((e) => [e.type, e.props]);
  return { tracker, geo, perm, events, errors, geofenceEvents, controller: tracker.geofences! };
}

/** Walks through `metres` (north of the centre), one fix each, `stepMs` apart. */
async function walk(geo: ReturnType<typeof fakeGeolocation>, metres: number[], accuracy = 10, stepMs = 1000) {
  for (const m of metres) {
    geo.fix(m, accuracy);
    await vi.advanceTimersByTimeAsync(stepMs);
  }
}

beforeEach(() => {
  localStorage.clear();
  vi.useFakeTimers();
  vi.setSystemTime(new Date(2026, 10, 23, 12, 0)); // local noon
  vi.stubGlobal('isSecureContext', true);
});
afterEach(async () => {
  await Promise.all(trackers.splice(0).map((t) => t.shutdown()));
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

describe('geofences: enter, dwell and exit', () => {
  it('walking in, staying and walking out gives one enter, one dwell and one exit, in order', async () => {
    const { geo, geofenceEvents, errors } = await setup();
    await walk(geo, [300, 200, 100, 60, 40, 20, 0]);
    await vi.advanceTimersByTimeAsync(60_000); // loiterMs, with no new fix
    await walk(geo, [20, 60, 80, 100, 300]);
    expect(geofenceEvents()).toEqual([
      ['geofence_enter', { fenceId: 'store-1', name: 'Store', distance: 20, accuracy: 10 }],
      ['geofence_dwell', { fenceId: 'store-1', name: 'Store', distance: 0, accuracy: 10, insideMs: 60_000 }],
      // 80 m is inside the exit ring (50 + 25 m) once the accuracy is counted: 100 m is out.
      ['geofence_exit', { fenceId: 'store-1', name: 'Store', distance: 100, accuracy: 10, insideMs: 65_000 }],
    ]);
    expect(errors).toEqual([]);
  });

  it("the script tag's plugin, without the npm entry around it, enters, dwells, exits and hands out the coupon alike", async () => {
    const geo = fakeGeolocation();
    const coupons: unknown[] = [];
    const onCoupon = (e: Event) => coupons.push((e as CustomEvent).detail.coupon);
    addEventListener('crumbtrail:coupon', onCoupon);
    // The script tag's plugin finds the location APIs on navigator, where nothing else can give them.
    const apis = { geolocation: geo.geolocation, permissions: fakePermissions('granted').permissions };
    for (const [k, value] of Object.entries(apis)) Object.defineProperty(navigator, k, { value, configurable: true });
    onTestFinished(() => {
      for (const k of Object.keys(apis)) delete (navigator as unknown as Record<string, unknown>)[k];
    });
    const tracker = createTracker({
      transport: captureTransport().transport,
      storage: 'memory',
      namespace: NS,
      plugins: [scriptTagGeofences({ fences: [STORE], loiterMs: 60_000 })],
    });
    trackers.push(tracker);
    const types: string[] = [];
    tracker.on('event', (e) => types.push(e.type));
    await vi.advanceTimersByTimeAsync(0);
    await walk(geo, [300, 20, 0]);
    await vi.advanceTimersByTimeAsync(60_000);
    await walk(geo, [100, 300]);
    removeEventListener('crumbtrail:coupon', onCoupon);
    expect(types).toEqual(['geofence_enter', 'geofence_dwell', 'geofence_exit']);
    expect(coupons).toEqual([COUPON]);
  });

  it('a visitor who stands still inside (no new fix comes) gets the dwell loiterMs after the enter', async () => {
    const { geo, geofenceEvents } = await setup();
    await walk(geo, [300, 20, 0], 10, 1);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(geofenceEvents().map(([type]) => type)).toEqual(['geofence_enter', 'geofence_dwell']);
  });

  it('needs two fixes in a row inside: a fix outside in between starts again', async () => {
    const { geo, geofenceEvents } = await setup();
    await walk(geo, [40, 70, 40]);
    expect(geofenceEvents()).toEqual([]);
    await walk(geo, [30]);
    expect(geofenceEvents().map(([t]) => t)).toEqual(['geofence_enter']);
  });

  it('never enters on fixes whose accuracy radius is larger than the fence', async () => {
    const { geo, geofenceEvents } = await setup();
    await walk(geo, [0, 0, 0, 0], 500);
    expect(geofenceEvents()).toEqual([]);
    await walk(geo, [0, 0], 20);
    expect(geofenceEvents()).toHaveLength(1);
  });

  it('gives one enter and no exit for 30 fixes jittering ±15 m around the edge', async () => {
    const { geo, geofenceEvents } = await setup();
    const jitter = Array.from({ length: 30 }, (_, i) => 50 + 15 * Math.sin(i * 1.7));
    expect(Math.max(...jitter) - Math.min(...jitter)).toBeGreaterThan(29);
    await walk(geo, jitter);
    expect(geofenceEvents().map(([t]) => t)).toEqual(['geofence_enter']);
    await walk(geo, [200]);
    expect(geofenceEvents().map(([t]) => t)).toEqual(['geofence_enter', 'geofence_exit']);
  });

  it('lets a coarse fix exit only when even its near edge is past the exit ring', async () => {
    const { geo, geofenceEvents } = await setup();
    await walk(geo, [0, 0]);
    await walk(geo, [300], 250); // 300 - 250 = 50 m: could still be inside
    expect(geofenceEvents().map(([t]) => t)).toEqual(['geofence_enter']);
    await walk(geo, [400], 250);
    expect(geofenceEvents().map(([t]) => t)).toEqual(['geofence_enter', 'geofence_exit']);
  });

  it('with dwellMs, enters after that long inside, also without new fixes', async () => {
    const { geo, geofenceEvents } = await setup({ fences: [{ ...STORE, dwellMs: 30_000 }] });
    await walk(geo, [10, 10, 10], 10, 5000);
    expect(geofenceEvents()).toEqual([]);
    await vi.advanceTimersByTimeAsync(15_000);
    expect(geofenceEvents().map(([t]) => t)).toEqual(['geofence_enter']);
  });

  it('checks many fences, entering only the near one', async () => {
    const far = Array.from({ length: 999 }, (_, i) => ({ id: 'f' + i, lat: CENTRE.lat + 0.01 + i * 0.001, lng: CENTRE.lng + i * 0.001, radius: 50 }));
    const { geo, geofenceEvents } = await setup({ fences: [...far, STORE] });
    await walk(geo, [0, 0]);
    expect(geofenceEvents().map(([, p]) => (p as { fenceId: string }).fenceId)).toEqual(['store-1']);
  });
});

describe('geofences: state across reloads and tabs', () => {
  it('a reload inside the fence is not a new enter and shows no second coupon', async () => {
    const coupons: unknown[] = [];
    const onCoupon = (e: Event) => coupons.push((e as CustomEvent).detail);
    addEventListener('crumbtrail:coupon', onCoupon);
    const first = await setup();
    await walk(first.geo, [0, 0]);
    await first.tracker.shutdown();
    const second = await setup(); // the same localStorage: a reload, or another tab
    await walk(second.geo, [0, 0, 5]);
    removeEventListener('crumbtrail:coupon', onCoupon);
    expect(first.geofenceEvents().map(([t]) => t)).toEqual(['geofence_enter']);
    expect(second.geofenceEvents()).toEqual([]);
    expect(coupons).toEqual([{ fence: STORE, coupon: COUPON }]);
  });

  it('keeps the state in memory only, writing nothing, until consent is granted, and removes it on denial', async () => {
    const { tracker, geo, geofenceEvents } = await setup({}, 'granted', fakeGeolocation(), 'pending');
    await walk(geo, [0, 0, 0, 5]);
    expect(geofenceEvents().map(([t]) => t)).toEqual(['geofence_enter']);
    expect(Object.keys(localStorage)).toEqual([]);
    tracker.setConsent('granted');
    await walk(geo, [0]);
    expect(JSON.parse(localStorage.getItem(NS + ':geo')!)).toHaveProperty('store-1.i');
    tracker.setConsent('denied');
    expect(localStorage.getItem(NS + ':geo')).toBeNull();
    await walk(geo, [0, 0]);
    expect(geofenceEvents().map(([t]) => t)).toEqual(['geofence_enter']);
    expect(localStorage.getItem(NS + ':geo')).toBeNull();
  });

  it('ends a visit last seen inside over an hour ago with a late exit, then counts a new visit', async () => {
    const first = await setup();
    await walk(first.geo, [0, 0]);
    await first.tracker.shutdown();
    vi.advanceTimersByTime(2 * 36e5);
    const second = await setup();
    await walk(second.geo, [0, 0, 0]);
    expect(second.geofenceEvents().map(([t, p]) => [t, (p as { detectedLate?: boolean }).detectedLate])).toEqual([
      ['geofence_exit', true],
      ['geofence_enter', undefined],
    ]);
  });
});

describe('geofences: coupons', () => {
  it('hands the coupon to onEnter and to a crumbtrail:coupon event on window', async () => {
    const onEnter = vi.fn();
    const details: unknown[] = [];
    const listen = (e: Event) => details.push((e as CustomEvent).detail);
    addEventListener('crumbtrail:coupon', listen);
    const { geo } = await setup({ onEnter });
    await walk(geo, [0, 0]);
    removeEventListener('crumbtrail:coupon', listen);
    expect(onEnter).toHaveBeenCalledWith(STORE, COUPON);
    expect(details).toEqual([{ fence: STORE, coupon: COUPON }]);
  });

  it('shows a coupon once per cooldown however often the visitor comes back', async () => {
    const onEnter = vi.fn();
    const { geo } = await setup({ onEnter, fences: [{ ...STORE, cooldownHours: 2 }] });
    const visit = () => walk(geo, [0, 0, 300]);
    await visit();
    await visit();
    vi.advanceTimersByTime(2 * 36e5);
    await visit();
    expect(onEnter.mock.calls.map(([, c]) => c)).toEqual([COUPON, undefined, COUPON]);
  });

  it('never shows an expired coupon; a date alone runs to the end of that day', async () => {
    const onEnter = vi.fn();
    const fences = [
      { ...STORE, id: 'today', coupon: { ...COUPON, expiresAt: '2026-11-23' } },
      { ...STORE, id: 'gone', coupon: { ...COUPON, expiresAt: '2026-11-23T11:00:00Z' } },
    ];
    const { geo } = await setup({ onEnter, fences });
    await walk(geo, [0, 0]);
    expect(onEnter.mock.calls.map(([f, c]) => [f.id, !!c])).toEqual([['today', true], ['gone', false]]);
  });

  it('shows coupons only within activeHours, also across midnight, and records the enter anyway', async () => {
    const onEnter = vi.fn();
    const fences = [
      { ...STORE, id: 'day', activeHours: '09:00-21:00' },
      { ...STORE, id: 'night', activeHours: '22:00-02:00' },
      { ...STORE, id: 'morning', activeHours: '06:00-12:00' }, // ends at 12:00, it is 12:00
    ];
    const { geo, geofenceEvents } = await setup({ onEnter, fences });
    await walk(geo, [0, 0]);
    expect(onEnter.mock.calls.map(([f, c]) => [f.id, !!c])).toEqual([['day', true], ['night', false], ['morning', false]]);
    expect(geofenceEvents()).toHaveLength(3);
    vi.setSystemTime(new Date(2026, 10, 24, 1, 30));
    await walk(geo, [300, 0, 0]);
    expect(onEnter.mock.calls.slice(3).map(([f, c]) => [f.id, !!c])).toEqual([['day', false], ['night', true], ['morning', false]]);
  });

  it('reports an onEnter that throws and goes on', async () => {
    const { geo, errors, geofenceEvents } = await setup({ onEnter: () => { throw new Error('site bug'); } });
    await walk(geo, [0, 0]);
    expect(errors).toEqual(['crumbtrail: site bug']);
    expect(geofenceEvents()).toHaveLength(1);
  });
});

describe('geofences: permission and status', () => {
  it('watches at once when the permission is granted', async () => {
    const { geo, controller } = await setup();
    expect(geo.api.watchPosition).toHaveBeenCalledTimes(1);
    expect(geo.api.watchPosition.mock.calls[0][2]).toMatchObject({ enableHighAccuracy: true });
    geo.fix(300);
    expect(controller.status()).toBe('watching');
  });

  it('never prompts by itself: waits for start() while the permission is not granted', async () => {
    const { geo, controller } = await setup({}, 'prompt');
    expect(geo.api.watchPosition).not.toHaveBeenCalled();
    expect(controller.status()).toBe('prompt');
    const started = controller.start();
    geo.fix(300);
    expect(await started).toBe('watching');
  });

  it('starts when the visitor grants the permission elsewhere on the page', async () => {
    const { geo, perm } = await setup({}, 'prompt');
    perm.grant();
    expect(geo.api.watchPosition).toHaveBeenCalledTimes(1);
  });

  it("with start: 'manual', does not even ask the Permissions API", async () => {
    const { geo, controller } = await setup({ start: 'manual' });
    expect(geo.api.watchPosition).not.toHaveBeenCalled();
    expect(controller.status()).toBe('idle');
  });

  it('turns a denial into status denied and one error, and tracking goes on', async () => {
    const { geo, controller, errors, tracker, events } = await setup({}, 'prompt');
    const started = controller.start();
    geo.error(1);
    expect(await started).toBe('denied');
    const again = controller.start(); // asking again after a denial
    geo.error(1);
    expect(await again).toBe('denied');
    expect(errors).toEqual(['crumbtrail: geofences: no position (denied)']);
    tracker.track('still_working');
    expect(events.map((e) => e.name)).toContain('still_working');
  });

  it('shows the denied status without an error when the visitor denied earlier', async () => {
    const { controller, errors } = await setup({}, 'denied');
    expect(controller.status()).toBe('denied');
    expect(errors).toEqual([]);
  });

  it('ignores a brief POSITION_UNAVAILABLE between good fixes, and reports one that lasts', async () => {
    const { geo, controller, errors, geofenceEvents } = await setup();
    geo.fix(0);
    geo.error(2);
    await vi.advanceTimersByTimeAsync(500);
    geo.fix(0);
    expect(controller.status()).toBe('watching');
    expect(geofenceEvents()).toHaveLength(1);
    geo.error(2);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(controller.status()).toBe('unavailable');
    expect(errors).toEqual(['crumbtrail: geofences: no position (unavailable)']);
  });

  it('reports a timeout before the first fix, but not one after it', async () => {
    const first = await setup();
    first.geo.error(3);
    expect(first.controller.status()).toBe('timeout');
    const second = await setup();
    second.geo.fix(300);
    second.geo.error(3);
    expect(second.controller.status()).toBe('watching');
    expect(second.errors).toEqual([]);
  });

  it('a start() while the watch has failed (unavailable, timeout) and the browser says no more resolves at once with that status', async () => {
    const { geo, controller } = await setup();
    geo.error(2);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(controller.status()).toBe('unavailable');
    let again: string | undefined;
    void controller.start().then((s) => (again = s));
    await vi.advanceTimersByTimeAsync(60_000);
    expect(again).toBe('unavailable');
    // The watch goes on: a later fix still counts.
    geo.fix(300);
    expect(controller.status()).toBe('watching');
    const timedOut = await setup();
    timedOut.geo.error(3);
    let started: string | undefined;
    void timedOut.controller.start().then((s) => (started = s));
    await vi.advanceTimersByTimeAsync(0);
    expect(started).toBe('timeout');
  });

  it('a watch started again (start() after stop(), or the page shown again) that times out before its first fix says timeout', async () => {
    const { geo, controller, errors } = await setup();
    geo.fix(300);
    controller.stop();
    let started: string | undefined;
    void controller.start().then((s) => (started = s));
    geo.error(3); // no position within the watch's timeout, this time
    await vi.advanceTimersByTimeAsync(0);
    expect([started, controller.status()]).toEqual(['timeout', 'timeout']);
    expect(errors).toEqual(['crumbtrail: geofences: no position (timeout)']);
  });

  it('reports an insecure page or a browser without geolocation instead of throwing', async () => {
    vi.stubGlobal('isSecureContext', false);
    const insecure = await setup({ start: 'manual' });
    expect(await insecure.controller.start()).toBe('insecure');
    vi.stubGlobal('isSecureContext', true);
    const none = await setup({ start: 'manual', geolocation: null });
    expect(await none.controller.start()).toBe('unavailable');
    expect([...insecure.errors, ...none.errors]).toEqual(['crumbtrail: geofences: no position (insecure)', 'crumbtrail: geofences: no position (unavailable)']);
  });
});

describe('geofences: hidden pages and shutdown', () => {
  const setVisibility = (state: DocumentVisibilityState) => {
    Object.defineProperty(document, 'visibilityState', { value: state, configurable: true });
    document.dispatchEvent(new Event('visibilitychange'));
  };
  afterEach(() => {
    delete (document as { visibilityState?: unknown }).visibilityState;
  });

  it('stops watching while hidden and marks an exit noticed afterwards as late', async () => {
    const { geo, controller, geofenceEvents } = await setup();
    await walk(geo, [0, 0]);
    setVisibility('hidden');
    expect(geo.api.clearWatch).toHaveBeenCalledTimes(1);
    expect(geo.watching()).toBe(0);
    expect(controller.status()).toBe('paused');
    setVisibility('visible');
    expect(geo.api.watchPosition).toHaveBeenCalledTimes(2);
    await walk(geo, [500]);
    expect(geofenceEvents().map(([t, p]) => [t, (p as { detectedLate?: boolean }).detectedLate])).toEqual([
      ['geofence_enter', undefined],
      ['geofence_exit', true],
    ]);
  });

  it('a start() called while the page is hidden resolves only with the first fix after the page shows', async () => {
    const { geo, controller } = await setup({ start: 'manual' });
    setVisibility('hidden');
    let started: string | undefined;
    void controller.start().then((s) => (started = s));
    await vi.advanceTimersByTimeAsync(0);
    expect([controller.status(), started, geo.watching()]).toEqual(['paused', undefined, 0]);
    setVisibility('visible');
    await vi.advanceTimersByTimeAsync(0);
    expect(started).toBeUndefined();
    await walk(geo, [300]);
    expect(started).toBe('watching');
  });

  it('stops watching and removes its listeners on shutdown', async () => {
    const { geo, tracker, controller } = await setup();
    await tracker.shutdown();
    expect(geo.watching()).toBe(0);
    expect(controller.status()).toBe('idle');
    setVisibility('hidden');
    setVisibility('visible');
    expect(geo.api.watchPosition).toHaveBeenCalledTimes(1);
  });

  it('starts no watch after shutdown, which nothing could stop: start() answers idle', async () => {
    const { geo, tracker, controller } = await setup({ start: 'manual' });
    await tracker.shutdown();
    expect(await controller.start()).toBe('idle');
    expect(await tracker.geofences!.start()).toBe('idle');
    expect([geo.api.watchPosition.mock.calls.length, geo.watching(), controller.status()]).toEqual([0, 0, 'idle']);
  });
});

describe('geofences: fences file', () => {
  const file = (fences: unknown[]) => new Response(JSON.stringify({ fences }), { headers: { 'Content-Type': 'application/json' } });

  it('fetches the file, uses it, and keeps it for the next page of the session', async () => {
    const fetch = vi.fn(async () => file([STORE]));
    vi.stubGlobal('fetch', fetch);
    const first = await setup({ fences: undefined, fencesUrl: '/fences.json' });
    await walk(first.geo, [0, 0]);
    expect(first.geofenceEvents()).toHaveLength(1);
    expect(fetch).toHaveBeenCalledWith('/fences.json', { cache: 'no-cache' });
    await first.tracker.shutdown();
    localStorage.removeItem(NS + ':geo'); // forget the visit, keep the file
    const second = await setup({ fences: undefined, fencesUrl: '/fences.json' });
    await walk(second.geo, [0, 0]);
    expect(fetch).toHaveBeenCalledTimes(1);
    expect(second.geofenceEvents()).toHaveLength(1);
  });

  it('revalidates after 30 minutes and keeps the last good set when the file fails or is bad', async () => {
    const answers = [file([STORE]), new Response('oops', { status: 500 }), new Response('{ not json')];
    vi.stubGlobal('fetch', vi.fn(async () => answers.shift()!));
    const ok = await setup({ fences: undefined, fencesUrl: '/fences.json' });
    await ok.tracker.shutdown();
    for (let i = 0; i < 2; i++) {
      vi.advanceTimersByTime(31 * 60_000);
      localStorage.removeItem(NS + ':geo');
      const next = await setup({ fences: undefined, fencesUrl: '/fences.json' });
      await walk(next.geo, [0, 0]);
      expect(next.geofenceEvents()).toHaveLength(1);
      expect(next.errors).toHaveLength(1);
      expect(next.errors[0]).toMatch(i ? /^crumbtrail: geofences: \/fences\.json: .*JSON/ : 'crumbtrail: geofences: /fences.json: HTTP 500');
      await next.tracker.shutdown();
    }
  });

  it('leaves out a bad fence of the file, naming it, and keeps the good ones', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => file([{ ...STORE, id: 'bad', radius: -5 }, STORE])));
    const { geo, errors, geofenceEvents } = await setup({ fences: undefined, fencesUrl: '/fences.json' });
    await walk(geo, [0, 0]);
    expect(errors).toEqual(['crumbtrail: geofences: /fences.json: geofence "bad" has radius -5; radius must be a positive number of metres, at most 100000']);
    expect(geofenceEvents()).toHaveLength(1);
  });

  it('takes an empty list as the new set: no fences', async () => {
    const answers = [file([STORE]), file([])];
    vi.stubGlobal('fetch', vi.fn(async () => answers.shift()!));
    await (await setup({ fences: undefined, fencesUrl: '/fences.json' })).tracker.shutdown();
    vi.advanceTimersByTime(31 * 60_000);
    localStorage.removeItem(NS + ':geo');
    const { geo, geofenceEvents, errors } = await setup({ fences: undefined, fencesUrl: '/fences.json' });
    await walk(geo, [0, 0]);
    expect(geofenceEvents()).toEqual([]);
    expect(errors).toEqual([]);
  });
});

describe('geofences: context.geo', () => {
  it("is left out by default ('off')", async () => {
    const { geo, tracker, events } = await setup();
    geo.fix(0);
    tracker.track('x');
    expect(events.at(-1)!.context.geo).toBeUndefined();
  });

  it("with 'coarse', carries the position rounded to 2 decimals once one is known", async () => {
    const { geo, tracker, events } = await setup({ context: 'coarse' });
    tracker.track('before');
    geo.fix(0);
    tracker.track('after');
    expect(events.find((e) => e.name == 'before')!.context.geo).toBeUndefined();
    expect(events.find((e) => e.name == 'after')!.context.geo).toEqual({ lat: 41.01, lng: 28.98 });
  });

  it('is left out again once the visitor withdraws the location permission', async () => {
    const { geo, tracker, events, controller } = await setup({ context: 'exact' });
    geo.fix(0, 12);
    tracker.track('granted');
    geo.error(1); // the browser's answer to a permission taken back in the site settings
    tracker.track('withdrawn');
    expect(controller.status()).toBe('denied');
    expect(events.find((e) => e.name == 'granted')!.context.geo).toEqual({ ...CENTRE, accuracy: 12 });
    expect(events.find((e) => e.name == 'withdrawn')!.context.geo).toBeUndefined();
  });

  it("with 'exact', carries the fix and its accuracy", async () => {
    const { geo, tracker, events } = await setup({ context: 'exact' });
    geo.fix(0, 12);
    tracker.track('after');
    expect(events.at(-1)!.context.geo).toEqual({ ...CENTRE, accuracy: 12 });
  });
});

describe('geofences: configuration', () => {
  it('throws a clear message for a bad fence', () => {
    expect(() => geofences({ fences: [{ ...STORE, radius: -5 }] })).toThrow('crumbtrail: geofence "store-1" has radius -5; radius must be a positive number of metres, at most 100000');
  });

  it('takes the object of a fences file given as fences, as the fences file itself is taken', async () => {
    // What import fences from './fences.json' gives, which the type of the option must take too.
    const file = { $schema: './fences.schema.json', fences: [STORE] };
    const { geo, geofenceEvents, errors } = await setup({ fences: file });
    await walk(geo, [0, 0]);
    expect(geofenceEvents().map(([t]) => t)).toEqual(['geofence_enter']);
    expect(errors).toEqual([]);
  });

  it('throws when given neither fences nor a fences URL, or both', () => {
    expect(() => geofences({})).toThrow('crumbtrail: geofences() needs fences or fencesUrl (data-geofences)');
    expect(() => geofences({ fences: [], fencesUrl: '/f.json' })).toThrow('needs fences or fencesUrl');
  });

  it('throws a clear message for a bad start, context or loiterMs', () => {
    const bad = (o: object) => () => geofences({ fences: [], ...o } as GeofencesOptions);
    expect(bad({ start: 'always' })).toThrow('crumbtrail: geofences start is "always"; allowed: if-granted, manual');
    expect(bad({ context: 'precise' })).toThrow('crumbtrail: geofences context is "precise"; allowed: off, coarse, exact');
    expect(bad({ loiterMs: -1 })).toThrow('crumbtrail: geofences loiterMs is -1; it must be a positive number of milliseconds, at most 86400000 (a day)');
  });

  it('throws for a loiterMs that is text or over a day, whose dwell timer would fire at once again and again', () => {
    const bad = (loiterMs: unknown) => () => geofences({ fences: [], loiterMs } as GeofencesOptions);
    // '60000' > 0, but the enter time + '60000' is text; over 2^31 - 1 ms, browsers fire a timer at once.
    expect(bad('60000')).toThrow('crumbtrail: geofences loiterMs is "60000"; it must be a positive number of milliseconds, at most 86400000 (a day)');
    expect(bad(30 * 864e5)).toThrow('geofences loiterMs is 2592000000;');
    expect(bad(864e5)).not.toThrow();
  });
});

import { configError } from '../core/errors';
import type { Plugin, Props, Tracker } from '../core/types';
import { distance } from './geo-math';
import { checkFences, expiry, type Coupon, type Fence } from './geo-validate';

export type { Coupon, Fence };

/**
 * Where location watching stands. `idle`: not started (or stopped); `prompt`: the permission is
 * not granted yet, waiting for `start()`; `watching`: positions arrive; `paused`: the page is
 * hidden; `denied`, `unavailable`, `timeout`, `insecure` (not HTTPS): no positions, each
 * reported once as an error.
 */
export type GeoStatus = 'idle' | 'prompt' | 'watching' | 'paused' | 'denied' | 'unavailable' | 'timeout' | 'insecure';

/** Events of the geofences plugin. */
export type GeofenceEventType = 'geofence_enter' | 'geofence_dwell' | 'geofence_exit';

/** Props of the geofence events. */
export interface GeofenceProps {
  fenceId: string;
  name?: string;
  /** Metres from the fence's centre, rounded. */
  distance: number;
  /** Accuracy radius of the fix in metres, rounded. */
  accuracy: number;
  /** On dwell and exit: ms from the enter to this fix (to the last fix inside, for a late exit). */
  insideMs?: number;
  /**
   * On exit: true when the exit was noticed only on the first fix after watching resumed (the page
   * was hidden or closed, and hidden pages get no positions), so it happened earlier.
   */
  detectedLate?: boolean;
}

/** One position: degrees and the accuracy radius in metres. */
export type GeoFix = { lat: number; lng: number; accuracy: number };

/**
 * What the site can do with location watching: `tracker.geofences` once the `geofences()`
 * plugin is set up (`crumbtrail.geofences` with the script tag).
 */
export interface GeofenceController {
  /**
   * Starts watching, which asks for the permission when it was not granted: call it from a user
   * action (a "show offers near me" button). Resolves with the status after the first fix or
   * failure, at once when the watch already had one (`watching`, `timeout`, `unavailable`: the
   * watch goes on, and a later fix makes it `watching`); never rejects.
   * @example button.onclick = async () => { if ((await tracker.geofences!.start()) == 'denied') showHowToAllow(); };
   */
  start(): Promise<GeoStatus>;
  /**
   * Stops watching until the next `start()`.
   * @example tracker.geofences!.stop();
   */
  stop(): void;
  /**
   * Where watching stands.
   * @example if (tracker.geofences!.status() == 'prompt') showOffersButton();
   */
  status(): GeoStatus;
}

/** Options of {@link geofences}. */
export interface GeofencesOptions {
  /**
   * The fences (or a fences file's object, `{ fences: [...] }`); give this or `fencesUrl`. The npm
   * entry checks them at once: a bad fence throws.
   */
  fences?: Fence[] | { fences: Fence[] };
  /**
   * URL of a fences file (`{ "fences": [...] }`); give this or `fences`. The copy kept in
   * localStorage (with consent) is used at once; the file is fetched again (revalidated with the server, past
   * any HTTP cache) when that copy is older than 30 minutes, about once per session. Bad fences
   * in it are reported and left out; a failed fetch, bad JSON or a file whose fences are all bad
   * is reported and the last good set stays (an empty list is a good set: no fences).
   */
  fencesUrl?: string;
  /**
   * `'if-granted'` watches at once when the Permissions API says the location permission is
   * granted, or as soon as it becomes granted; `'manual'` waits for `start()`. Neither ever
   * prompts by itself.
   * @default 'if-granted'
   */
  start?: 'if-granted' | 'manual';
  /** `geofence_dwell` after this long inside, at most a day. @default 300000 (5 min) */
  loiterMs?: number;
  /**
   * Adds `context.geo` to every event once a position is known, until the visitor denies (or
   * takes back) the location permission: `'coarse'` rounds it to 2
   * decimals (about 1 km), `'exact'` sends the fix as it is, with its accuracy in metres. Ask
   * your visitors before you choose `'exact'`.
   * @default 'off'
   */
  context?: 'off' | 'coarse' | 'exact';
  /**
   * Called on every enter, with the fence's coupon when it may be shown now (not expired,
   * within activeHours, not shown within cooldownHours), else without. The same coupon also
   * goes out as a `crumbtrail:coupon` CustomEvent on window (`detail: { fence, coupon }`).
   */
  onEnter?: (fence: Fence, coupon?: Coupon) => void;
  /** @default navigator.geolocation */
  geolocation?: Geolocation | null;
  /** @default navigator.permissions */
  permissions?: Permissions | null;
}

/**
 * Where the plugin's setup finds the location APIs, `navigator` by default. The npm entry
 * (geofences-options.ts) hands its own: the `geolocation` and `permissions` options, a
 * geolocation that also gives it each fix (for `context`), and `enter` (for `onEnter`), which
 * the script tag cannot set: their code stays out of the script-tag build.
 */
export interface GeofenceEnv {
  geolocation?: Pick<Geolocation, 'watchPosition' | 'clearWatch'> | null;
  permissions?: Pick<Permissions, 'query'> | null;
  /** Each enter, after its event and before the coupon's DOM event. */
  enter?(fence: Fence, coupon?: Coupon): void;
}

/** The plugin {@link geofences} returns: its setup also takes where to find the location APIs. */
export interface GeofencesPlugin extends Plugin {
  setup(tracker: Tracker, env?: GeofenceEnv): () => void;
}

/**
 * Per fence: entered at, dwell recorded, coupon shown at, last fix inside at. Kept in
 * localStorage (shared by the tabs of the origin) when consent is granted, else in memory.
 */
type State = Record<string, { i?: number; w?: 1; c?: number; l?: number }>;

// A visit whose last fix inside is older than this when watching resumes (the page was hidden
// or closed meanwhile) ended unseen: it gets a late exit, and being there now is a new visit.
const STALE = 36e5;

/**
 * Geofences: watches the visitor's position (only with their permission) and records
 * `geofence_enter`, `geofence_dwell` and `geofence_exit` with the fence id, name, distance and
 * accuracy; hands out coupons on enter (see `couponUi()`). Never prompts for the location by
 * itself: call `tracker.geofences.start()` from a user action. This is the script tag's plugin;
 * the npm entry (geofences-options.ts) wraps it, checks the options and fences at call time, and
 * adds `start`, `onEnter`, `context`, `geolocation` and `permissions`, which only it can set.
 *
 * An enter needs two fixes in a row inside the radius (or `dwellMs` inside), each at least as
 * accurate as the radius; an exit needs a fix clearly past `radius + max(25 m, 20 %)`, so jitter
 * at the edge gives one enter, not ten. With consent granted, fence state persists in localStorage:
 * a reload inside a fence is no new enter, and coupons are capped across reloads and tabs;
 * without, it lasts as long as the page. Watching pauses while
 * the page is hidden. In the script tag: `data-plugins="geofences" data-geofences="/fences.json"`.
 *
 * @example
 * const tracker = createTracker({ collector: '/v1/batch', plugins: [geofences({ fencesUrl: '/fences.json' }), couponUi()] });
 * offersButton.onclick = () => tracker.geofences!.start();
 */
export function geofences(options: Pick<GeofencesOptions, 'fencesUrl' | 'loiterMs'> & { fences?: Fence[] }): GeofencesPlugin {
  const { fencesUrl: url, loiterMs = 3e5 } = options;
  // The other options are checked by the npm entry (geofences-options.ts); the script tag gives
  // only data-geofences, which may be missing.
  if (!url == !options.fences) throw configError('geofences() needs fences or fencesUrl (data-geofences)');
  let fences = options.fences || [];

  return {
    name: 'geofences',
    setup(tracker, env: GeofenceEnv = navigator) {
      const { geolocation: geo, permissions } = env;
      // Since when the fixes in a row were inside a fence not yet entered (in memory only).
      const since: Record<string, number> = {};
      const said: Partial<Record<GeoStatus, 1>> = {};
      const waiters: ((s: GeoStatus) => void)[] = [];
      let status: GeoStatus = 'idle';
      // Watch ids are above 0 (Geolocation API); none or 0 is no watch.
      let id: number | undefined;
      let timer: ReturnType<typeof setTimeout> | undefined;
      let unavailable: ReturnType<typeof setTimeout> | 0 | undefined;
      let last: GeolocationCoordinates | undefined;
      // True (else unset) from when watching (re)starts until its first fix.
      let late: true | undefined;
      let off: boolean | undefined;
      let mem: State = {};
      const load = (key: string) => {
        try {
          return JSON.parse(tracker.state(key)!);
        } catch {}
      };
      const store = (key: string, value: unknown) => tracker.state(key, JSON.stringify(value));

      // A start() waits through a pause (which is no set()) for the first fix or failure.
      const set = (s: GeoStatus) => {
        status = s;
        waiters.splice(0).forEach((r) => r(s));
      };
      const fail = (s: GeoStatus) => {
        set(s);
        if (!said[s]) tracker.report(`geofences: no position (${s})`);
        said[s] = 1;
      };
      const unwatch = () => {
        if (id) geo!.clearWatch(id);
        clearTimeout(timer);
        clearTimeout(unavailable);
        id = unavailable = 0;
      };
      const watch = () => {
        if (document.visibilityState == 'hidden') return (status = 'paused');
        late = true;
        id = geo!.watchPosition(
          ({ coords: c }) => {
            set('watching');
            clearTimeout(unavailable);
            unavailable = 0;
            last = c;
            step(1);
            // Only the first fix after watching (re)started can notice an exit that happened unseen.
            late = undefined;
          },
          ({ code }) => {
            if (code == 1) {
              unwatch();
              fail('denied');
            } else if (code == 3) {
              // Timeouts after this watch's first fix only mean the visitor stands still; before
              // it (also of a watch started again, after a fix of an earlier one) they are failures.
              if (late) fail('timeout');
            } else {
              // Browsers (and Playwright's emulation) emit POSITION_UNAVAILABLE briefly before
              // new fixes: only one that lasts 10 s with no fix is a failure.
              unavailable ||= setTimeout(() => fail('unavailable'), 1e4);
            }
          },
          // High accuracy: network positions (often 100 m and worse) cannot enter a 50 m fence.
          // A fix up to 15 s old is fine for walking speed. The timeout bounds only the wait for
          // the first fix.
          { enableHighAccuracy: true, maximumAge: 15e3, timeout: 6e4 },
        );
      };
      const begin = () => {
        off = false;
        if (!isSecureContext) fail('insecure');
        else if (!geo) fail('unavailable');
        else if (!id) watch();
      };

      // Checks every fence against the last fix; `real` is unset when a timer re-checks the
      // time-based conditions (loiterMs, dwellMs) without a new fix.
      const step = (real?: 1) => {
        clearTimeout(timer);
        const t = Date.now();
        const { latitude: lat, longitude: lng, accuracy: acc } = last!;
        const s: State = load('geo') || mem;
        const save = () => store('geo', (mem = s));
        let next = 1 / 0;
        for (const f of fences) {
          const { id: fid, radius: r, dwellMs: dwell, coupon: c, activeHours: h = '00:00-24:00' } = f;
          const st = s[fid] || {};
          const p = since[fid];
          // A degree of latitude is over 110 km: most far fences cost a subtraction, not a distance.
          const dist = !st.i && Math.abs(f.lat - lat) * 11e4 > r ? 1 / 0 : distance(lat, lng, f.lat, f.lng);
          // Props not given are undefined, which JSON leaves out.
          const emit = (type: GeofenceEventType, insideMs?: number, detectedLate?: true) =>
            tracker.emit(type, { fenceId: fid, name: f.name, distance: Math.round(dist), accuracy: Math.round(acc), insideMs, detectedLate } as Props);
          if (st.i) {
            // Hysteresis: out only when even the near edge of the accuracy circle is past the
            // exit ring. A late exit happened unseen, after the last fix inside: count to that.
            if (real && (dist - acc > r + Math.max(25, r / 5) || (late && t - st.l! > STALE))) {
              emit('geofence_exit', (late ? st.l! : t) - st.i, late);
              s[fid] = { c: st.c };
              continue;
            }
            if (real) st.l = t;
            if (!st.w) {
              if (t - st.i >= loiterMs) {
                emit('geofence_dwell', t - st.i);
                st.w = 1;
              } else next = Math.min(next, st.i + loiterMs);
            }
          } else if (dist <= r && acc <= r) {
            if (real) since[fid] ||= t;
            // Two fixes in a row inside (this one and one before), or dwellMs since the first.
            if (dwell ? t - since[fid] >= dwell : real && p) {
              since[fid] = 0;
              s[fid] = st;
              st.i = st.l = t;
              // Checked again at once, without a fix: the entered fence then sets the timer of its
              // dwell, which is due also when no new fix comes (a visitor standing still gets none).
              next = t;
              // The coupon goes out when it has not expired, the local time is within
              // activeHours and none was handed out for this fence within cooldownHours. No
              // expiresAt, or no coupon handed out yet, gives NaN, which is never at or below.
              // Times compare as text, being zero-padded HH:MM: toTimeString starts with the local
              // HH:MM:SS in every engine (ECMA-262 TimeString). Now is within the hours when being
              // past their start and past their end differ, or when the hours run across midnight
              // (their start not before their end) and these agree.
              const now = new Date(t).toTimeString();
              const end = h.slice(6);
              const coupon =
                c &&
                !(expiry(c.expiresAt) <= t) &&
                (now >= h != now >= end) == h < end &&
                !(t - st.c! < (f.cooldownHours ?? 24) * 36e5)
                  ? c
                  : undefined;
              if (coupon) st.c = t;
              // Saved before anyone hears of it, so that another tab cannot show it too.
              save();
              emit('geofence_enter');
              env.enter?.(f, coupon);
              if (coupon) dispatchEvent(new CustomEvent('crumbtrail:coupon', { detail: { fence: f, coupon } }));
            } else if (dwell && since[fid]) next = Math.min(next, since[fid] + dwell);
          } else if (real) since[fid] = 0;
        }
        save();
        if (next < 1 / 0) timer = setTimeout(step, next - t);
      };

      const onVisibility = () => {
        // Hidden pages get no positions anyway; giving the watch up saves the battery. Only a
        // started plugin is paused: stop() makes it idle.
        if (document.visibilityState == 'hidden') {
          if (id) {
            unwatch();
            status = 'paused';
          }
        } else if (status == 'paused') watch();
      };
      document.addEventListener('visibilitychange', onVisibility);
      permissions?.query({ name: 'geolocation' }).then((p) => {
        // Also when the visitor grants the permission later (to this site's own location button).
        (p.onchange = () => {
          if (!off && !id) {
            if (p.state == 'granted') begin();
            else set(p.state);
          }
        })();
      }, () => {});
      if (url) {
        const cache: { u: string; t: number; f: Fence[] } | undefined = load('geo:fences');
        const bad = (m: string) => tracker.report(`geofences: ${url}: ${m}`);
        // The kept copy of this file is used at once, and fetched again once it is 30 minutes old.
        if (cache?.u != url || ((fences = cache.f), Date.now() - cache.t > 18e5)) {
          fetch(url, { cache: 'no-cache' })
            .then(async (r) => {
              if (!r.ok) return bad('HTTP ' + r.status);
              const [f, p] = checkFences(await r.json());
              p.forEach(bad);
              if (f.length || !p.length) {
                fences = f;
                store('geo:fences', { u: url, t: Date.now(), f });
              }
            })
            .catch((e) => bad(e.message));
        }
      }

      const stop = () => {
        off = true;
        unwatch();
        set('idle');
      };
      tracker.geofences = {
        start: () =>
          new Promise((resolve) => {
            waiters.push(resolve);
            begin();
            // A live watch that already answered (watching, timeout, unavailable: the statuses
            // after 't') may say nothing more for long, as a browser reports a failure once.
            if (status > 't') set(status);
          }),
        stop,
        status: () => status,
      };
      return () => {
        stop();
        document.removeEventListener('visibilitychange', onVisibility);
      };
    },
  };
}

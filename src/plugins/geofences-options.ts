// The npm entry's geofences: the plugin of geofences.ts behind a check of its options and of
// the fences given inline, with the options only the npm module can set (start, onEnter,
// context, geolocation, permissions) added around it. The script tag gives only a fences URL (data-geofences), whose file
// the plugin checks when it arrives, and so carries none of this code.
import { configError, show } from '../core/errors';
import type { Plugin } from '../core/types';
import { coarse } from './geo-math';
import { checkFences } from './geo-validate';
import * as geo from './geofences';

/**
 * {@link geo.geofences} with its options and fences checked: throws at call time, with one
 * message per problem, for a bad option or fence.
 *
 * @example
 * createTracker({ collector: '/v1/batch', plugins: [geofences({ fences: [{ id: 'kadikoy', lat: 40.9903, lng: 29.029, radius: 50 }] })] });
 */
export function geofences(options: geo.GeofencesOptions): Plugin {
  const [fences, problems] = checkFences(options.fences || []);
  const check = (k: 'start' | 'context' | 'loiterMs', ok: unknown, rule: string) => ok || problems.push(`geofences ${k} is ${show(options[k])}; ${rule}`);
  const oneOf = (k: 'start' | 'context', allowed: string) =>
    check(k, options[k] === undefined || allowed.split(', ').includes(options[k]!), 'allowed: ' + allowed);
  oneOf('start', 'if-granted, manual');
  oneOf('context', 'off, coarse, exact');
  // A number: the enter time + '60000' would be text. At most a day: browsers fire a timer of
  // over 2^31 - 1 ms at once, and the dwell's timer would then run again and again.
  const { loiterMs: ms } = options;
  check('loiterMs', ms === undefined || (typeof ms == 'number' && ms > 0 && ms <= 864e5), 'it must be a positive number of milliseconds, at most 86400000 (a day)');
  if (problems.length) throw configError(problems.join('; '));
  const { start, onEnter, context } = options;
  // The checked list: checkFences also takes a fences file's object ({ fences: [...] }).
  const plugin = geo.geofences({ ...options, fences: options.fences && fences });
  return {
    name: plugin.name,
    setup(tracker) {
      let last: geo.GeoFix | undefined;
      // Read here, not at call time: the module may be imported during SSR.
      const { geolocation = navigator.geolocation, permissions = navigator.permissions } = options;
      const stop = plugin.setup(tracker, {
        // The fixes pass through here first, so that the events of a fix carry its context.geo.
        // A denial (also of a permission taken back while watching) ends it: the visitor's last
        // position goes out no more.
        geolocation: geolocation && {
          watchPosition: (ok, fail, watchOptions) =>
            geolocation.watchPosition(
              (p) => {
                const c = p.coords;
                last = { lat: c.latitude, lng: c.longitude, accuracy: c.accuracy };
                ok(p);
              },
              (e) => {
                if (e.code == 1) last = undefined;
                fail?.(e);
              },
              watchOptions,
            ),
          clearWatch: (id) => geolocation.clearWatch(id),
        },
        // The plugin watches at once when the Permissions API says it may: 'manual' gives it none.
        permissions: start == 'manual' ? null : permissions,
        enter(fence, coupon) {
          try {
            onEnter?.(fence, coupon);
          } catch (e) {
            tracker.report(e);
          }
        },
      });
      const unuse =
        context &&
        context != 'off' &&
        tracker.use((e) => {
          if (last) e.context = { ...e.context, geo: context == 'exact' ? last : { lat: coarse(last.lat), lng: coarse(last.lng) } };
          return e;
        });
      // The watch hears of a permission taken back only while it runs: while the page is hidden
      // (paused) or the plugin stopped, only the Permissions API tells.
      const ended = new AbortController();
      if (unuse) {
        permissions
          ?.query({ name: 'geolocation' })
          .then((p) => p.addEventListener('change', () => p.state != 'granted' && (last = undefined), { signal: ended.signal }))
          .catch(() => {});
      }
      return () => {
        stop();
        ended.abort();
        if (unuse) unuse();
        // After shutdown a start() would watch with nothing left to stop it: the controller (also
        // one the page holds) stays idle.
        Object.assign(tracker.geofences!, { start: async () => 'idle', stop() {} });
      };
    },
  };
}

// The npm entry's geofences: the plugin of geofences.ts behind a check of its options and of
// the fences given inline. The script tag gives only a fences URL (data-geofences), whose file
// the plugin checks when it arrives, and so carries no option checks.
import { configError, show } from '../core/errors';
import type { Plugin } from '../core/types';
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
  const [, problems] = checkFences(options.fences || []);
  const check = (k: 'start' | 'context' | 'loiterMs', ok: unknown, rule: string) => ok || problems.push(`geofences ${k} is ${show(options[k])}; ${rule}`);
  const oneOf = (k: 'start' | 'context', allowed: string) =>
    check(k, options[k] === undefined || allowed.split(', ').includes(options[k]!), 'allowed: ' + allowed);
  oneOf('start', 'if-granted, manual');
  oneOf('context', 'off, coarse, exact');
  check('loiterMs', options.loiterMs === undefined || options.loiterMs > 0, 'it must be a positive number of milliseconds');
  if (problems.length) throw configError(problems.join('; '));
  return geo.geofences(options);
}

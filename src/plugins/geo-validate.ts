import { show } from '../core/errors';

/**
 * What a fence hands out on enter. Every field is shown as plain text (never as HTML).
 *
 * @example
 * { code: 'SUMMER10', title: '10 % off today', text: 'Show this at the till.', url: '/summer', expiresAt: '2026-08-31' }
 */
export interface Coupon {
  /** The heading of the offer. */
  title: string;
  /** The code the shopper gives at the till. */
  code?: string;
  /** One or two sentences. */
  text?: string;
  /** Where the offer's button leads: `https://…`, `http://…` or a path on the site (`/…`). */
  url?: string;
  /**
   * When the offer ends: an ISO date-time (`2026-08-31T21:00:00+03:00`), or a date
   * (`2026-08-31`), which runs to the end of that day in the shopper's time zone.
   */
  expiresAt?: string;
}

/**
 * A place: a circle around a point, optionally with a coupon.
 *
 * @example
 * { id: 'kadikoy', name: 'Kadıköy store', lat: 40.9903, lng: 29.0290, radius: 50, coupon: { title: '10 % off', code: 'K10' } }
 */
export interface Fence {
  /** Unique id, 1 to 100 characters; events carry it as `fenceId`. */
  id: string;
  /** Latitude of the centre, -90 to 90. */
  lat: number;
  /** Longitude of the centre, -180 to 180. */
  lng: number;
  /** Radius in metres, more than 0 and at most 100,000. */
  radius: number;
  /** A readable name; events carry it. */
  name?: string;
  coupon?: Coupon;
  /** The coupon is shown at most once per this many hours per fence. @default 24 */
  cooldownHours?: number;
  /**
   * Local times the coupon may show, `HH:MM-HH:MM`; across midnight allowed (`22:00-02:00`).
   * Enter and exit are recorded at any time. @default undefined (all day)
   */
  activeHours?: string;
  /** Enter only after this long inside (instead of two fixes in a row). @default undefined */
  dwellMs?: number;
}

// A field's rule: a test and what it asks for (to finish "… must be ").
type Rule = [test: (v: any) => unknown, rule: string];

const num = (min: number, max: number): Rule => [(v) => typeof v == 'number' && v >= min && v <= max, `a number from ${min} to ${max}`];
// An end of 24:00 is the end of the day.
const HOURS = /^([01]\d|2[0-3]):[0-5]\d-(([01]\d|2[0-3]):[0-5]\d|24:00)$/;
const isObject = (v: unknown): unknown => v && typeof v == 'object' && !Array.isArray(v);
// A string the pattern matches: test() alone would take ["09:00-21:00"] as its text.
const matches = (re: RegExp) => (v: unknown) => typeof v == 'string' && re.test(v);
const TEXT: Rule = [matches(/^[\s\S]{1,1000}$/), 'text of 1 to 1000 characters'];

/**
 * The end of a coupon in epoch ms: a date alone (`2026-08-31`) runs to the end of that day
 * in local time (ISO would read it as midnight UTC, the start of the day); NaN when invalid or
 * absent.
 *
 * @example
 * expiry('2026-08-31') > Date.parse('2026-08-31T12:00:00'); // true
 */
export const expiry = (v = ''): number => Date.parse(v.length == 10 ? v + 'T23:59:59.999' : v);

// Required fields come first: the others may be left out.
const FENCE: Record<string, Rule> = {
  id: TEXT,
  lat: num(-90, 90),
  lng: num(-180, 180),
  radius: [(v) => typeof v == 'number' && v > 0 && v <= 1e5, 'a positive number of metres, at most 100000'],
  name: TEXT,
  coupon: [isObject, 'an object'],
  cooldownHours: num(0, 8760),
  activeHours: [matches(HOURS), 'local times like "09:00-21:00"'],
  dwellMs: num(0, 864e5),
};
const COUPON: Record<string, Rule> = {
  title: TEXT,
  code: TEXT,
  text: TEXT,
  url: [matches(/^(https?:\/\/|\/)/i), 'a link starting with https://, http:// or /'],
  // Date.parse rolls 2026-02-30 over to March 2: the day must survive parsing.
  expiresAt: [
    (v) => matches(/^\d{4}-\d\d-\d\d/)(v) && expiry(v) > 0 && new Date(v.slice(0, 10)).getUTCDate() == +v.slice(8, 10),
    'a date like "2026-08-31" or "2026-08-31T21:00+03:00"',
  ],
};

/**
 * Checks a fences list (or a fences file: `{ "fences": [...] }`). Returns the valid fences and
 * one message per problem, naming the fence, the field, the value and the rule; a fence with a
 * problem is left out, the others are kept.
 *
 * @example
 * const [fences, problems] = checkFences([{ id: 'a', lat: 95, lng: 0, radius: 50 }]);
 * // problems: ['geofence "a" has lat 95; lat must be a number from -90 to 90']
 */
export function checkFences(input: unknown): [Fence[], string[]] {
  const list = (input as { fences?: unknown })?.fences || input;
  const problems: string[] = [];
  const seen: Record<string, 1> = {};
  if (!Array.isArray(list)) return [[], [`fences must be a list, got ${show(list)}`]];
  const fences = list.filter((f, i) => {
    const n = problems.length;
    const id = f?.id;
    const bad = (what: string, rule: string) => problems.push(`geofence ${typeof id == 'string' ? JSON.stringify(id) : '#' + (i + 1)} ${what}; ${rule}`);
    // The first `required` rules must be met; the others also allow a missing value.
    const check = (o: Record<string, unknown>, rules: Record<string, Rule>, required: number, prefix = '') =>
      Object.entries(rules).forEach(([k, [test, rule]], j) => {
        const v = o[k];
        if (!test(v) && (v !== undefined || j < required)) bad(`has ${(k = prefix + k)} ${show(v)}`, `${k} must be ${rule}`);
      });
    if (!isObject(f)) bad(`is ${show(f)}`, 'it must be an object');
    else {
      check(f, FENCE, 4);
      if (isObject(f.coupon)) check(f.coupon, COUPON, 1, 'coupon.');
      if (seen[id]) bad('is listed twice', 'ids must be unique');
      seen[id] = 1;
    }
    return problems.length == n;
  });
  return [fences, problems];
}

import type { Props } from './types';

/** Longest string kept in props, in UTF-16 code units; longer ones are cut. */
export const MAX_STRING = 8192;
/** Largest serialized props; larger props are left out whole. */
export const MAX_PROPS = 32768;
const MAX_DEPTH = 10;

/**
 * Makes `props` JSON-safe by one pass of JSON.stringify, which already drops functions and
 * symbols, writes NaN and ±Infinity as null and applies toJSON (Dates): the replacer also cuts
 * long strings, turns BigInt (which would throw) into a string, and leaves out DOM objects,
 * circular references and values nested too deep. Strings that are URLs with a query or a
 * hash (a video's signed src, a link with a token) go through `redact`, as the page's URL does.
 * Returns a clean copy and adds what was repaired to `problems`, so that the caller reports one
 * error per call.
 */
export function sanitize(props: unknown, problems: string[], redact: (url: string) => string): Props {
  const fix = (key: string, what: string, to?: unknown) => (
    problems.push(`${key || 'props'} (${what}) ${to === undefined ? 'left out' : 'sent as ' + to}`), to
  );
  const parents: unknown[] = [];
  let json = '{}';
  if (props != null) {
    try {
      // A DOM object or window as the props is left out whole: stringify gives undefined.
      json = JSON.stringify(props, function (this: unknown, key: string, v: unknown) {
        // `this` holds `key`: cutting the stack after it (each object is there once, the root's
        // holder never) leaves exactly the ancestors of `v`.
        parents.splice(parents.indexOf(this) + 1);
        const t = typeof v;
        if (t == 'string') {
          const s = /^https?:\/\/[^?#]*[?#]/i.test(v as string) ? redact(v as string) : (v as string);
          return s.length > MAX_STRING ? fix(key, 'over 8 KB', 'its first 8192 characters') && s.slice(0, MAX_STRING) : s;
        }
        if (t == 'number') return isFinite(v as number) ? v : fix(key, String(v), null);
        if (t == 'bigint') return fix(key, 'BigInt', 'a string') && String(v);
        if (t == 'function' || t == 'symbol') return fix(key, t);
        if (v && t == 'object') {
          if (typeof (v as Node).nodeType == 'number' || v == globalThis) return fix(key, 'DOM object');
          if (parents.includes(v)) return fix(key, 'circular');
          if (parents.push(v) > MAX_DEPTH) return fix(key, 'nested too deep');
        }
        return v;
      }) || json;
    } catch (e) {
      // A toJSON() or getter that throws.
      fix('', String(e));
    }
  }
  // Props over 32 KB, and props that are no object once serialized (a number, an array, a Date,
  // whose toJSON gives a string), are left out whole: fix() then gives undefined.
  return JSON.parse(((json.length > MAX_PROPS ? fix('', 'over 32 KB') : json[0] != '{' ? fix('', 'not an object') : json) as string) || '{}');
}

// The wire format, version 1 (see ARCHITECTURE.md "Wire format"). The collector checks only what
// it needs to store and deduplicate an event; everything else is kept as sent.

/**
 * Parses a request body.
 * @param {string} text
 * @returns {{ batch: any, ids: string[], error: string | null }} `error` is the 400 reason, if any;
 *   `ids` are the ids found even in a rejected batch, so the raw log can count attempts per id.
 */
export function parseBatch(text) {
  let batch;
  try {
    batch = JSON.parse(text);
  } catch {
    return { batch: undefined, ids: [], error: 'body is not valid JSON' };
  }
  return { batch, ids: idsOf(batch), error: invalidReason(batch) };
}

function idsOf(batch) {
  if (!Array.isArray(batch?.events)) return [];
  return batch.events.filter((e) => typeof e?.id === 'string').map((e) => e.id);
}

function invalidReason(batch) {
  if (batch === null || typeof batch !== 'object' || Array.isArray(batch)) {
    return 'body must be a JSON object';
  }
  if (batch.v !== 1) return 'v must be 1';
  if (!Array.isArray(batch.events)) return 'events must be an array';
  for (let i = 0; i < batch.events.length; i++) {
    const e = batch.events[i];
    if (e === null || typeof e !== 'object' || Array.isArray(e)) return `events[${i}] must be an object`;
    if (typeof e.id !== 'string' || e.id === '') return `events[${i}].id must be a non-empty string`;
    if (typeof e.type !== 'string' || e.type === '') return `events[${i}].type must be a non-empty string`;
    if (typeof e.ts !== 'number' || !Number.isFinite(e.ts)) return `events[${i}].ts must be a finite number`;
  }
  return null;
}

/**
 * Whether a Content-Type is one the SDK sends: `application/json` from fetch, `text/plain` from
 * sendBeacon (a JSON type would force a CORS preflight that beacons cannot make).
 * @param {string | undefined} contentType
 */
export function isBatchContentType(contentType) {
  const type = (contentType ?? '').split(';')[0].trim().toLowerCase();
  return type === 'application/json' || type === 'text/plain';
}

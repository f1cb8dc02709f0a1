import type { Batch, SendResult, Transport } from '../core/types';
import { BEACON_LIMIT, encodeBatch } from './body';
import { resultOf } from './status';

/** Options of `fetchTransport`. */
export interface FetchTransportOptions {
  /** Collector URL. */
  url: string;
  /** Abort and retry a request that takes longer. @default 10000 */
  timeoutMs?: number;
  /** Extra request headers (a custom header makes cross-origin requests preflighted). @default {} */
  headers?: Record<string, string>;
  /** The fetch to use. @default globalThis.fetch */
  fetch?: typeof fetch;
}

/**
 * Delivers batches with `fetch` as `application/json`, without cookies. While the page unloads
 * it sends `keepalive` requests of at most 64 KB each, splitting the batch.
 *
 * @example
 * createTracker({ transport: fetchTransport({ url: 'https://collect.example.com/v1/batch' }) });
 */
export function fetchTransport(options: FetchTransportOptions): Transport {
  const post = poster(options);
  return {
    send: (batch: Batch, { unloading }) =>
      unloading ? postAll(post, encodeBatch(batch, BEACON_LIMIT)) : post(JSON.stringify(batch), false),
  };
}

/** Posts each body with keepalive; the result is the last failure, else ok. */
export async function postAll(post: Poster, bodies: string[]): Promise<SendResult> {
  let last: SendResult = { ok: true };
  for (const body of bodies) {
    const r = await post(body, true);
    if (!r.ok) last = r;
  }
  return last;
}

/** Posts one serialized body. */
export type Poster = (body: string, keepalive: boolean) => Promise<SendResult>;

/** The POST of `fetchTransport`, shared with `httpTransport`. */
export function poster({ url, timeoutMs = 10_000, headers, fetch: f }: FetchTransportOptions): Poster {
  return async (body, keepalive) => {
    const ctrl = new AbortController();
    const timer = setTimeout(() => ctrl.abort(), timeoutMs);
    try {
      const res = await (f || fetch)(url, {
        method: 'POST',
        body,
        keepalive,
        credentials: 'omit',
        // Keepalive requests go as text/plain, like beacons, so that they need no preflight at exit.
        headers: { 'Content-Type': keepalive ? 'text/plain' : 'application/json', ...headers },
        signal: ctrl.signal,
      });
      return resultOf(res.status, res.headers.get('Retry-After'));
    } catch (e) {
      return { ok: false, retry: true, error: ctrl.signal.aborted ? 'timeout' : String(e) };
    } finally {
      clearTimeout(timer);
    }
  };
}

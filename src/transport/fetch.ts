import type { SendResult, Transport } from '../core/types';
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
  return fetchSender(options, (bodies) => bodies);
}

/**
 * The transport of `fetchTransport` and `httpTransport`: one POST while the page lives; while it
 * unloads, the batch in bodies of at most 64 KB, each handed to `atExit` first, which returns
 * those it could not send another way, and each of those posted with `keepalive`. The result is
 * the last failure, else ok.
 */
export function fetchSender(options: FetchTransportOptions, atExit: (bodies: string[]) => string[]): Transport {
  const { url, timeoutMs = 10_000, headers } = options;
  const post = async (body: string, keepalive: boolean): Promise<SendResult> => {
    // Safari before 16 has no AbortSignal.timeout: its requests go without our timeout rather
    // than not at all.
    const signal = AbortSignal.timeout?.(timeoutMs);
    try {
      const res = await (options.fetch || fetch)(url, {
        method: 'POST',
        body,
        keepalive,
        credentials: 'omit',
        // Keepalive requests go as text/plain, like beacons, so that they need no preflight at exit.
        headers: { 'Content-Type': keepalive ? 'text/plain' : 'application/json', ...headers },
        signal,
      });
      return resultOf(res.status, res.headers.get('Retry-After'));
    } catch (e) {
      return { ok: false, retry: true, error: signal?.aborted ? 'timeout' : String(e) };
    }
  };
  return {
    async send(batch, { unloading }) {
      let last: SendResult = { ok: true };
      for (const body of unloading ? atExit(encodeBatch(batch, BEACON_LIMIT)) : [JSON.stringify(batch)]) {
        const r = await post(body, unloading);
        if (!r.ok) last = r;
      }
      return last;
    },
  };
}

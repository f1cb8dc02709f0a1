import type { SendResult, Transport } from '../core/types';
import { BEACON_LIMIT, encodeBatch } from './body';
import { platformBeacon, sendBeacons } from './beacon';
import { postAll, poster, type FetchTransportOptions } from './fetch';

/** Options of `httpTransport`. */
export interface HttpTransportOptions extends FetchTransportOptions {
  /** The sendBeacon to use at exit. @default navigator.sendBeacon */
  sendBeacon?: (url: string, data: Blob) => boolean;
}

/**
 * The default transport: `fetch` while the page lives; when it unloads, `sendBeacon` in bodies
 * of at most 64 KB, and for each body the browser refuses, a `keepalive` fetch.
 *
 * @example
 * createTracker({ transport: httpTransport({ url: 'https://collect.example.com/v1/batch' }) });
 */
export function httpTransport(options: HttpTransportOptions): Transport {
  const post = poster(options);
  return {
    async send(batch, { unloading }): Promise<SendResult> {
      if (!unloading) return post(JSON.stringify(batch), false);
      const beacon = options.sendBeacon || platformBeacon();
      return postAll(post, beacon ? sendBeacons(batch, options.url, beacon) : encodeBatch(batch, BEACON_LIMIT));
    },
  };
}

import type { Transport } from '../core/types';
import { platformBeacon, sendBeacons } from './beacon';
import { fetchSender, type FetchTransportOptions } from './fetch';

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
  return fetchSender(options, (bodies) => sendBeacons(bodies, options.url, options.sendBeacon || platformBeacon()));
}

import type { Batch, SendResult, Transport } from '../core/types';
import { BEACON_LIMIT, encodeBatch } from './body';

/** Options of `beaconTransport`. */
export interface BeaconTransportOptions {
  /** Collector URL. */
  url: string;
  /** The sendBeacon to use. @default navigator.sendBeacon */
  sendBeacon?: (url: string, data: Blob) => boolean;
}

/**
 * Queues one beacon per body of at most 64 KB. Bodies are `text/plain`: a JSON content type
 * would need a CORS preflight, which beacons cannot make, and the beacon would be lost.
 * Returns `{ ok: true }` only when every beacon was accepted.
 */
export function sendBeacons(batch: Batch, url: string, beacon: (url: string, data: Blob) => boolean): string[] {
  const refused: string[] = [];
  for (const body of encodeBatch(batch, BEACON_LIMIT)) {
    let ok = false;
    try {
      ok = beacon(url, new Blob([body], { type: 'text/plain' }));
    } catch {
      // A beacon over the limit or to a bad URL throws in some browsers; treat it as refused.
    }
    if (!ok) refused.push(body);
  }
  return refused;
}

/** The platform's sendBeacon, bound to navigator; undefined where there is none. */
export function platformBeacon(): ((url: string, data: Blob) => boolean) | undefined {
  return typeof navigator != 'undefined' && navigator.sendBeacon ? navigator.sendBeacon.bind(navigator) : undefined;
}

/**
 * Delivers batches with `navigator.sendBeacon`, which survives the page closing but tells only
 * whether the browser accepted the data, never whether the collector stored it.
 *
 * @example
 * createTracker({ transport: beaconTransport({ url: '/v1/batch' }) });
 */
export function beaconTransport(options: BeaconTransportOptions): Transport {
  return {
    async send(batch): Promise<SendResult> {
      const beacon = options.sendBeacon || platformBeacon();
      if (!beacon) return { ok: false, retry: false, error: 'sendBeacon is not available' };
      const refused = sendBeacons(batch, options.url, beacon);
      return refused.length ? { ok: false, retry: true, error: `${refused.length} beacon(s) refused` } : { ok: true };
    },
  };
}

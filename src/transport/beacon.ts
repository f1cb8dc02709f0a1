import type { SendResult, Transport } from '../core/types';
import { BEACON_LIMIT, encodeBatch } from './body';

/** Options of `beaconTransport`. */
export interface BeaconTransportOptions {
  /** Collector URL. */
  url: string;
  /** The sendBeacon to use. @default navigator.sendBeacon */
  sendBeacon?: (url: string, data: Blob) => boolean;
}

/**
 * Queues one beacon per body, and returns the bodies the browser refused (all of them without
 * `beacon`). Bodies are `text/plain`: a JSON content type would need a CORS preflight, which
 * beacons cannot make, and the beacon would be lost.
 */
export function sendBeacons(bodies: string[], url: string, beacon?: (url: string, data: Blob) => boolean): string[] {
  return bodies.filter((body) => {
    try {
      return !beacon?.(url, new Blob([body], { type: 'text/plain' }));
    } catch {
      // A beacon over the limit or to a bad URL throws in some browsers; treat it as refused.
      return true;
    }
  });
}

/** The platform's sendBeacon, bound to navigator; undefined where there is none. */
export function platformBeacon(): ((url: string, data: Blob) => boolean) | undefined {
  return globalThis.navigator?.sendBeacon?.bind(navigator);
}

/**
 * Delivers batches with `navigator.sendBeacon`, which survives the page closing but tells only
 * whether the browser accepted the data, never whether the collector stored it. An event over
 * 64 KB, which no beacon carries, is answered as too large: the queue drops it with a report.
 *
 * @example
 * createTracker({ transport: beaconTransport({ url: '/v1/batch' }) });
 */
export function beaconTransport(options: BeaconTransportOptions): Transport {
  return {
    async send(batch): Promise<SendResult> {
      const beacon = options.sendBeacon || platformBeacon();
      if (!beacon) return { ok: false, retry: false, error: 'sendBeacon is not available' };
      const refused = sendBeacons(encodeBatch(batch, BEACON_LIMIT), options.url, beacon);
      // A body over the limit is one event that no beacon will ever carry: retried, it would hold
      // up the queue behind it. The queue splits the batch down to it and drops it.
      const tooLarge = refused.some((body) => new Blob([body]).size > BEACON_LIMIT);
      return refused.length ? { ok: false, retry: !tooLarge, tooLarge: tooLarge || undefined, error: `${refused.length} beacon(s) refused` } : { ok: true };
    },
  };
}

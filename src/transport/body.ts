import type { Batch, CrumbEvent } from '../core/types';

/**
 * Most bytes one beacon or keepalive request may carry: Chromium refuses a 65,537-byte beacon,
 * and the budget is shared by every beacon and keepalive request in flight
 * (https://fetch.spec.whatwg.org/#http-network-or-cache-fetch, "inflight keepalive bytes").
 */
export const BEACON_LIMIT = 65_536;

/** Wraps events in the wire format's envelope. */
export function makeBatch(events: CrumbEvent[], version: string): Batch {
  return { v: 1, sentAt: new Date().toISOString(), sdk: { name: 'crumbtrail', version }, events };
}

/**
 * Serializes a batch into bodies of at most `limit` UTF-8 bytes each, splitting its events in
 * order rather than dropping any. An event that alone exceeds the limit gets a body of its own,
 * which the browser will refuse and the caller will report.
 */
export function encodeBatch(batch: Batch, limit: number): string[] {
  const whole = JSON.stringify(batch);
  if (batch.events.length < 2 || new Blob([whole]).size <= limit) return [whole];
  const half = batch.events.length >> 1;
  return [
    ...encodeBatch({ ...batch, events: batch.events.slice(0, half) }, limit),
    ...encodeBatch({ ...batch, events: batch.events.slice(half) }, limit),
  ];
}

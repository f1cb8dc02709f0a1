import type { SendResult } from '../core/types';

/** Reads `Retry-After` (seconds or an HTTP date) as milliseconds from now, at most an hour. */
export function retryAfterMs(value: string | null, now = Date.now()): number | undefined {
  const ms = value ? (isNaN(+value) ? Date.parse(value) - now : +value * 1000) : NaN;
  return ms >= 0 ? Math.min(ms, 36e5) : ms < 0 ? 0 : undefined;
}

/**
 * Maps an HTTP answer to a SendResult: 2xx delivered; 408, 429 and 5xx retried (honouring
 * `Retry-After`); 413 split; any other status is final.
 */
export function resultOf(status: number, retryAfter: string | null): SendResult {
  const retry = status == 408 || status == 429 || status > 499;
  // Absent fields are undefined.
  return status < 200 || status > 299
    ? { ok: false, retry, error: 'HTTP ' + status, tooLarge: status == 413 || undefined, retryAfterMs: retry ? retryAfterMs(retryAfter) : undefined }
    : { ok: true };
}

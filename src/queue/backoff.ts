/** First retry delay. */
export const BACKOFF_BASE_MS = 1000;
/** Longest retry delay. */
export const BACKOFF_CAP_MS = 300_000;

/**
 * Delay before retry number `attempt` (0 for the first): "full jitter", a random delay up to
 * base·2^attempt capped at 5 minutes, so that many browsers failing at once do not retry in step
 * (https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/). Never under 1 s.
 * A collector's `Retry-After` of up to an hour wins when given. A custom transport's NaN (a
 * date read as a number) or a delay past what setTimeout can wait (24.8 days) would fire at once,
 * retrying in a tight loop: those get the jitter.
 */
export function backoffMs(attempt: number, retryAfterMs?: number): number {
  return Math.max(BACKOFF_BASE_MS, retryAfterMs! <= 36e5 ? retryAfterMs! : Math.random() * Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** attempt));
}

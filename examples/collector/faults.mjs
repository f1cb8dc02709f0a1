// Fault injection for POST /v1/batch, so tests and demos can exercise retry, backoff, 413 splits
// and dropped batches against a real server.

/** Statuses that ask a well-behaved client to wait: they carry `Retry-After: 1`. */
export const RETRY_AFTER_STATUSES = new Set([429, 503]);

const DEFAULTS = { failRate: 0, failStatuses: [500, 503, 429], status: null, latencyMs: 0 };

/**
 * Validates and merges fault settings. Throws a readable Error on a bad value, so a typo fails at
 * start-up (or as a 400 from /v1/control) instead of silently disabling a fault.
 * @param {object} current
 * @param {object} partial `{ failRate?, failStatuses?, status?, latencyMs? }`; `status: null` or 0 clears it.
 */
export function mergeFaults(current, partial) {
  const next = { ...DEFAULTS, ...current };
  if (partial.failRate !== undefined) {
    if (!(typeof partial.failRate === 'number' && partial.failRate >= 0 && partial.failRate <= 1)) {
      throw new Error('failRate must be a number from 0 to 1');
    }
    next.failRate = partial.failRate;
  }
  if (partial.failStatuses !== undefined) {
    if (!Array.isArray(partial.failStatuses) || partial.failStatuses.length === 0 || !partial.failStatuses.every(isErrorStatus)) {
      throw new Error('failStatuses must be a non-empty array of statuses from 400 to 599');
    }
    next.failStatuses = [...partial.failStatuses];
  }
  if (partial.status !== undefined) {
    if (partial.status !== null && partial.status !== 0 && !isErrorStatus(partial.status)) {
      throw new Error('status must be a status from 400 to 599, or null to clear it');
    }
    next.status = partial.status || null;
  }
  if (partial.latencyMs !== undefined) {
    if (!(Number.isFinite(partial.latencyMs) && partial.latencyMs >= 0)) {
      throw new Error('latencyMs must be a number >= 0');
    }
    next.latencyMs = partial.latencyMs;
  }
  return next;
}

function isErrorStatus(status) {
  return Number.isInteger(status) && status >= 400 && status <= 599;
}

/**
 * The status to inject for one request, or null to handle it normally.
 * @param {{ failRate: number, failStatuses: number[], status: number | null }} faults
 * @param {() => number} random
 */
export function injectedStatus(faults, random = Math.random) {
  if (faults.status) return faults.status;
  if (faults.failRate > 0 && random() < faults.failRate) {
    return faults.failStatuses[Math.floor(random() * faults.failStatuses.length)];
  }
  return null;
}

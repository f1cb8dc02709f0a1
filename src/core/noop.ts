import type { Tracker } from './types';

/** The tracker returned where there is no DOM (SSR, workers, Node): every call does nothing. */
export function noopTracker(): Tracker {
  const none = () => '';
  const done = () => Promise.resolve();
  return {
    track: none,
    page: none,
    identify: none,
    emit: none,
    setConsent() {},
    use: () => () => {},
    on: () => () => {},
    off() {},
    report() {},
    state: () => null,
    flush: done,
    shutdown: done,
    status: () => ({ length: 0, bytes: 0, oldestAgeMs: 0, storage: 'memory', consent: 'denied' }),
  };
}

import type { TrackerEvents } from './types';

type Listener = (payload: unknown) => void;

/** The tracker's report channel. A listener that throws is isolated from the others and the page. */
export interface Emitter {
  on<K extends keyof TrackerEvents>(name: K, fn: (p: TrackerEvents[K]) => void): () => void;
  off<K extends keyof TrackerEvents>(name: K, fn: (p: TrackerEvents[K]) => void): void;
  emit<K extends keyof TrackerEvents>(name: K, payload: TrackerEvents[K]): void;
}

/**
 * Creates an emitter; with `debug` every report is also logged. Errors reported before anyone
 * listens (plugin setup runs inside createTracker) are kept, up to 10, for the first listener.
 */
export function createEmitter(debug: boolean): Emitter {
  const listeners: Record<string, Listener[] | undefined> = {};
  const early: unknown[] = [];
  const off: Emitter['off'] = (name, fn) => {
    // One subscription of `fn`, the first: another part of the page may have subscribed it too.
    listeners[name] = listeners[name]?.filter((_, i, all) => i != all.indexOf(fn as Listener));
  };
  // Every call of a listener goes through here: one given the kept errors by on() throws neither
  // into the page nor past the errors after it.
  const call = (fn: Listener, payload: unknown) => {
    try {
      fn(payload);
    } catch (e) {
      if (debug) console.error(e);
    }
  };
  return {
    on(name, fn) {
      (listeners[name] ||= []).push(fn as Listener);
      if (name == 'error') for (const e of early.splice(0)) call(fn as Listener, e);
      return () => off(name, fn);
    },
    off,
    emit(name, payload) {
      if (debug) console.debug('[crumbtrail]', name, payload);
      if (name == 'error' && !listeners.error?.length && early.push(payload) > 10) early.shift();
      for (const fn of listeners[name] || []) call(fn, payload);
    },
  };
}

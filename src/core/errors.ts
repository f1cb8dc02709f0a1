/** Describes a value for an error message: short, and safe for any input. */
export function show(value: unknown): string {
  return typeof value == 'string'
    ? JSON.stringify(value.slice(0, 40))
    : typeof value == 'function'
      ? 'a function'
      : value && typeof value == 'object'
        ? Array.isArray(value) ? 'an array' : 'an object'
        : String(value);
}

/** A configuration error, thrown only from setup (createTracker, plugin factories). */
export function configError(message: string): Error {
  return new Error('crumbtrail: ' + message);
}

/** Turns anything thrown into an Error whose message starts with "crumbtrail: ". */
export function toError(e: unknown, where?: string): Error {
  // String(): a thrown object's message need not be a string.
  const msg = String((e as Error)?.message || e);
  return msg.startsWith('crumbtrail: ') ? new Error(msg) : configError((where ? where + ': ' : '') + msg);
}

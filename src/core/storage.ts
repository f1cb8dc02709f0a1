// localStorage can be missing, or throw on access (blocked cookies, sandboxed iframes) and on
// write (quota): every use goes through these, which never throw.

/** Reads a localStorage key; null when absent or unavailable. */
export function getItem(key: string): string | null {
  try {
    return localStorage.getItem(key);
  } catch {
    return null;
  }
}

/** Writes (or with `null` removes) a localStorage key; false when it could not. */
export function setItem(key: string, value: string | null): boolean {
  try {
    if (value == null) localStorage.removeItem(key);
    else localStorage.setItem(key, value);
    return true;
  } catch {
    return false;
  }
}

/** The localStorage keys that start with `prefix`; none when unavailable. */
export function keys(prefix: string): string[] {
  try {
    return Object.keys(localStorage).filter((k) => k.startsWith(prefix));
  } catch {
    // No localStorage: nothing stored.
    return [];
  }
}

/** Removes every localStorage key that starts with `prefix`. */
export function removeKeys(prefix: string): void {
  for (const k of keys(prefix)) setItem(k, null);
}

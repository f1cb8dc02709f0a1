/**
 * Adds `fn` for each of the space-separated event `types` (in the capture phase with `capture`)
 * and returns the function removing them.
 *
 * @example
 * const off = listen(window, 'pagehide pageshow', onPage);
 */
export function listen(target: EventTarget, types: string, fn: EventListener, capture?: boolean): () => void {
  const list = types.split(' ');
  list.forEach((type) => target.addEventListener(type, fn, capture));
  return () => list.forEach((type) => target.removeEventListener(type, fn, capture));
}

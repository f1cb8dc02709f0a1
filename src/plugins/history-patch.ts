type Method = 'pushState' | 'replaceState';
type Listener = (push: boolean) => void;
/**
 * Our wrapper: the listeners of every tracker on the page (under a name no other patcher uses),
 * and the function it wraps.
 */
type Patched = History[Method] & { crumbtrail?: Set<Listener>; o?: History[Method] };

/**
 * Calls `callback` after every `history.pushState` (with `true`) and `replaceState` (`false`),
 * once the URL has changed. The patch is installed once per page whatever the number of
 * trackers: the listeners live on our wrapper, so a second tracker reuses it. Other patchers
 * (routers, other analytics) keep working: we wrap whatever is in place and call through; when the last listener
 * goes we restore the function we wrapped only if ours is still the outermost, else our wrapper
 * stays as a pass-through so that nobody's chain breaks.
 *
 * @returns stop: removes the listener (and the patch with the last one). Pass a function of your
 *   own per call: one function passed twice is one listener.
 * @example
 * const stop = onHistory((push) => console.log(push ? 'push' : 'replace', location.pathname));
 */
export function onHistory(callback: Listener): () => void {
  const undo = (['pushState', 'replaceState'] as const).map((m, i) => {
    const o = history[m] as Patched;
    const f: Patched = o.crumbtrail
      ? o
      : Object.assign((history[m] = function (this: History) {
          // The original first: if it throws (bad URL), nothing changed and nobody hears of it.
          const r = o.apply(this, arguments as unknown as Parameters<History[Method]>);
          f.crumbtrail!.forEach((fn) => fn(!i));
          return r;
        }), { crumbtrail: new Set<Listener>(), o });
    f.crumbtrail!.add(callback);
    return () => f.crumbtrail!.delete(callback) && !f.crumbtrail!.size && history[m] == f && (history[m] = f.o!);
  });
  return () => undo.forEach((u) => u());
}

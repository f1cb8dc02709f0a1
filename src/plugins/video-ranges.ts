/**
 * Played-range arithmetic: the union of the stretches of a media timeline that actually played,
 * in seconds. `HTMLMediaElement.played` gives it for HTML5 media; the YouTube and Vimeo adapters
 * keep their own with {@link playedRanges}, so that a seek never counts as watching.
 */

/** The read side of `TimeRanges`: what `HTMLMediaElement.played` and {@link playedRanges} give. */
export interface TimeRangesLike {
  readonly length: number;
  start(index: number): number;
  end(index: number): number;
}

/** A growing union of played ranges that reads like `TimeRanges`. */
export interface PlayedRanges extends TimeRangesLike {
  /** Adds the stretch from `from` to `to` (either order); overlapping and touching ranges merge. */
  add(from: number, to: number): void;
  /** Forgets every range (a new source). */
  clear(): void;
}

/**
 * Adds the stretch `[from, to]` to `ranges`, a flat sorted list of disjoint ranges
 * `[start0, end0, start1, end1, …]`, and returns the new list (the input is not changed).
 * Ranges that overlap or touch the new one merge with it; `from > to` is read as `[to, from]`;
 * an empty or non-finite stretch changes nothing.
 *
 * @example
 * addRange([0, 2, 5, 6], 1, 5.5); // [0, 6]
 */
export function addRange(ranges: readonly number[], from: number, to: number): number[] {
  let a = Math.min(from, to);
  let b = Math.max(from, to);
  if (!(b > a) || !isFinite(a) || !isFinite(b)) return ranges.slice();
  const out: number[] = [];
  let placed = false;
  for (let i = 0; i < ranges.length; i += 2) {
    const s = ranges[i]!;
    const e = ranges[i + 1]!;
    if (e < a) out.push(s, e);
    else if (s > b) {
      if (!placed) out.push(a, b);
      placed = true;
      out.push(s, e);
    } else {
      a = Math.min(a, s);
      b = Math.max(b, e);
    }
  }
  if (!placed) out.push(a, b);
  return out;
}

/**
 * Total seconds covered by `ranges` (`TimeRanges`, {@link PlayedRanges} or anything alike).
 *
 * @example
 * rangesTotal(video.played); // 2.0 after playing 0-1 s and 5-6 s
 */
export function rangesTotal(ranges: TimeRangesLike): number {
  let total = 0;
  for (let i = 0; i < ranges.length; i++) total += ranges.end(i) - ranges.start(i);
  return total;
}

/**
 * An empty, growing union of played ranges.
 *
 * @example
 * const played = playedRanges();
 * played.add(0, 1);
 * played.add(5, 6);
 * rangesTotal(played); // 2
 */
export function playedRanges(): PlayedRanges {
  let r: number[] = [];
  return {
    get length() {
      return r.length / 2;
    },
    start: (i) => r[2 * i]!,
    end: (i) => r[2 * i + 1]!,
    add(from, to) {
      r = addRange(r, from, to);
    },
    clear() {
      r = [];
    },
  };
}

import { describe, expect, it } from 'vitest';
import { addRange, playedRanges, rangesTotal } from '../../src/plugins/video-ranges';

describe('addRange', () => {
  it('keeps disjoint ranges apart and in order', () => {
    expect(addRange([], 5, 6)).toEqual([5, 6]);
    expect(addRange([5, 6], 0, 1)).toEqual([0, 1, 5, 6]);
    expect(addRange([0, 1, 5, 6], 2, 3)).toEqual([0, 1, 2, 3, 5, 6]);
  });

  it('merges a stretch that overlaps one range', () => {
    expect(addRange([0, 2], 1, 3)).toEqual([0, 3]);
    expect(addRange([2, 4], 1, 3)).toEqual([1, 4]);
  });

  it('merges a stretch that bridges several ranges into one', () => {
    expect(addRange([0, 2, 5, 6, 8, 9], 1, 5.5)).toEqual([0, 6, 8, 9]);
    expect(addRange([1, 2, 3, 4], 0, 10)).toEqual([0, 10]);
  });

  it('merges ranges that only touch', () => {
    expect(addRange([0, 1], 1, 2)).toEqual([0, 2]);
    expect(addRange([2, 3], 1, 2)).toEqual([1, 3]);
  });

  it('reads a stretch given end first (a seek backwards) as the same stretch', () => {
    expect(addRange([0, 1], 4, 3)).toEqual([0, 1, 3, 4]);
  });

  it('changes nothing for an empty or non-finite stretch, and never the input', () => {
    const ranges = [0, 1];
    expect(addRange(ranges, 2, 2)).toEqual([0, 1]);
    expect(addRange(ranges, NaN, 3)).toEqual([0, 1]);
    expect(addRange(ranges, 2, Infinity)).toEqual([0, 1]);
    addRange(ranges, 0, 5);
    expect(ranges).toEqual([0, 1]);
  });

  it('a stretch inside a range adds nothing', () => {
    expect(addRange([0, 6], 2, 3)).toEqual([0, 6]);
  });
});

describe('playedRanges', () => {
  it('replays a view out of order (seek forward, back, and over what played) to the union', () => {
    const played = playedRanges();
    played.add(0, 1); // played the first second
    played.add(5, 6); // sought to 5 s and played to the end
    played.add(0.5, 2); // sought back and played over the start again
    expect([played.length, played.start(0), played.end(0), played.start(1), played.end(1)]).toEqual([2, 0, 2, 5, 6]);
    expect(rangesTotal(played)).toBe(3);
  });

  it('forgets every range on clear', () => {
    const played = playedRanges();
    played.add(0, 3);
    played.clear();
    expect(played.length).toBe(0);
    expect(rangesTotal(played)).toBe(0);
  });
});

describe('rangesTotal', () => {
  it('sums anything shaped like TimeRanges', () => {
    const r = [
      [0, 1.5],
      [4, 6],
    ];
    expect(rangesTotal({ length: 2, start: (i) => r[i]![0]!, end: (i) => r[i]![1]! })).toBe(3.5);
    expect(rangesTotal({ length: 0, start: () => 0, end: () => 0 })).toBe(0);
  });
});

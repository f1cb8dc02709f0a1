/**
 * Words for an unknown option name: the names there are, led by the one a typo most likely
 * meant (within two edits, a swap of neighbours counting as one).
 *
 * @example
 * unknownOption('colector', ['collector', 'transport']);
 * // 'no such option; did you mean "collector"? Options are collector, transport'
 */
export function unknownOption(name: string, names: string[]): string {
  let best: string | undefined;
  let least = 3;
  for (const candidate of names) {
    const d = edits(name.toLowerCase(), candidate.toLowerCase());
    if (d < least && d < candidate.length) [best, least] = [candidate, d];
  }
  return `no such option; ${best ? `did you mean "${best}"? O` : 'o'}ptions are ${names.join(', ')}`;
}

// Edit distance with adjacent transpositions (optimal string alignment): "hahs" is one edit
// from "hash", as a typist would count it.
function edits(a: string, b: string): number {
  let before: number[] = [];
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] == b[j - 1] ? 0 : 1;
      row[j] = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) row[j] = Math.min(row[j], before[j - 2] + 1);
    }
    [before, prev] = [prev, row];
  }
  return prev[b.length];
}

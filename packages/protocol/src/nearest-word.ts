// "Did you mean …?" for the words people type: commands on the command line, keys in `axum.yml`.

/** Levenshtein distance (names are short: the quadratic table is fine). */
function distance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) row[j] = Math.min(previous[j]! + 1, row[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    previous = row;
  }
  return previous[b.length]!;
}

/**
 * The known word closest to `word`, when it is close enough to be a typo (a third of the word's
 * letters at most, one at least), else null. Case is ignored: `Rollback` meant `rollback`.
 */
export function nearestWord(word: string, known: Iterable<string>): string | null {
  const lower = word.toLowerCase();
  let best: { name: string; d: number } | null = null;
  for (const name of known) {
    const d = distance(lower, name.toLowerCase());
    if (d <= Math.max(1, Math.floor(name.length / 3)) && (!best || d < best.d)) best = { name, d };
  }
  return best?.name ?? null;
}

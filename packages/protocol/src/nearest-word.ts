// "Did you mean …?" for the words people type: commands on the command line, keys in `axum.yml`.

/**
 * Edit distance where two neighbouring letters swapped count as one edit, as typing makes them
 * (`rnus` is one from `runs`; optimal string alignment). Names are short: the table is fine.
 */
function distance(a: string, b: string): number {
  const rows: number[][] = [Array.from({ length: b.length + 1 }, (_, j) => j)];
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const above = rows[i - 1]!;
      row[j] = Math.min(above[j]! + 1, row[j - 1]! + 1, above[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) row[j] = Math.min(row[j]!, rows[i - 2]![j - 2]! + 1);
    }
    rows.push(row);
  }
  return rows[a.length]![b.length]!;
}

/**
 * The known word closest to `word`, when it is close enough to be a typo (a third of the word's
 * letters at most, one at least), else null. Case is ignored: `Rollback` meant `rollback`.
 */
export function nearestWord(word: string, known: Iterable<string>): string | null {
  const lower = word.toLowerCase();
  const names = [...known];
  let best: { name: string; d: number } | null = null;
  for (const name of names) {
    const d = distance(lower, name.toLowerCase());
    if (d <= Math.max(1, Math.floor(name.length / 3)) && (!best || d < best.d)) best = { name, d };
  }
  if (best) return best.name;
  // The start of one name only, three letters or more: `prod` meant `production`.
  const started = lower.length >= 3 ? names.filter((name) => name.toLowerCase().startsWith(lower)) : [];
  return started.length === 1 ? started[0]! : null;
}

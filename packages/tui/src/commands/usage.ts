// Usage errors as a person reads them: a mistyped command gets a suggestion, never a parser's internals.

/** Words people type out of habit from other tools, and the command that does it here. */
const HABITS: Record<string, string> = {
  list: 'runs',
  ls: 'runs',
  ps: 'runs',
  rerun: 'run',
  retry: 'run',
  trigger: 'run',
  undo: 'rollback',
  revert: 'rollback',
  log: 'logs',
  tail: 'logs',
  stop: 'daemon stop',
  start: 'daemon start',
};

/** Levenshtein distance, for "did you mean" (names are short: the quadratic table is fine). */
function distance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) row[j] = Math.min(previous[j]! + 1, row[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    previous = row;
  }
  return previous[b.length]!;
}

/** The command a mistyped or habitual word most likely meant, or null. */
export function suggestCommand(word: string, commands: readonly string[]): string | null {
  const lower = word.toLowerCase();
  if (Object.hasOwn(HABITS, lower)) return HABITS[lower]!;
  let best: { name: string; d: number } | null = null;
  for (const name of commands) {
    const d = distance(lower, name);
    if (d <= Math.max(1, Math.floor(name.length / 3)) && (!best || d < best.d)) best = { name, d };
  }
  return best?.name ?? null;
}

/** `unknown command 'rollbak' (did you mean rollback?)` */
export function unknownCommandMessage(word: string, commands: readonly string[]): string {
  const suggestion = suggestCommand(word, commands);
  return `unknown command '${word}'${suggestion ? ` (did you mean ${suggestion}?)` : ''}; axum --help lists the commands`;
}

/** Commander's message without its `error: ` prefix and trailing newline. */
export function cleanParserMessage(text: string): string {
  return text.replace(/^error: /, '').trim();
}

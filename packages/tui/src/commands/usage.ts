import { nearestWord } from '@axum/protocol';

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

/** The command a mistyped or habitual word most likely meant, or null. */
export function suggestCommand(word: string, commands: readonly string[]): string | null {
  const lower = word.toLowerCase();
  if (Object.hasOwn(HABITS, lower)) return HABITS[lower]!;
  return nearestWord(lower, commands);
}

/** `unknown command 'rollbak' (did you mean rollback?)`; `parent` names a command group (`daemon`) whose commands these are. */
export function unknownCommandMessage(word: string, commands: readonly string[], parent?: string): string {
  const suggestion = parent ? nearestWord(word.toLowerCase(), commands) : suggestCommand(word, commands);
  const prefix = parent ? `${parent} ` : '';
  return `unknown command '${prefix}${word}'${suggestion ? ` (did you mean ${prefix}${suggestion}?)` : ''}; axum ${prefix}--help lists the commands`;
}

/**
 * The command a parse failure belongs to, from the words typed: `deploy` for `axum deploy x
 * --bogus`, `daemon start` for `axum daemon start --bogus`, null when none is known (then the
 * hint is `axum --help`). Options and their values are skipped (`--repo DIR`).
 */
export function commandPathOf(words: readonly string[], commands: ReadonlyMap<string, readonly string[]>, valued: ReadonlySet<string>): string[] {
  const path: string[] = [];
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!;
    if (word.startsWith('-')) {
      if (valued.has(word)) i++;
      continue;
    }
    if (path.length === 0 && commands.has(word)) path.push(word);
    else if (path.length === 1 && (commands.get(path[0]!) ?? []).includes(word)) path.push(word);
    else break;
  }
  return path;
}

/**
 * Commander's message as one line of ours: without its `error: ` prefix, and with its suggestion
 * (`\n(Did you mean --json?)`) in the same sentence, as the unknown-command line has it.
 */
export function cleanParserMessage(text: string): string {
  return text
    .replace(/^error: /, '')
    .trim()
    .replace(/\s*\n\(Did you mean (.+?)\?\)$/, ' (did you mean $1?)');
}

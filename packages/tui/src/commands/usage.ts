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

/** `unknown command 'rollbak' (did you mean rollback?)` */
export function unknownCommandMessage(word: string, commands: readonly string[]): string {
  const suggestion = suggestCommand(word, commands);
  return `unknown command '${word}'${suggestion ? ` (did you mean ${suggestion}?)` : ''}; axum --help lists the commands`;
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

/** Where a usage error sends the reader: the command's own help when the words named one. */
export function usageHint(words: readonly string[], commands: readonly string[]): string {
  const [first, second] = words.filter((word) => !word.startsWith('-'));
  if (first === undefined || !commands.includes(first)) return 'axum --help for usage';
  return first === 'daemon' && (second === 'start' || second === 'stop' || second === 'status') ? `axum daemon ${second} --help for usage` : `axum ${first} --help for usage`;
}

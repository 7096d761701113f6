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

/** Commander's message without its `error: ` prefix and trailing newline. */
export function cleanParserMessage(text: string): string {
  return text.replace(/^error: /, '').trim();
}

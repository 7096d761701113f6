import { terminalText, withoutColours } from '../terminal-text.js';

/** What a search reads of a log: its kept lines by index. */
export interface LineReader {
  readonly length: number;
  line(index: number): string;
}

/** A line as the log pane draws it, colours aside: what a search looks in. */
const shownText = (line: string) => withoutColours(terminalText(line, { keepColours: true, lastFrame: true }));

/** Whether `line` as drawn contains `needle` (lower case already): what every search asks of a line. */
export const lineMatches = (line: string, needle: string): boolean => shownText(line).toLowerCase().includes(needle);

/**
 * The index of the first line, from `from` in `direction` and wrapping around, that contains
 * `query` (case-insensitive) as drawn, without control sequences; -1 if none does. Only a search
 * reads every line.
 */
export function findLine(lines: LineReader, query: string, from: number, direction: 1 | -1): number {
  const needle = query.toLowerCase();
  const count = lines.length;
  if (!needle || count === 0) return -1;
  for (let i = 0; i < count; i++) {
    const at = (((from + direction * i) % count) + count) % count;
    if (shownText(lines.line(at)).toLowerCase().includes(needle)) return at;
  }
  return -1;
}

/**
 * Where the line at `at` stands among the lines containing `query` (as `findLine` reads them):
 * `index` counts from 1. Read on `n`/`N` only, never per frame.
 */
export function countMatches(lines: LineReader, query: string, at: number): { index: number; total: number } {
  const needle = query.toLowerCase();
  let index = 0;
  let total = 0;
  if (!needle) return { index, total };
  for (let i = 0; i < lines.length; i++) {
    if (!shownText(lines.line(i)).toLowerCase().includes(needle)) continue;
    total++;
    if (i <= at) index = total;
  }
  return { index, total };
}

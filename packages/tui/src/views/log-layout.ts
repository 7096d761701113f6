import { terminalText, withoutColours } from '../terminal-text.js';

/** What the log pane reads: lines by index among the kept ones (a `LogBuffer`). */
export interface LogSource {
  readonly length: number;
  line(index: number): string;
  timeOf(index: number): number | null;
}

/**
 * A run of the pane's rows. `plain`: printable-ASCII lines, already cut (or wrapped) to the
 * terminal's width here, where a character is a column, so Ink never measures them; search
 * matches are highlighted. `text`: any other line (wide characters, tabs, colours), left to
 * Ink's `<Text>`. Either holds no terminal control but the step's colours: lines are cleaned here.
 */
export type LogBlock = { kind: 'plain'; rows: string[]; highlight: boolean } | { kind: 'text'; text: string; rows: number; highlight: boolean };

export interface LogLayout {
  /** Index of the first line shown, and how many lines are shown. */
  top: number;
  count: number;
  /** The largest `top` while scrolling (the last screenful). */
  maxTop: number;
  blocks: LogBlock[];
}

export interface LogLayoutOptions {
  /** Show the tail (true), or start at `top`. */
  follow: boolean;
  top: number;
  rows: number;
  columns: number;
  wrap: boolean;
  timestamps: boolean;
  /** The search query: matching lines are highlighted. */
  query: string | null;
}

const PLAIN = /^[\x20-\x7e]*$/;

/** Printable ASCII only: one column per character, no escape codes, no tabs. */
export const isPlain = (text: string): boolean => PLAIN.test(text);
const NO_STAMP = ' '.repeat(12);

/** `HH:MM:SS.mmm ` from the daemon's side index, blank where unknown. */
export function stamp(time: number | null): string {
  return time === null ? NO_STAMP : `${new Date(time).toISOString().slice(11, 23)} `;
}

/** As Ink's `truncate-end` cuts a line of one column per character. */
export function truncateEnd(text: string, columns: number): string {
  return text.length > columns ? `${text.slice(0, Math.max(0, columns - 1))}…` : text;
}

/**
 * The rows of the log pane: only the lines that fit are read from the buffer. Following, the
 * pane is filled from the last line up (with wrap on, long lines take several rows, and the
 * tail must stay in view); scrolled, from `top` down.
 */
export function layoutLog(source: LogSource, options: LogLayoutOptions): LogLayout {
  const { rows, wrap } = options;
  const columns = Math.max(20, options.columns);
  const count = source.length;
  const maxTop = Math.max(0, count - rows);
  // Cleaned as drawn, whole line by whole line: the buffer keeps the bytes as printed (its offsets
  // count them), and a sequence split across chunks is whole by then. Colours stay: Ink renders them.
  const text = (i: number) => {
    const line = terminalText(source.line(i), { keepColours: true });
    return options.timestamps ? `${stamp(source.timeOf(i))}${line}` : line;
  };
  const height = (t: string) => (wrap ? Math.max(1, Math.ceil(withoutColours(t).length / columns)) : 1);
  const shown: string[] = [];
  let top: number;
  if (options.follow) {
    let used = 0;
    top = count;
    while (top > 0 && used < rows) {
      const t = text(top - 1);
      const h = height(t);
      if (used + h > rows && shown.length > 0) break;
      shown.unshift(t);
      used += h;
      top--;
    }
  } else {
    top = Math.min(Math.max(0, options.top), maxTop);
    let used = 0;
    for (let i = top; i < count && used < rows; i++) {
      const t = text(i);
      const h = height(t);
      if (used + h > rows && shown.length > 0) break;
      shown.push(t);
      used += h;
    }
  }
  const query = options.query?.toLowerCase() || null;
  const blocks: LogBlock[] = [];
  for (const t of shown) {
    const highlight = query !== null && withoutColours(t).toLowerCase().includes(query);
    if (PLAIN.test(t)) {
      const lineRows = wrap ? Array.from({ length: Math.min(rows, height(t)) }, (_, r) => t.slice(r * columns, (r + 1) * columns)) : [truncateEnd(t, columns)];
      const last = blocks.at(-1);
      if (last?.kind === 'plain' && last.highlight === highlight) last.rows.push(...lineRows);
      else blocks.push({ kind: 'plain', rows: lineRows, highlight });
    } else {
      const h = height(t);
      // A cut can fall inside a colour sequence: cleaning again drops the half left at the end.
      blocks.push({ kind: 'text', text: wrap && h > rows ? terminalText(t.slice(0, rows * columns), { keepColours: true }) : t, rows: Math.min(h, rows), highlight });
    }
  }
  return { top, count: shown.length, maxTop, blocks };
}

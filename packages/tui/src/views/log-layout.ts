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
 * matches are marked in inverse video (`highlight`: the line has one). `text`: any other line (wide characters, tabs, colours), left to
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
  /** The search query: the matched text is drawn in inverse video (the rest of the line as it is). */
  query: string | null;
  /**
   * The line (index among the source's) the last `n`/`N` landed on: its matches are drawn as the
   * current one, and, scrolled, the pane keeps it in view.
   */
  current?: number | null;
}

const PLAIN = /^[\x20-\x7e]*$/;

/** Printable ASCII only: one column per character, no escape codes, no tabs. */
export const isPlain = (text: string): boolean => PLAIN.test(text);
const NO_STAMP = ' '.repeat(12);

/**
 * Around each search match. Written as raw SGR, not through Ink's `inverse` (which chalk drops
 * under `NO_COLOR` with every other attribute): inverse is no colour, so NO_COLOR keeps it, and
 * the match stays marked. Both take no columns: the rows' widths are unchanged.
 */
export const MATCH_ON = '\x1b[7m';
export const MATCH_OFF = '\x1b[27m';
/**
 * The current match (where `n`/`N` landed): underlined as well, which NO_COLOR keeps too. Not bold:
 * turning bold off after the match (`22`) would end the bold a step's own output set before it.
 */
export const CURRENT_ON = '\x1b[4;7m';
export const CURRENT_OFF = '\x1b[24;27m';
type Marks = readonly [on: string, off: string];
const OTHER: Marks = [MATCH_ON, MATCH_OFF];
const CURRENT: Marks = [CURRENT_ON, CURRENT_OFF];

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Where `query` occurs in `visible` (case-insensitive), as [start, end) ranges in order. */
export function matchRanges(visible: string, query: string): [number, number][] {
  if (!query) return [];
  const out: [number, number][] = [];
  for (const m of visible.matchAll(new RegExp(escapeRegExp(query), 'gi'))) out.push([m.index, m.index + m[0].length]);
  return out;
}

/** A plain row, the columns [start, start + row.length) of its line, with the matched parts marked. */
function markPlain(row: string, start: number, ranges: readonly [number, number][], [on, off]: Marks = OTHER): string {
  let out = '';
  let pos = 0;
  for (const [a, b] of ranges) {
    const s = Math.max(a - start, pos);
    const e = Math.min(b - start, row.length);
    if (e <= s) continue;
    out += `${row.slice(pos, s)}${on}${row.slice(s, e)}${off}`;
    pos = e;
  }
  return out + row.slice(pos);
}

/**
 * A cleaned line with colours, the matched parts (ranges over its text without colours) marked;
 * the mark is set again after a colour sequence inside a match (a reset would end it).
 */
export function markText(text: string, ranges: readonly [number, number][], [on, off]: Marks = OTHER): string {
  if (ranges.length === 0) return text;
  let out = '';
  let visible = 0;
  let r = 0;
  let open = false;
  for (let i = 0; i < text.length; ) {
    if (text[i] === '\x1b') {
      const end = text.indexOf('m', i);
      const stop = end < 0 ? text.length : end + 1;
      out += text.slice(i, stop) + (open ? on : '');
      i = stop;
      continue;
    }
    const range = ranges[r];
    if (!open && range && visible === range[0]) {
      out += on;
      open = true;
    }
    out += text[i];
    i++;
    visible++;
    if (open && range && visible === range[1]) {
      out += off;
      open = false;
      r++;
    }
  }
  return open ? out + off : out;
}

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
    const line = terminalText(source.line(i), { keepColours: true, lastFrame: true });
    return options.timestamps ? `${stamp(source.timeOf(i))}${line}` : line;
  };
  const height = (t: string) => (wrap ? Math.max(1, Math.ceil(withoutColours(t).length / columns)) : 1);
  let shown: string[] = [];
  let top = 0;
  /** The lines that end at `end` (exclusive), filled from the last one up. */
  const upTo = (end: number) => {
    shown = [];
    let used = 0;
    top = end;
    while (top > 0 && used < rows) {
      const t = text(top - 1);
      const h = height(t);
      if (used + h > rows && shown.length > 0) break;
      shown.unshift(t);
      used += h;
      top--;
    }
  };
  const current = options.current ?? null;
  if (options.follow) upTo(count);
  else {
    top = Math.min(Math.max(0, options.top), maxTop);
    let used = 0;
    for (let i = top; i < count && used < rows; i++) {
      const t = text(i);
      const h = height(t);
      if (used + h > rows && shown.length > 0) break;
      shown.push(t);
      used += h;
    }
    // The current match below what fits from `top` (the last screenful of wrapped lines): the page ends on it.
    if (current !== null && current >= top + shown.length && current < count) upTo(current + 1);
  }
  const query = options.query || null;
  const blocks: LogBlock[] = [];
  for (const [at, t] of shown.entries()) {
    // Only the lines on screen are searched for marks: a firehose costs the rows drawn, no more.
    const ranges = query === null ? [] : matchRanges(withoutColours(t), query);
    const marks = top + at === current ? CURRENT : OTHER;
    const highlight = ranges.length > 0;
    if (PLAIN.test(t)) {
      const lineRows = wrap
        ? Array.from({ length: Math.min(rows, height(t)) }, (_, r) => markPlain(t.slice(r * columns, (r + 1) * columns), r * columns, ranges, marks))
        : [t.length > columns ? `${markPlain(t.slice(0, Math.max(0, columns - 1)), 0, ranges, marks)}…` : markPlain(t, 0, ranges, marks)];
      const last = blocks.at(-1);
      if (last?.kind === 'plain' && last.highlight === highlight) last.rows.push(...lineRows);
      else blocks.push({ kind: 'plain', rows: lineRows, highlight });
    } else {
      const h = height(t);
      // A cut can fall inside a colour sequence: cleaning again drops the half left at the end.
      const drawn = wrap && h > rows ? terminalText(t.slice(0, rows * columns), { keepColours: true }) : t;
      blocks.push({ kind: 'text', text: markText(drawn, ranges, marks), rows: Math.min(h, rows), highlight });
    }
  }
  return { top, count: shown.length, maxTop, blocks };
}

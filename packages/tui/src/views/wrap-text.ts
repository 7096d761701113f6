// Text from outside, wrapped to the terminal's width as rows the views can count: a view must
// know how many rows it draws to keep its frame below the terminal's height (see App.tsx).
import { terminalText } from '../terminal-text.js';

/**
 * `text` cleaned of control sequences (tabs and newlines become spaces) and wrapped at spaces into
 * rows of at most `width` characters; a word longer than a row is cut across rows. `indent` starts
 * every row after the first. Never more than `maxRows` rows: the last one ends with `…` when cut.
 */
export function wrapText(text: string, width: number, options: { indent?: string; maxRows?: number } = {}): string[] {
  const indent = options.indent ?? '';
  const clean = terminalText(text).replace(/\s+/g, ' ').trim();
  const rows: string[] = [];
  let row = '';
  const room = () => Math.max(1, width - (rows.length === 0 ? 0 : indent.length));
  for (const word of clean.split(' ')) {
    let rest = word;
    while (rest) {
      const sep = row ? ' ' : '';
      if (row.length + sep.length + rest.length <= room()) {
        row += sep + rest;
        rest = '';
      } else if (row) {
        rows.push(row);
        row = '';
      } else {
        const cut = room();
        rows.push(rest.slice(0, cut));
        rest = rest.slice(cut);
      }
    }
  }
  if (row || rows.length === 0) rows.push(row);
  const indented = rows.map((r, i) => (i === 0 ? r : indent + r));
  const max = options.maxRows ?? Infinity;
  if (indented.length <= max) return indented;
  const kept = indented.slice(0, Math.max(1, max));
  const last = kept[kept.length - 1]!;
  kept[kept.length - 1] = last.length >= width ? `${last.slice(0, width - 1)}…` : `${last}…`;
  return kept;
}

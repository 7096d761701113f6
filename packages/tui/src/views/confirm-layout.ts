// The confirmation dialog as rows: wrapped to the width and cut to a height, so the frame never
// reaches the terminal's height (Ink clears the screen and the title scrolls away otherwise).
import type { Confirm } from '../state/tui-state.js';
import { truncateEnd } from './log-layout.js';
import { wrapText } from './wrap-text.js';

export interface DialogRow {
  text: string;
  bold?: boolean;
  color?: string;
  /** The row ends with the input cursor. */
  cursor?: boolean;
}

/** Rows the dialog's border takes. */
export const DIALOG_BORDER_ROWS = 2;

/** The prompt under the question: what to type, and what was typed so far. */
function prompt(confirm: Confirm): string {
  if (confirm.reason) return `reason (${confirm.typed === null ? 'Enter marks' : `Enter, then type ${confirm.typed}`}; empty: "${confirm.reason.fallback}"; Esc cancels): ${confirm.input}`;
  if (confirm.typed === null) return 'y to confirm · n or Esc to cancel';
  return `protected: type ${confirm.typed} and Enter to confirm (Esc cancels): ${confirm.input}`;
}

/**
 * The diff in at most `room` rows: each line wrapped while every line after it still gets a row, else
 * cut to one; the lines that do not fit are counted on the last row (`… 3 more lines of the diff`).
 */
function diffRows(diff: readonly string[], width: number, room: number): DialogRow[] {
  const rows: DialogRow[] = [];
  const oneRow = (line: string) => truncateEnd(wrapText(line, Number.MAX_SAFE_INTEGER)[0] ?? '', width);
  let shown = 0;
  for (const [i, line] of diff.entries()) {
    const after = diff.length - i - 1;
    // A row kept for the count of what is left out, unless this is the last line.
    const left = room - rows.length - (after > 0 ? 1 : 0);
    const wrapped = wrapText(line, width, { indent: '  ', maxRows: 2 });
    const these = wrapped.length <= left - after ? wrapped : [oneRow(line)];
    if (these.length > left) break;
    rows.push(...these.map((text) => ({ text, color: 'cyan' })));
    shown += 1;
  }
  const more = diff.length - shown;
  if (more > 0) rows.push({ text: truncateEnd(`… ${more} more line${more === 1 ? '' : 's'} of the diff`, width), color: 'cyan' });
  return rows.slice(0, Math.max(0, room));
}

/**
 * The dialog's rows inside its border, `width` columns each, at most `maxRows`: the title, the
 * details and the prompt wrap. The diff keeps at least its first line and the count of the rest
 * (`… N more`) — what a rollback changes is never left out whole — then the details are cut from
 * the end, then the diff shrinks (to one row a line, then fewer lines). The title and the prompt,
 * with what was typed, always show.
 */
export function confirmRows(confirm: Confirm, width: number, maxRows: number): DialogRow[] {
  const title = wrapText(confirm.title, width, { maxRows: 3 }).map((text): DialogRow => ({ text, bold: true }));
  const said = confirm.mismatch && confirm.input === '' ? wrapText(`${confirm.mismatch} — type it again, or Esc`, width, { maxRows: 2 }).map((text): DialogRow => ({ text, color: 'red', bold: true })) : [];
  const ask = [...said, ...wrapText(prompt(confirm), width - 1).map((text): DialogRow => ({ text, color: 'yellow' }))];
  ask[ask.length - 1]!.cursor = confirm.typed !== null || confirm.reason !== undefined;
  const wrapDetail = (line: string) => wrapText(line, width, { indent: '  ' }).map((text): DialogRow => ({ text }));
  const [first, ...rest] = confirm.details;
  const head = first === undefined ? [] : wrapDetail(first);
  const tail = rest.flatMap(wrapDetail);
  const diff = confirm.diff ?? [];
  const budget = Math.max(0, maxRows - title.length - ask.length);
  // The diff's floor: its first line, and the count of the others.
  const floor = Math.min(budget, diff.length === 0 ? 0 : diff.length === 1 ? 1 : 2);
  const headRows = head.slice(0, Math.max(0, budget - floor));
  const tailRows = tail.slice(0, Math.max(0, budget - floor - headRows.length));
  const changes = diffRows(diff, width, budget - headRows.length - tailRows.length);
  return [...title, ...headRows, ...changes, ...tailRows, ...ask];
}

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
 * The dialog's rows inside its border, `width` columns each, at most `maxRows`: the title, the
 * details and the prompt wrap; the diff shrinks first (to one row a line, then fewer lines), then
 * the details are cut from the end. The title and the prompt always show.
 */
export function confirmRows(confirm: Confirm, width: number, maxRows: number): DialogRow[] {
  const title = wrapText(confirm.title, width, { maxRows: 3 }).map((text): DialogRow => ({ text, bold: true }));
  const ask = wrapText(prompt(confirm), width - 1).map((text): DialogRow => ({ text, color: 'yellow' }));
  ask[ask.length - 1]!.cursor = confirm.typed !== null || confirm.reason !== undefined;
  const wrapDetail = (line: string) => wrapText(line, width, { indent: '  ' }).map((text): DialogRow => ({ text }));
  const [first, ...rest] = confirm.details;
  const head = first === undefined ? [] : wrapDetail(first);
  const tail = rest.flatMap(wrapDetail);
  let room = Math.max(0, maxRows - title.length - ask.length - head.length - tail.length);
  const diff = confirm.diff ?? [];
  const diffRows: DialogRow[] = [];
  for (const [i, line] of diff.entries()) {
    const wrapped = wrapText(line, width, { indent: '  ', maxRows: 2 });
    // Wrapped while the room allows a row for each line after it; cut to one row when it does not; left out when no row is left.
    const rows = wrapped.length <= room - (diff.length - i - 1) ? wrapped : [truncateEnd(wrapText(line, Number.MAX_SAFE_INTEGER)[0] ?? '', width)];
    if (room < rows.length) break;
    diffRows.push(...rows.map((text) => ({ text, color: 'cyan' })));
    room -= rows.length;
  }
  if (diffRows.length < diff.length && diff.length > 0 && room === 0 && diffRows.length > 0) diffRows[diffRows.length - 1] = { text: '… (more of the diff than the terminal holds)', color: 'cyan' };
  const body = [...head, ...diffRows, ...tail].slice(0, Math.max(0, maxRows - title.length - ask.length));
  return [...title, ...body, ...ask];
}

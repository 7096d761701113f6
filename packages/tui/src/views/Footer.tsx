import { Box, Text } from 'ink';
import { bindingsFor, unavailableReason } from '../keymap.js';
import type { TuiState } from '../state/tui-state.js';
import { truncateEnd } from './log-layout.js';
import { wrapText } from './wrap-text.js';

const MORE = ' (e: whole)';

/**
 * The rows of the latest notice: one when it fits; else two, in the room of the blank row above
 * it (so the footer's height never changes and the frame never grows to the terminal's height);
 * a notice longer than two rows is cut and says where to read it whole (`e`, the event log).
 */
export function noticeRows(notice: string, columns: number): string[] {
  if (notice.length <= columns) return [notice];
  const whole = wrapText(notice, columns);
  if (whole.length <= 2) return whole;
  const [first, ...rest] = whole;
  return [first!, `${truncateEnd(rest.join(' '), columns - MORE.length)}${MORE}`];
}

/** Keys the footer always shows, at any width: how to get help, go back and quit. */
const ALWAYS = new Set(['?', 'Esc', 'q']);
/** Moving keys everyone tries first: the first to go where the row is short, both at once (`k/↑ up` alone reads as a mistake). */
const MOVING = new Set(['j/↓', 'k/↑', 'j/k']);

/** One key hint of the screen; `available: false` for a key that would do nothing now or be refused. */
export interface FooterHint {
  label: string;
  text: string;
  available?: boolean;
}

/**
 * The key hints that fit in `columns`: `? help · Esc back · q quit` always, at the right edge; of
 * the others, from the left, the moving keys go first where the row is short, then the last ones
 * (the `?` overlay lists every key).
 *
 * Which hints get a place is decided from every hint of the screen, available or not, so the
 * places do not change as focus or the selection moves: a key refused now is not offered, and its
 * place is left blank rather than given to its neighbours (a footer that jumps is misread).
 */
export function footerLine(hints: readonly FooterHint[], columns: number): string {
  const kept = hints.filter((h) => ALWAYS.has(h.label));
  let others = hints.filter((h) => !ALWAYS.has(h.label));
  const width = () => [...others, ...kept].map((h) => h.text).join(' · ').length;
  if (width() > columns) others = others.filter((h) => !MOVING.has(h.label));
  while (others.length > 0 && width() > columns) others.pop();
  let line = '';
  let shown = false;
  for (const [i, hint] of others.entries()) {
    const separator = i > 0 ? ' · ' : '';
    if (hint.available === false) line += ' '.repeat(separator.length + hint.text.length);
    else line += `${shown ? separator : ' '.repeat(separator.length)}${hint.text}`;
    shown ||= hint.available !== false;
  }
  // The keys always shown stand at the right edge: their places never move, and a refused key at
  // the end of the others leaves no hole before them, only the room between the two groups.
  const always = kept.map((h) => h.text).join(' · ');
  const left = line.trimEnd();
  if (left === '') return `${' '.repeat(Math.max(0, columns - always.length))}${always}`;
  return `${left}${' '.repeat(Math.max(3, columns - left.length - always.length))}${always}`;
}

/**
 * While a dialog, a filter or a search takes the keys, the screen's keys do nothing (a `q` is a
 * letter typed): the footer says the keys that work instead.
 */
export function inputHints(state: Pick<TuiState, 'confirm' | 'filter' | 'search'>): string | null {
  const { confirm } = state;
  if (confirm?.reason) return 'type the reason · Enter goes on · Esc cancels';
  if (confirm) return confirm.typed === null ? 'y confirms · n or Esc cancels' : `type ${confirm.typed} · Enter confirms · Esc cancels`;
  if (state.filter.editing) return 'type to filter · Enter keeps it · Esc clears';
  if (state.search.editing) return 'type to search · Enter searches · Esc cancels';
  return null;
}

/** The footer's height: the keys, and a blank row above them, or the notice (on one or two rows) and the keys. */
export function footerRows(state: Pick<TuiState, 'notice'>): number {
  return state.notice ? 3 : 2;
}

/** The latest notice and the key hints of the current screen from the keymap, always. */
export function Footer({ state, columns = 80 }: { state: TuiState; columns?: number }) {
  const hints = bindingsFor(state)
    .filter((b) => b.footer)
    // A key that would do nothing here, or be refused, is not offered (`?` says why); its place stays.
    .map((b) => ({ label: b.label, text: `${b.label} ${b.hint ?? b.description}`, available: unavailableReason(b, state) === null }));
  const rows = state.notice ? noticeRows(state.notice, columns) : [];
  return (
    <Box flexDirection="column" marginTop={rows.length > 1 ? 0 : 1}>
      {rows.map((row, i) => (
        <Text key={i} color="yellow" wrap="truncate-end">
          {row}
        </Text>
      ))}
      <Text dimColor wrap="truncate-end">
        {inputHints(state) ?? footerLine(hints, columns)}
      </Text>
    </Box>
  );
}

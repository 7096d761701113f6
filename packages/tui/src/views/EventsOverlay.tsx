import { Box, Text } from 'ink';
import { eventEntries, eventLine } from '../state/event-log.js';
import type { TuiState } from '../state/tui-state.js';
import { truncateEnd } from './log-layout.js';
import { gutter } from './gutter.js';
import { wrapText } from './wrap-text.js';

/** Rows the overlay's border, title and last line take, besides the header's and the footer's. */
const OVERLAY_ROWS = 4;
/** At most this many rows show the selected entry in full below the list. */
const DETAIL_ROWS = 4;

/** The first entry shown: the selected one kept near the middle, the window within the entries. */
export function eventsWindow(count: number, selected: number, room: number): number {
  return Math.max(0, Math.min(selected - Math.floor(room / 2), count - room));
}

/**
 * The event log (`e`, lazygit's command log for every terminal): what clients did to the shared
 * state — rollbacks, deploys, pins, cancels, refusals — with who and when, newest last; with this
 * terminal's own refusals, push deploys and automatic rollbacks, and entries from before a daemon
 * restart (state/event-log.ts). Every kept
 * entry can be selected (j/k, PgUp/PgDn, g/G, from keymap.ts); the list scrolls to it, one row
 * per entry, and the selected entry, when the width cuts it, is shown in full below the list. The
 * frame stays below the terminal's height: no flicker.
 */
export function EventsOverlay({ state, rows, columns, chrome = 6 }: { state: TuiState; rows: number; columns: number; chrome?: number }) {
  const entries = eventEntries(state);
  const me = state.connection.kind === 'connected' ? state.connection.clientId : null;
  const width = Math.max(20, columns - 4);
  const selected = Math.min(state.eventsSelected ?? entries.length - 1, entries.length - 1);
  const line = selected >= 0 ? eventLine(entries[selected]!) : '';
  // The selected entry in full when its row cuts it (wrapped, at most DETAIL_ROWS rows).
  const detail = line.length > width - 2 ? wrapText(line, width, { indent: '  ', maxRows: DETAIL_ROWS }) : [];
  const room = Math.max(1, rows - chrome - OVERLAY_ROWS - detail.length);
  const top = eventsWindow(entries.length, selected, room);
  const shown = entries.slice(top, top + room);
  const title = entries.length > shown.length ? `Events ${top + 1}–${top + shown.length} of ${entries.length}` : 'Events';
  return (
    <Box flexDirection="column" borderStyle="round" paddingX={1} width={columns}>
      <Text bold>{title}</Text>
      {shown.length === 0 && <Text dimColor>nothing yet: rollbacks, deploys, pins, cancels and refusals from any terminal appear here</Text>}
      {shown.map((entry, i) => (
        <Text key={`${entry.at}-${top + i}`} inverse={top + i === selected} dimColor={entry.origin === 'before-restart'} color={entry.origin === 'here' || (entry.origin === 'daemon' && entry.clientId === me) ? undefined : 'cyan'}>
          {gutter(top + i === selected)}
          {truncateEnd(eventLine(entry), width - 2)}
        </Text>
      ))}
      {detail.map((row, i) => (
        <Text key={`detail-${i}`} dimColor>
          {row}
        </Text>
      ))}
      <Text dimColor>{truncateEnd(`j/k, PgUp/PgDn, g/G select · Esc or e closes the events`, width)}</Text>
    </Box>
  );
}

import { Box, Text } from 'ink';
import { activityLine } from '../state/notices.js';
import type { TuiState } from '../state/tui-state.js';
import { truncateEnd } from './log-layout.js';

/** Rows the header, footer and the overlay's border, title and last line take. */
const CHROME_ROWS = 10;

/**
 * The event log (`e`, lazygit's command log for every terminal): what clients did to the shared
 * state — rollbacks, deploys, pins, cancels, refusals — with who and when, newest last, cut to the
 * rows the terminal leaves (the frame stays below its height: no flicker).
 */
export function EventsOverlay({ state, rows, columns }: { state: TuiState; rows: number; columns: number }) {
  const entries = state.daemon?.activity ?? [];
  const room = Math.max(1, rows - CHROME_ROWS);
  const shown = entries.slice(-room);
  const me = state.connection.kind === 'connected' ? state.connection.clientId : null;
  const width = Math.max(20, columns - 4);
  return (
    <Box flexDirection="column" borderStyle="round" paddingX={1} width={columns}>
      <Text bold>Events{entries.length > shown.length ? ` (the newest ${shown.length} of ${entries.length})` : ''}</Text>
      {shown.length === 0 && <Text dimColor>nothing yet: rollbacks, deploys, pins and cancels from any terminal appear here</Text>}
      {shown.map((entry, i) => (
        <Text key={`${entry.at}-${i}`} color={entry.clientId === me ? undefined : 'cyan'}>
          {truncateEnd(activityLine(entry), width)}
        </Text>
      ))}
      <Text dimColor>Esc or e closes the events</Text>
    </Box>
  );
}

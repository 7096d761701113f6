import { Box, Text } from 'ink';
import { bindingsFor } from '../keymap.js';
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

/** The latest notice and the key hints of the current screen from the keymap, always. */
export function Footer({ state, columns = 80 }: { state: TuiState; columns?: number }) {
  const hints = bindingsFor(state)
    .filter((b) => b.footer)
    .map((b) => `${b.label} ${b.hint ?? b.description}`);
  const rows = state.notice ? noticeRows(state.notice, columns) : [];
  return (
    <Box flexDirection="column" marginTop={rows.length > 1 ? 0 : 1}>
      {rows.map((row, i) => (
        <Text key={i} color="yellow" wrap="truncate-end">
          {row}
        </Text>
      ))}
      <Text dimColor wrap="truncate-end">
        {hints.join(' · ')}
      </Text>
    </Box>
  );
}

import { Box, Text } from 'ink';
import { bindingsFor } from '../keymap.js';
import type { TuiState } from '../state/tui-state.js';
import { truncateEnd } from './log-layout.js';

/**
 * The latest notice, one row, and the key hints of the current screen from the keymap, always: a
 * notice longer than the row is cut and says where to read it whole (`e`, the event log), so the
 * footer keeps its height and its keys, and the frame never grows to the terminal's height.
 */
const MORE = ' (e: whole)';

export function Footer({ state, columns = 80 }: { state: TuiState; columns?: number }) {
  const hints = bindingsFor(state)
    .filter((b) => b.footer)
    .map((b) => `${b.label} ${b.hint ?? b.description}`);
  const notice = state.notice ?? '';
  const row = notice.length > columns ? `${truncateEnd(notice, columns - MORE.length)}${MORE}` : notice;
  return (
    <Box flexDirection="column" marginTop={1}>
      {state.notice && (
        <Text color="yellow" wrap="truncate-end">
          {row}
        </Text>
      )}
      <Text dimColor wrap="truncate-end">
        {hints.join(' · ')}
      </Text>
    </Box>
  );
}

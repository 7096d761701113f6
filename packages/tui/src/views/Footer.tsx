import { Box, Text } from 'ink';
import { bindingsFor } from '../keymap.js';
import type { TuiState } from '../state/tui-state.js';
import { truncateEnd } from './log-layout.js';

/**
 * Key hints of the current screen from the keymap, and the latest notice. A notice longer than a
 * row (a refusal that names the command to run instead) takes the hints' row rather than being
 * cut: the footer keeps its height, so the frame never grows to the terminal's height. One longer
 * than two rows ends with where to read it whole: `e`, the event log.
 */
const MORE = ' (e: whole)';

export function Footer({ state, columns = 80 }: { state: TuiState; columns?: number }) {
  const hints = bindingsFor(state)
    .filter((b) => b.footer)
    .map((b) => `${b.label} ${b.hint ?? b.description}`);
  const notice = state.notice ?? '';
  const long = notice.length > columns;
  // Broken at the last space that fits, as a person would.
  const space = notice.lastIndexOf(' ', columns);
  const cut = long ? (space > columns / 2 ? space : columns) : notice.length;
  const first = notice.slice(0, cut);
  const rest = notice.slice(cut).trimStart();
  // Longer than two rows: cut, and say where the whole text is (the event log keeps every refusal).
  const second = !long ? null : rest.length > columns ? `${truncateEnd(rest, columns - MORE.length)}${MORE}` : rest;
  return (
    <Box flexDirection="column" marginTop={1}>
      {state.notice && (
        <Text color="yellow" wrap="truncate-end">
          {first}
        </Text>
      )}
      {second !== null ? (
        <Text color="yellow" wrap="truncate-end">
          {second}
        </Text>
      ) : (
        <Text dimColor wrap="truncate-end">
          {hints.join(' · ')}
        </Text>
      )}
    </Box>
  );
}

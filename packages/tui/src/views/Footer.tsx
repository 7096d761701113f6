import { Box, Text } from 'ink';
import { KEYMAP } from '../keymap.js';
import type { TuiState } from '../state/tui-state.js';

/** Key hints from the keymap, and the latest notice. */
export function Footer({ state }: { state: TuiState }) {
  const hints = KEYMAP.filter((b) => b.footer).map((b) => `${b.label} ${b.description.split(' (')[0]}`);
  return (
    <Box flexDirection="column" marginTop={1}>
      {state.notice && <Text color="yellow">{state.notice}</Text>}
      <Text dimColor wrap="truncate-end">
        {hints.join('  ·  ')}
      </Text>
    </Box>
  );
}

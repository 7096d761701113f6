import { Box, Text } from 'ink';
import { bindingsFor } from '../keymap.js';
import type { TuiState } from '../state/tui-state.js';

/** Key hints of the current screen from the keymap, and the latest notice. */
export function Footer({ state }: { state: TuiState }) {
  const hints = bindingsFor(state)
    .filter((b) => b.footer)
    .map((b) => `${b.label} ${b.hint ?? b.description}`);
  return (
    <Box flexDirection="column" marginTop={1}>
      {state.notice && (
        <Text color="yellow" wrap="truncate-end">
          {state.notice}
        </Text>
      )}
      <Text dimColor wrap="truncate-end">
        {hints.join(' · ')}
      </Text>
    </Box>
  );
}

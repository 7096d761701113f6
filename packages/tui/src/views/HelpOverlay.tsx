import { Box, Text } from 'ink';
import { KEYMAP } from '../keymap.js';
import type { TuiState } from '../state/tui-state.js';

/** Every binding of the keymap, with why a key is disabled right now. */
export function HelpOverlay({ state }: { state: TuiState }) {
  return (
    <Box flexDirection="column" borderStyle="round" paddingX={1}>
      <Text bold>Keys</Text>
      {KEYMAP.map((b) => {
        const disabled = b.disabledReason?.(state) ?? null;
        return (
          <Text key={b.label} dimColor={disabled !== null} wrap="truncate-end">
            {b.label.padEnd(8)}
            {b.description}
            {disabled ? ` — disabled: ${disabled}` : ''}
          </Text>
        );
      })}
      <Text dimColor>Esc or ? closes this help</Text>
    </Box>
  );
}

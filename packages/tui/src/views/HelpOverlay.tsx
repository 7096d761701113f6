import { Box, Text } from 'ink';
import { bindingsFor } from '../keymap.js';
import type { TuiState } from '../state/tui-state.js';

/** Every binding of the current screen, from the keymap, with why a key is disabled right now. */
export function HelpOverlay({ state }: { state: TuiState }) {
  return (
    <Box flexDirection="column" borderStyle="round" paddingX={1}>
      <Text bold>Keys ({state.view.kind})</Text>
      {bindingsFor(state)
        .filter((b) => b.inHelp !== false)
        .map((b) => {
        const disabled = b.disabledReason?.(state) ?? null;
        return (
          <Text key={`${b.label}-${b.description}`} dimColor={disabled !== null} wrap="truncate-end">
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

import { Box, Text } from 'ink';
import type { Confirm } from '../state/tui-state.js';

/** The confirmation of a destructive action: `y`/`n`, or the environment's name typed for protected ones. */
export function ConfirmDialog({ confirm }: { confirm: Confirm }) {
  return (
    <Box flexDirection="column" borderStyle="round" borderColor="yellow" paddingX={1}>
      <Text bold wrap="truncate-end">
        {confirm.title}
      </Text>
      {confirm.details.map((line) => (
        <Text key={line} wrap="truncate-end">
          {line}
        </Text>
      ))}
      {confirm.typed === null ? (
        <Text color="yellow">y to confirm · n or Esc to cancel</Text>
      ) : (
        <Text color="yellow">
          protected: type <Text bold>{confirm.typed}</Text> and Enter to confirm (Esc cancels): {confirm.input}
          <Text inverse> </Text>
        </Text>
      )}
    </Box>
  );
}

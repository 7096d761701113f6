import { Box, Text } from 'ink';
import type { Confirm } from '../state/tui-state.js';
import { confirmRows, DIALOG_BORDER_ROWS } from './confirm-layout.js';

/**
 * The confirmation of a destructive action: `y`/`n`, the environment's name typed for protected
 * ones, or a typed reason (a bad mark). At most `maxRows` rows, border included (see confirm-layout.ts).
 */
export function ConfirmDialog({ confirm, columns, maxRows }: { confirm: Confirm; columns: number; maxRows: number }) {
  const rows = confirmRows(confirm, Math.max(10, columns - 4), Math.max(3, maxRows - DIALOG_BORDER_ROWS));
  return (
    <Box flexDirection="column" borderStyle="round" borderColor="yellow" paddingX={1} width={columns}>
      {rows.map((row, i) => (
        <Text key={i} bold={row.bold ?? false} color={row.color} wrap="truncate-end">
          {row.text}
          {row.cursor ? <Text inverse> </Text> : null}
        </Text>
      ))}
    </Box>
  );
}

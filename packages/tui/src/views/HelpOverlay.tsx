import { Box, Text } from 'ink';
import { bindingsFor } from '../keymap.js';
import type { TuiState } from '../state/tui-state.js';
import { truncateEnd } from './log-layout.js';

/** Rows the header, footer and the overlay's own border, title and last line take. */
const CHROME_ROWS = 10;
const LABEL_WIDTH = 8;

/**
 * Every binding of the current screen, from the keymap, with why a key is disabled right now. The
 * frame must stay below the terminal's height (else Ink clears and redraws: flicker), so when the
 * bindings do not fit in one column they go in two, each row cut to its column.
 */
export function HelpOverlay({ state, rows, columns }: { state: TuiState; rows: number; columns: number }) {
  const lines = bindingsFor(state)
    .filter((b) => b.inHelp !== false)
    .map((b) => {
      const disabled = b.disabledReason?.(state) ?? null;
      return { key: `${b.label}-${b.description}`, text: `${b.label.length < LABEL_WIDTH ? b.label.padEnd(LABEL_WIDTH) : `${b.label} `}${b.description}${disabled ? ` — disabled: ${disabled}` : ''}`, disabled: disabled !== null };
    });
  const inner = Math.max(20, columns - 4);
  const fits = lines.length <= rows - CHROME_ROWS;
  const perColumn = fits ? lines.length : Math.ceil(lines.length / 2);
  const width = fits ? inner : Math.floor((inner - 2) / 2);
  const columnsOf = fits ? [lines] : [lines.slice(0, perColumn), lines.slice(perColumn)];
  return (
    <Box flexDirection="column" borderStyle="round" paddingX={1} width={columns}>
      <Text bold>Keys ({state.view.kind})</Text>
      <Box flexDirection="row">
        {columnsOf.map((column, c) => (
          <Box key={c} flexDirection="column" width={width} marginRight={c === 0 && !fits ? 2 : 0}>
            {column.map((line) => (
              <Text key={line.key} dimColor={line.disabled}>
                {truncateEnd(line.text, width)}
              </Text>
            ))}
          </Box>
        ))}
      </Box>
      <Text dimColor>Esc or ? closes this help</Text>
    </Box>
  );
}

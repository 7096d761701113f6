import { Box, Text } from 'ink';
import { bindingsFor, screenFor } from '../keymap.js';
import type { TuiState } from '../state/tui-state.js';
import { truncateEnd } from './log-layout.js';
import { wrapText } from './wrap-text.js';

/**
 * Rows the overlay's own border, title and last line take, and one to spare: the help is drawn
 * alone (no header or footer, App.tsx), so that at 80×24 every description fits whole.
 */
const CHROME_ROWS = 5;
const LABEL_WIDTH = 8;

interface HelpLine {
  key: string;
  label: string;
  text: string;
  /** Why the key is disabled right now; null when it is enabled. */
  why: string | null;
}

/** Each line as rows of `width`: the description wrapped beside its label (the label stands out), or cut to one row. */
function rowsOf(lines: HelpLine[], width: number, wrap: boolean, withWhy = true): { key: string; text: string; disabled: boolean }[] {
  return lines.flatMap((line) => {
    // One key column for all the lines: a longer label (`PgDn/PgUp`) widens it rather than pushing its description out of line.
    const column = Math.max(LABEL_WIDTH, ...lines.map((l) => l.label.length + 1));
    const text = withWhy && line.why ? `${line.text} — disabled: ${line.why}` : line.text;
    const rows = wrap ? wrapText(text, Math.max(1, width - column)) : [truncateEnd(text, Math.max(1, width - column))];
    return rows.map((row, i) => ({ key: `${line.key}-${i}`, text: `${(i === 0 ? line.label : '').padEnd(column)}${row}`, disabled: line.why !== null }));
  });
}

/**
 * Every binding of the current screen, from the keymap, with why a key is disabled right now. The
 * frame must stay below the terminal's height (else Ink clears and redraws: flicker): descriptions
 * wrap in one column when that fits, else in two columns, and are cut to a row only when even
 * that is too tall (a person reading the help needs the whole sentence).
 */
export function HelpOverlay({ state, rows, columns }: { state: TuiState; rows: number; columns: number }) {
  const lines = bindingsFor(state)
    .filter((b) => b.inHelp !== false)
    .map((b): HelpLine => {
      const disabled = b.disabledReason?.(state) ?? null;
      return { key: `${b.label}-${b.description}`, label: b.label, text: b.description, why: disabled };
    });
  const inner = Math.max(20, columns - 4);
  const room = Math.max(1, rows - CHROME_ROWS);
  const half = Math.floor((inner - 2) / 2);
  // Two columns of about as many rows each (a long description takes several).
  const heights = lines.map((l) => rowsOf([l], half, true, false).length);
  const total = heights.reduce((a, b) => a + b, 0);
  let split = 0;
  for (let sum = 0; split < lines.length && sum + (heights[split] ?? 0) <= Math.ceil(total / 2); split += 1) sum += heights[split] ?? 0;
  const layouts = [
    { width: inner, columnsOf: [rowsOf(lines, inner, true)] },
    { width: half, columnsOf: [rowsOf(lines.slice(0, split), half, true), rowsOf(lines.slice(split), half, true)] },
    // Still too tall: why a key is disabled goes (it stays dimmed; pressing it says why), then rows are cut.
    { width: half, columnsOf: [rowsOf(lines.slice(0, split), half, true, false), rowsOf(lines.slice(split), half, true, false)] },
    { width: half, columnsOf: [rowsOf(lines.slice(0, split), half, false), rowsOf(lines.slice(split), half, false)] },
  ];
  const layout = layouts.find((l) => Math.max(...l.columnsOf.map((c) => c.length)) <= room) ?? layouts[3]!;
  const { width, columnsOf } = layout;
  return (
    <Box flexDirection="column" borderStyle="round" paddingX={1} width={columns}>
      <Text bold>Keys ({screenFor(state)})</Text>
      <Box flexDirection="row">
        {columnsOf.map((column, c) => (
          <Box key={c} flexDirection="column" width={width} marginRight={c === 0 && columnsOf.length > 1 ? 2 : 0}>
            {column.map((line) => (
              <Text key={line.key} dimColor={line.disabled}>
                {line.text}
              </Text>
            ))}
          </Box>
        ))}
      </Box>
      <Text dimColor>Esc or ? closes this help</Text>
    </Box>
  );
}

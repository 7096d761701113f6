import { Box, Text } from 'ink';
import { bindingsFor, screenFor, screenName, unavailableReason } from '../keymap.js';
import { flagLegend } from '../state/flag-words.js';
import type { TuiState } from '../state/tui-state.js';
import { truncateEnd } from './log-layout.js';
import { wrapText } from './wrap-text.js';

/**
 * Rows the overlay's title takes, and one to spare. The help is drawn alone (no header or footer,
 * App.tsx) and without a border, so that at 80×24 every description fits whole, and so does why
 * the disabled keys are (the title row also says how to close it, to leave that row to them).
 */
const CHROME_ROWS = 2;
const LABEL_WIDTH = 8;

interface HelpLine {
  key: string;
  label: string;
  text: string;
  /** Why the key is disabled right now; null when it is enabled. */
  why: string | null;
  /** The key is a request the TUI would refuse (its `why` is the refusal, often a long sentence). */
  refused: boolean;
}

/** Said for a refused key where its whole refusal does not fit with the rest: pressing it says it. */
const REFUSED_SHORT = 'refused here (pressing it says why)';

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
      const disabled = unavailableReason(b, state);
      return { key: `${b.label}-${b.description}`, label: b.label, text: b.description, why: disabled, refused: disabled !== null && !b.disabledReason?.(state) };
    });
  const inner = Math.max(20, columns - 2);
  const room = Math.max(1, rows - CHROME_ROWS);
  const half = Math.floor((inner - 2) / 2);
  // Two columns of about as many rows each (a long description takes several).
  const heights = lines.map((l) => rowsOf([l], half, true, false).length);
  const total = heights.reduce((a, b) => a + b, 0);
  let split = 0;
  for (let sum = 0; split < lines.length && sum + (heights[split] ?? 0) <= Math.ceil(total / 2); split += 1) sum += heights[split] ?? 0;
  // Why keys are disabled, under both columns at the whole width: shorter than beside each key
  // (a reason there wraps in a narrow column), and named by key, for NO_COLOR has no dimming.
  // Keys disabled for one reason (Tab to the environments first) are named together.
  const whyRowsOf = (short: boolean) => {
    const byWhy = new Map<string, string[]>();
    for (const l of lines) if (l.why !== null) byWhy.set(short && l.refused ? REFUSED_SHORT : l.why, [...(byWhy.get(short && l.refused ? REFUSED_SHORT : l.why) ?? []), l.label]);
    const disabled = [...byWhy].map(([why, labels]) => `${labels.join(', ')}: ${why}`);
    return disabled.length ? wrapText(`disabled here: ${disabled.join('; ')}`, inner) : [];
  };
  const whyRows = whyRowsOf(false);
  // On the dashboard, what the FLAGS column's short forms stand for (it says them at 80 columns).
  const legend = screenFor(state) === 'dashboard' ? wrapText(flagLegend(), inner) : [];
  const layouts = [
    { width: inner, columnsOf: [rowsOf(lines, inner, true)], below: legend },
    { width: half, columnsOf: [rowsOf(lines.slice(0, split), half, true), rowsOf(lines.slice(split), half, true)], below: legend },
    { width: half, columnsOf: [rowsOf(lines.slice(0, split), half, true, false), rowsOf(lines.slice(split), half, true, false)], below: [...whyRows, ...legend] },
    // A refusal is a sentence (what serves, what to do instead): where it leaves no room for the
    // legend, it is said in short (the key, pressed, says it whole).
    { width: half, columnsOf: [rowsOf(lines.slice(0, split), half, true, false), rowsOf(lines.slice(split), half, true, false)], below: [...whyRowsOf(true), ...legend] },
    // Still too tall: the legend goes, then why a key is disabled (it stays dimmed; pressing it says why), then rows are cut.
    { width: half, columnsOf: [rowsOf(lines.slice(0, split), half, true, false), rowsOf(lines.slice(split), half, true, false)], below: whyRows },
    { width: half, columnsOf: [rowsOf(lines.slice(0, split), half, true, false), rowsOf(lines.slice(split), half, true, false)], below: legend },
    { width: half, columnsOf: [rowsOf(lines.slice(0, split), half, true, false), rowsOf(lines.slice(split), half, true, false)], below: [] },
    { width: half, columnsOf: [rowsOf(lines.slice(0, split), half, false), rowsOf(lines.slice(split), half, false)], below: [] },
  ];
  const layout = layouts.find((l) => Math.max(...l.columnsOf.map((c) => c.length)) + l.below.length <= room) ?? layouts.at(-1)!;
  const { width, columnsOf, below } = layout;
  return (
    <Box flexDirection="column" paddingX={1} width={columns}>
      <Text>
        <Text bold>Keys ({screenName(state)})</Text>
        <Text dimColor> · Esc or ? closes this help</Text>
      </Text>
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
      {below.map((row, i) => (
        <Text key={`why-${i}`}>{row}</Text>
      ))}
    </Box>
  );
}

import { Box, Text } from 'ink';
import type { EnvironmentView } from '@axum/protocol';
import { environmentCells, pauseLine, servingText } from '../state/selectors.js';
import type { TuiState } from '../state/tui-state.js';
import { GUTTER, gutter } from './gutter.js';

/**
 * The columns, each as wide as its widest cell (up to `max`), so spare width goes to FLAGS, the last:
 * at 80 columns it keeps `rel-19 marked bad`. Release and commit are in the history (Enter).
 */
const COLUMNS = [
  { title: 'ENV', max: 16, cell: 'name' },
  { title: 'BRANCH', max: 12, cell: 'branch' },
  { title: 'LIVE', max: 12, cell: 'liveBrief' },
  { title: 'LKG', max: 6, cell: 'lkg' },
  { title: 'HEALTH', max: 27, cell: 'health' },
  { title: 'FLAGS', max: Number.MAX_SAFE_INTEGER, cell: 'flags' },
] as const;

/** The environments, one row each, the selected one highlighted. */
export function EnvironmentsTable({ state, environments }: { state: TuiState; environments: EnvironmentView[] }) {
  if (!state.daemon) return <Text dimColor>waiting for the daemon…</Text>;
  if (environments.length === 0 && state.filter.text) return <Text dimColor>no environment matches /{state.filter.text}</Text>;
  if (environments.length === 0) {
    return <Text dimColor>no environments: add some under `environments:` in axum.yml (e.g. production: {'{'} branch: main {'}'})</Text>;
  }
  // `#3 failed` where a failed release still serves: the dashboard never says nothing is live then.
  const rows = environments.map((env) => ({ ...environmentCells(env), liveBrief: servingText(env, true) }));
  // Measured over the rows shown, with a column of space between (a cut cell ends its column one short).
  const widths = COLUMNS.map((c) => Math.min(c.max, Math.max(c.title.length, ...rows.map((r) => r[c.cell].length))) + 1);
  return (
    <Box flexDirection="column">
      <Text bold wrap="truncate-end">
        {GUTTER}
        {COLUMNS.map((c, j) => (j === COLUMNS.length - 1 ? c.title : c.title.padEnd(widths[j]!))).join('')}
      </Text>
      {environments.map((env, i) => {
        const cells = rows[i]!;
        const selected = i === state.selected && state.focus === 'environments';
        return (
          <Text key={env.name} inverse={selected} wrap="truncate-end">
            {gutter(selected)}
            {COLUMNS.map((c, j) => (j === COLUMNS.length - 1 ? cells[c.cell] : cells[c.cell].slice(0, widths[j]! - 1).padEnd(widths[j]!))).join('')}
          </Text>
        );
      })}
      {environments
        .filter((env) => env.paused)
        .map((env) => (
          <Text key={`paused-${env.name}`} color="yellow" wrap="truncate-end">
            ⏸ {pauseLine(env, true)}
          </Text>
        ))}
      {environments
        .filter((env) => env.incident)
        .map((env) => (
          <Text key={`incident-${env.name}`} color="red" wrap="truncate-end">
            ! {env.name}: {env.incident}
          </Text>
        ))}
    </Box>
  );
}

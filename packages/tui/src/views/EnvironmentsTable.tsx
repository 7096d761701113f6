import { Box, Text } from 'ink';
import type { EnvironmentView } from '@axum/protocol';
import { environmentCells, pauseLine, servingText } from '../state/selectors.js';
import type { TuiState } from '../state/tui-state.js';
import { GUTTER, gutter } from './gutter.js';

/** The columns at 80×24: release and commit are in the history (Enter); the health (last monitor check, key metric) is here. */
// Widths add up (with the 2-column gutter) to 62, so at 80 columns FLAGS keeps 18: `pinned, protected`.
const COLUMNS = [
  { title: 'ENV', width: 11, cell: 'name' },
  { title: 'BRANCH', width: 8, cell: 'branch' },
  { title: 'LIVE', width: 10, cell: 'liveBrief' },
  { title: 'LKG', width: 4, cell: 'lkg' },
  { title: 'HEALTH', width: 27, cell: 'health' },
  { title: 'FLAGS', width: 29, cell: 'flags' },
] as const;

/** The environments, one row each, the selected one highlighted. */
export function EnvironmentsTable({ state, environments }: { state: TuiState; environments: EnvironmentView[] }) {
  if (!state.daemon) return <Text dimColor>waiting for the daemon…</Text>;
  if (environments.length === 0 && state.filter.text) return <Text dimColor>no environment matches /{state.filter.text}</Text>;
  if (environments.length === 0) {
    return <Text dimColor>no environments: add some under `environments:` in axum.yml (e.g. production: {'{'} branch: main {'}'})</Text>;
  }
  return (
    <Box flexDirection="column">
      <Text bold wrap="truncate-end">
        {GUTTER}
        {COLUMNS.map((c, j) => (j === COLUMNS.length - 1 ? c.title : c.title.padEnd(c.width))).join('')}
      </Text>
      {environments.map((env, i) => {
        // `#3 failed` where a failed release still serves: the dashboard never says nothing is live then.
        const cells = { ...environmentCells(env), liveBrief: servingText(env, true) };
        const selected = i === state.selected && state.focus === 'environments';
        return (
          <Text key={env.name} inverse={selected} wrap="truncate-end">
            {gutter(selected)}
            {COLUMNS.map((c, j) => (j === COLUMNS.length - 1 ? cells[c.cell] : cells[c.cell].slice(0, c.width - 1).padEnd(c.width))).join('')}
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

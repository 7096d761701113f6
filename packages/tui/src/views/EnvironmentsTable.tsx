import { Box, Text } from 'ink';
import { environmentCells } from '../state/selectors.js';
import type { TuiState } from '../state/tui-state.js';

const COLUMNS = [
  { title: 'ENVIRONMENT', width: 14 },
  { title: 'BRANCH', width: 12 },
  { title: 'LIVE', width: 6 },
  { title: 'RELEASE', width: 9 },
  { title: 'COMMIT', width: 10 },
  { title: 'LKG', width: 5 },
  { title: 'FLAGS', width: 34 },
] as const;

/** The environments, one row each, the selected one highlighted. */
export function EnvironmentsTable({ state }: { state: TuiState }) {
  const environments = state.daemon?.environments ?? [];
  if (!state.daemon) return <Text dimColor>waiting for the daemon…</Text>;
  if (environments.length === 0) {
    return <Text dimColor>no environments: add some under `environments:` in axum.yml (e.g. production: {'{'} branch: main {'}'})</Text>;
  }
  return (
    <Box flexDirection="column">
      <Text bold>{COLUMNS.map((c) => c.title.padEnd(c.width)).join('')}</Text>
      {environments.map((env, i) => {
        const cells = environmentCells(env);
        const selected = i === state.selected && state.focus === 'environments';
        return (
          <Text key={env.name} inverse={selected} wrap="truncate-end">
            {cells.map((cell, j) => (j === cells.length - 1 ? cell : cell.slice(0, (COLUMNS[j]?.width ?? 10) - 1).padEnd(COLUMNS[j]?.width ?? 10))).join('')}
          </Text>
        );
      })}
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

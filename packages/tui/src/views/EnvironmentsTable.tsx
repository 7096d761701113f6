import { Box, Text } from 'ink';
import type { TuiState } from '../state/tui-state.js';

const COLUMNS = [
  { title: 'ENVIRONMENT', width: 14 },
  { title: 'BRANCH', width: 14 },
  { title: 'LIVE', width: 7 },
  { title: 'COMMIT', width: 10 },
  { title: 'FLAGS', width: 28 },
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
        const flags = [env.protected && 'protected', env.approval === 'manual' && 'manual approval', env.pinned && 'pinned', env.awaitingApproval && 'awaiting approval']
          .filter(Boolean)
          .join(', ');
        const cells = [env.name, env.branch, env.live ? `#${env.live.revision}` : '—', env.live ? env.live.commit.slice(0, 8) : '—', flags || '—'];
        const selected = i === state.selected;
        return (
          <Text key={env.name} inverse={selected} wrap="truncate-end">
            {cells.map((cell, j) => cell.slice(0, (COLUMNS[j]?.width ?? 10) - 1).padEnd(COLUMNS[j]?.width ?? 10)).join('')}
          </Text>
        );
      })}
    </Box>
  );
}

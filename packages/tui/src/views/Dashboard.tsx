import { Box } from 'ink';
import type { TuiState } from '../state/tui-state.js';
import { EnvironmentsTable } from './EnvironmentsTable.js';
import { RunsTable } from './RunsTable.js';

/** Environments above, runs below; Tab moves the selection between them. */
export function Dashboard({ state, rows }: { state: TuiState; rows: number }) {
  const environments = state.daemon?.environments.length ?? 0;
  const incidents = state.daemon?.environments.filter((e) => e.incident).length ?? 0;
  // Header, headings, margins and footer take the rest: the frame must stay below the terminal's
  // height, or Ink clears and redraws everything (flicker).
  const runRows = Math.max(1, rows - environments - incidents - 13);
  return (
    <Box flexDirection="column">
      <EnvironmentsTable state={state} />
      <Box marginTop={1}>{state.daemon && <RunsTable runs={state.daemon.runs} maxRows={runRows} selected={state.focus === 'runs' ? state.selectedRun : null} />}</Box>
    </Box>
  );
}

import { Box, Text } from 'ink';
import { visibleEnvironments, visibleRuns } from '../state/dashboard-filter.js';
import type { TuiState } from '../state/tui-state.js';
import { runRows as runListRows } from '../state/run-rows.js';
import { EnvironmentsTable, incidentRows } from './EnvironmentsTable.js';
import { RunsTable } from './RunsTable.js';

/** Environments above, runs below; Tab moves the selection between them; `/` filters both. */
export function Dashboard({ state, rows, columns = 80, chrome = 6 }: { state: TuiState; rows: number; columns?: number; chrome?: number }) {
  const environments = visibleEnvironments(state);
  const runs = visibleRuns(state);
  const incidents = environments.reduce((rows, e) => rows + incidentRows(e, columns).length, 0);
  const filtered = state.filter.text !== '' || state.filter.editing;
  // The header and footer (`chrome`, the terminal's last row in it), the environments with their
  // paused and incident lines, the margin and the runs' heading: the runs (and their `↓ N more`)
  // take every row left, and no more, or Ink clears and redraws everything (flicker).
  const paused = environments.filter((e) => e.paused).length;
  const runRows = Math.max(2, rows - chrome - (1 + environments.length + paused + incidents) - 2 - (filtered ? 1 : 0));
  return (
    <Box flexDirection="column">
      {filtered && (
        <Text color="yellow" wrap="truncate-end">
          /{state.filter.text}
          {state.filter.editing ? <Text inverse> </Text> : null}
          {`  ${environments.length} of ${state.daemon?.environments.length ?? 0} environments, ${runs.length} of ${state.daemon?.runs.length ?? 0} runs`}
          {state.filter.editing ? '  (Enter keeps it, Esc clears)' : '  (/ to change, Esc clears)'}
        </Text>
      )}
      <EnvironmentsTable state={state} environments={environments} columns={columns} />
      <Box marginTop={1}>{state.daemon && <RunsTable runs={runListRows(state)} maxRows={runRows} selected={state.focus === 'runs' ? state.selectedRun : null} filter={state.filter.text} />}</Box>
    </Box>
  );
}

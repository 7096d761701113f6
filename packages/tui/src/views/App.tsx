import { Box, useApp, useInput, useStdout } from 'ink';
import { useEffect, useReducer } from 'react';
import type { DaemonConnection } from '../client/daemon-connection.js';
import { keepConnected } from '../client/live-connection.js';
import { resolveKey } from '../keymap.js';
import { initialTuiState, reduce } from '../state/tui-state.js';
import { EnvironmentsTable } from './EnvironmentsTable.js';
import { Footer } from './Footer.js';
import { Header } from './Header.js';
import { HelpOverlay } from './HelpOverlay.js';
import { RunsTable } from './RunsTable.js';

/** The whole TUI: one reducer owns the state; components render it; the keymap maps keys to actions. */
export function App({ repoRoot, connection }: { repoRoot: string; connection: DaemonConnection }) {
  const [state, dispatch] = useReducer(reduce, initialTuiState);
  const { exit } = useApp();
  const { stdout } = useStdout();
  // Header, environments, headings and footer take the rest; the frame must stay below the
  // terminal's height, or Ink clears and redraws everything (flicker).
  const environments = state.daemon?.environments.length ?? 0;
  const runRows = Math.max(1, (stdout.rows || 24) - environments - 12);

  useEffect(() => keepConnected(repoRoot, dispatch, connection), [repoRoot, connection]);

  useInput((input, key) => {
    const hit = resolveKey(state, input, key);
    if (!hit || hit.disabled) return;
    if (hit.binding.command.kind === 'quit') exit();
    else dispatch(hit.binding.command.action);
  });

  return (
    <Box flexDirection="column">
      <Header state={state} />
      {state.helpOpen ? (
        <HelpOverlay state={state} />
      ) : (
        <Box flexDirection="column">
          <EnvironmentsTable state={state} />
          <Box marginTop={1}>{state.daemon && <RunsTable runs={state.daemon.runs} maxRows={runRows} />}</Box>
        </Box>
      )}
      <Footer state={state} />
    </Box>
  );
}

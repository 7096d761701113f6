import { Box, useApp, useInput } from 'ink';
import { useEffect, useReducer } from 'react';
import type { DaemonConnection } from '../client/daemon-connection.js';
import { keepConnected } from '../client/live-connection.js';
import { resolveKey } from '../keymap.js';
import { initialTuiState, reduce } from '../state/tui-state.js';
import { EnvironmentsTable } from './EnvironmentsTable.js';
import { Footer } from './Footer.js';
import { Header } from './Header.js';
import { HelpOverlay } from './HelpOverlay.js';

/** The whole TUI: one reducer owns the state; components render it; the keymap maps keys to actions. */
export function App({ repoRoot, connection }: { repoRoot: string; connection: DaemonConnection }) {
  const [state, dispatch] = useReducer(reduce, initialTuiState);
  const { exit } = useApp();

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
      {state.helpOpen ? <HelpOverlay state={state} /> : <EnvironmentsTable state={state} />}
      <Footer state={state} />
    </Box>
  );
}

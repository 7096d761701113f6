import { render } from 'ink';
import type { DaemonConnection } from '../client/daemon-connection.js';
import { App } from './App.js';

/** Lines to show in the footer as they come (`axum demo` narrates its story into the TUI). */
export interface Narration {
  subscribe(listener: (line: string) => void): () => void;
}

/** Renders the app and resolves when the user quits. */
export async function runTui(repoRoot: string, connection: DaemonConnection, narration?: Narration): Promise<void> {
  const instance = render(<App repoRoot={repoRoot} connection={connection} narration={narration} />, { exitOnCtrlC: false });
  await instance.waitUntilExit();
}

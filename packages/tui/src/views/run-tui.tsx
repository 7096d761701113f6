import { render } from 'ink';
import type { DaemonConnection } from '../client/daemon-connection.js';
import { App } from './App.js';

/** Renders the app full-screen-ish and resolves when the user quits. */
export async function runTui(repoRoot: string, connection: DaemonConnection): Promise<void> {
  const instance = render(<App repoRoot={repoRoot} connection={connection} />, { exitOnCtrlC: false });
  await instance.waitUntilExit();
}

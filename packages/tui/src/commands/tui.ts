import { attach } from '../client/daemon-launcher.js';
import { findRepositoryRoot, requireConfigFile } from '../client/repository.js';
import { EXIT, type ExitCode } from './exit-codes.js';
import type { GlobalOptions } from './output.js';
import { statusCommand } from './status.js';
import { stdoutOutput } from './output.js';

/** `axum`: the terminal UI on a TTY; the same information as plain lines otherwise. */
export async function tuiCommand(options: GlobalOptions): Promise<ExitCode> {
  if (!process.stdout.isTTY || options.json) return statusCommand(options, stdoutOutput);
  const repoRoot = findRepositoryRoot(options.repo);
  requireConfigFile(repoRoot);
  const connection = await attach(repoRoot, 'axum-tui');
  // Ink draws nothing until exit when it believes it runs in CI (is-in-ci reads CI=true, which many
  // shells export): the TUI is interactive by definition, so drop that belief before Ink loads.
  delete process.env.CI;
  const { runTui } = await import('../views/run-tui.js');
  await runTui(repoRoot, connection);
  return EXIT.ok;
}

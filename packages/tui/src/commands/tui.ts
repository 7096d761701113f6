import { attach } from '../client/daemon-launcher.js';
import { findRepositoryRoot, requireConfigFile } from '../client/repository.js';
import { EXIT, type ExitCode } from './exit-codes.js';
import type { GlobalOptions } from './output.js';
import { statusCommand } from './status.js';
import { stdoutOutput } from './output.js';
import type * as RunTuiModule from '../views/run-tui.js';
import { enterAlternateScreen } from '../views/alternate-screen.js';
import { terminalText } from '../terminal-text.js';

/** `axum`: the terminal UI on a TTY; the same information as plain lines otherwise. */
export async function tuiCommand(options: GlobalOptions): Promise<ExitCode> {
  if (!process.stdout.isTTY || options.json) return statusCommand(options, stdoutOutput);
  const repoRoot = findRepositoryRoot(options.repo);
  requireConfigFile(repoRoot);
  // A frame at once: reaching the daemon and loading Ink (its ~100 modules: seconds on a loaded
  // machine) come after it, instead of a blank terminal until the first real frame.
  const screen = enterAlternateScreen(process.stdout);
  process.stdout.write(`axum · ${terminalText(repoRoot)}\n● connecting… (loading the terminal UI)\n`);
  const early = dropEarlyKeys(process.stdin);
  try {
    let started: string | undefined;
    // A daemon started here gets the shell's environment, not the settings made for Ink below.
    const shellEnv = { ...process.env };
    prepareTerminalEnv();
    // Ink loads while the daemon is reached, or started: one after the other, the two took seconds
    // each on a loaded machine before the first real frame.
    const views = importViews();
    // Awaited below; an error of attach's goes first, and this one must not go unhandled meanwhile.
    views.catch(() => undefined);
    const connection = await attach(repoRoot, 'axum-tui', {
      announce: (text) => (started = terminalText(text)),
      env: shellEnv,
      // Its start takes seconds: the first frame's second row says what is waited for.
      starting: () => process.stdout.write('\u001b[2;1H\u001b[2K● starting the daemon… (loading the terminal UI)\n'),
    });
    const { runTui } = await views;
    // Left in raw mode for Ink: back in line mode, a key typed while it mounts would be echoed.
    early.stop();
    await runTui(repoRoot, connection, undefined, screen, started);
  } finally {
    early.stop();
    if (process.stdin.isTTY) process.stdin.setRawMode(false);
    // The early-key listener put stdin in flowing mode; removing it does not pause it, and a
    // flowing stdin keeps the process alive: an error before Ink took stdin over would hang here.
    process.stdin.pause();
    // Before an error is printed: on the shell's screen, where it stays readable.
    screen.leave();
  }
  return EXIT.ok;
}

/**
 * Sets up the environment Ink reads when it loads, so call it before importing the views:
 * Ink draws nothing until exit when it believes it runs in CI (is-in-ci reads CI=true, which many
 * shells export), and chalk ignores NO_COLOR (https://no-color.org) unless told with FORCE_COLOR=0.
 */
export function prepareTerminalEnv(): void {
  delete process.env.CI;
  if (process.env.NO_COLOR) process.env.FORCE_COLOR = '0';
}

/**
 * Imports the views (Ink, React) with React's production build unless NODE_ENV says otherwise:
 * React picks its build from NODE_ENV when it loads, and its development build (prop checks,
 * component stacks, fiber bookkeeping) cost the TUI about a third of its render time under a log
 * firehose. NODE_ENV is put back afterwards so that processes the TUI starts do not inherit it.
 */
export async function importViews(): Promise<typeof RunTuiModule> {
  const previous = process.env.NODE_ENV;
  if (previous === undefined) process.env.NODE_ENV = 'production';
  try {
    return await import('../views/run-tui.js');
  } finally {
    if (previous === undefined) delete process.env.NODE_ENV;
  }
}

/** Ctrl-C as it arrives in raw mode: the TTY no longer turns it into a SIGINT. */
const CTRL_C = '\u0003';

/**
 * Keys typed before the first frame (reaching the daemon, loading Ink) are dropped, as lazygit
 * drops them: with the TTY still in line mode they were echoed onto the screen, then replayed to
 * the first frame as if typed there. Raw mode stops the echo; Ctrl-C still quits (SIGINT, which
 * the alternate screen sees to). `stop` hands the terminal, still raw, to Ink.
 */
export function dropEarlyKeys(stdin: NodeJS.ReadStream): { stop(): void } {
  if (!stdin.isTTY) return { stop() {} };
  const onData = (data: Buffer) => {
    if (data.toString('utf8').includes(CTRL_C)) process.kill(process.pid, 'SIGINT');
  };
  stdin.setRawMode(true);
  stdin.on('data', onData);
  let stopped = false;
  return {
    stop() {
      if (stopped) return;
      stopped = true;
      // Still flowing, with no listener: what comes before Ink listens is dropped too. (Pausing it
      // here left Ink's own listener deaf.)
      stdin.off('data', onData);
    },
  };
}

// A tmux server of the test's own (`-L`), so tests never touch the user's sessions.
import { execFileSync } from 'node:child_process';
import { AXUM_BIN, waitFor } from './axum.js';

/** True when tmux is installed (the README's first line installs it). */
export const HAS_TMUX = (() => {
  try {
    execFileSync('tmux', ['-V']);
    return true;
  } catch {
    return false;
  }
})();

/** One tmux session read and typed into as a person does: its screen, its keys, a wait for what it shows. */
export interface Terminal {
  screen(): string;
  /** The screen's rows, without the blank ones below the last. */
  rows(): string[];
  /** The screen read as one line: each run of blanks one space. */
  flat(): string;
  keys(...keys: string[]): Promise<void>;
  /** Waits until `check` holds for the screen; the error names the session and shows the screen. */
  until(check: (screen: string) => boolean, what: string, ms?: number): Promise<void>;
}

/** How a session opens: its size, and environment variables (`NO_COLOR=1`). */
export interface TerminalSize {
  columns: number;
  rows: number;
  env?: readonly string[];
}

/** Runs tmux commands against a private server; `kill()` ends it and every session in it. */
export function tmuxServer(name: string) {
  const socket = `${name}-${process.pid}`;
  const tmux = (...args: string[]): string => {
    for (let attempt = 1; ; attempt++) {
      try {
        return execFileSync('tmux', ['-L', socket, ...args], { encoding: 'utf8', stdio: 'pipe' });
      } catch (err) {
        // A client that reaches the server on its way out (its last session just ended, or
        // `kill-server` just ran: the next test's `new-session`) is dropped and did nothing; asked
        // again, it finds no server and starts one (25 of 200 in a loop of kill-server, new-session).
        if (attempt >= 5 || !String((err as { stderr?: unknown }).stderr).includes('server exited unexpectedly')) throw err;
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50 * attempt);
      }
    }
  };
  const screen = (session: string) => tmux('capture-pane', '-p', '-t', session);
  /** The session `session`, opened already; `waitMs`: how long `until` waits unless told. */
  const terminal = (session: string, waitMs = 15_000): Terminal => ({
    screen: () => screen(session),
    rows: () => screen(session).trimEnd().split('\n'),
    flat: () => screen(session).replace(/\s+/g, ' '),
    // One key per write, as a person types: Ink reads a burst of keys as one input.
    keys: async (...keys: string[]) => {
      for (const key of keys) {
        tmux('send-keys', '-t', session, key);
        await new Promise((r) => setTimeout(r, 150));
      }
    },
    until: async (check, what, ms = waitMs) => {
      await waitFor(() => check(screen(session)), ms, what).catch((err: Error) => {
        throw new Error(`${err.message} (${session})\n${screen(session)}`);
      });
    },
  });
  return {
    tmux,
    screen,
    terminal,
    /**
     * Starts the server with global options (`['set-clipboard', 'on']`) before any session. With
     * exit-empty off: a server started with no session exits at once by default, which dropped the
     * options and made the next `new-session` race its exit ("server exited unexpectedly").
     */
    start: (...options: (readonly [string, string])[]) => {
      tmux('-f', '/dev/null', 'start-server', ';', 'set-option', '-g', 'exit-empty', 'off', ...options.flatMap(([option, value]) => [';', 'set-option', '-g', option, value]));
    },
    /**
     * Opens `axum --repo dir` (the TUI) in a new session of its own size; the session stays open
     * `keepSeconds` after it exits, so that what it said last can be read.
     */
    openTui: (session: string, dir: string, size: TerminalSize, keepSeconds = 60): Terminal => {
      tmux('new-session', '-d', '-s', session, '-x', String(size.columns), '-y', String(size.rows), ...(size.env ?? []).flatMap((e) => ['-e', e]), `${process.execPath} ${AXUM_BIN} --repo ${dir}; sleep ${keepSeconds}`);
      return terminal(session);
    },
    kill: () => {
      try {
        tmux('kill-server');
      } catch {
        // already gone
      }
    },
  };
}

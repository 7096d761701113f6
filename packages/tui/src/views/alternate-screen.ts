// The full-screen TUI draws on the terminal's alternate screen, as k9s and lazygit do: the shell's
// screen and scrollback stay as they were, and come back when the TUI ends, however it ends.

// The cursor keeps its row when the screen switches: home it, or Ink's first frame starts below
// whatever the shell had printed.
const ENTER = '\u001b[?1049h\u001b[H';
// Leaving also shows the cursor: Ink hides it while it draws, and a process that dies mid-frame
// would otherwise leave the shell without one.
const LEAVE = '\u001b[?1049l\u001b[?25h';

/** The signals that end the TUI from outside. */
const SIGNALS = ['SIGTERM', 'SIGHUP', 'SIGINT'] as const;

/** What `enterAlternateScreen` returns: leave it, and see to the signals once the app is drawn. */
export interface AlternateScreen {
  /** Switches back to the shell's screen; later calls do nothing. */
  leave(): void;
  /**
   * On SIGTERM, SIGHUP or SIGINT: `stop` the app (its last frame goes to the alternate screen),
   * leave, then die of the signal as before, unless someone else (`axum demo`'s cleanup) listened
   * for it before the TUI started. Call it after Ink's render: Ink's own signal listener, which
   * otherwise re-sends the signal before this one runs, then sees another listener and stays out.
   */
  onSignals(stop: () => void): void;
}

/**
 * Switches `stdout` to the alternate screen. Until `leave`, leaving also happens on an uncaught
 * error (before Node prints it, so it lands on the shell's screen) and on any exit.
 */
export function enterAlternateScreen(stdout: NodeJS.WriteStream): AlternateScreen {
  let inside = true;
  const owned = SIGNALS.filter((signal) => process.listenerCount(signal) === 0);
  const handlers: [NodeJS.Signals, () => void][] = [];
  const leave = () => {
    if (!inside) return;
    inside = false;
    stdout.write(LEAVE);
    process.off('exit', leave);
    process.off('uncaughtExceptionMonitor', leave);
    for (const [signal, handler] of handlers) process.off(signal, handler);
  };
  stdout.write(ENTER);
  process.on('exit', leave);
  process.on('uncaughtExceptionMonitor', leave);
  return {
    leave,
    onSignals(stop) {
      for (const signal of SIGNALS) {
        const handler = () => {
          stop();
          leave();
          // Sent again with this handler gone: the default action (or Ink's cursor restore, then it).
          if (owned.includes(signal)) process.kill(process.pid, signal);
        };
        handlers.push([signal, handler]);
        process.on(signal, handler);
      }
    },
  };
}

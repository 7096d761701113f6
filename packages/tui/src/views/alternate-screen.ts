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
   * for it before the TUI started. The signals are seen to from `enterAlternateScreen` on; before
   * this is called (the daemon being reached, Ink loading) a signal only leaves the screen.
   */
  onSignals(stop: () => void): void;
}

/**
 * Switches `stdout` to the alternate screen. Until `leave`, leaving also happens on an uncaught
 * error (before Node prints it, so it lands on the shell's screen), on any exit, and on SIGTERM,
 * SIGHUP or SIGINT from the first moment: a signal while the daemon is reached or Ink loads (no raw
 * mode yet, so Ctrl-C is a SIGINT) would otherwise kill the process with no 'exit' event, leaving the
 * shell on the alternate screen. `onSignals` only names how to stop the app once it is drawn.
 */
export function enterAlternateScreen(stdout: NodeJS.WriteStream): AlternateScreen {
  let inside = true;
  let stopApp = () => {};
  const owned = SIGNALS.filter((signal) => process.listenerCount(signal) === 0);
  const handlers: [NodeJS.Signals, () => void][] = SIGNALS.map((signal) => [
    signal,
    () => {
      stopApp();
      leave();
      // Sent again with this handler gone: the default action (or Ink's cursor restore, then it).
      if (owned.includes(signal)) process.kill(process.pid, signal);
    },
  ]);
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
  for (const [signal, handler] of handlers) process.on(signal, handler);
  return {
    leave,
    onSignals(stop) {
      stopApp = stop;
    },
  };
}

import { render } from 'ink';
import type { DaemonConnection } from '../client/daemon-connection.js';
import { App } from './App.js';
import { enterAlternateScreen, type AlternateScreen } from './alternate-screen.js';

/** Lines to show in the footer as they come (`axum demo` narrates its story into the TUI). */
export interface Narration {
  subscribe(listener: (line: string) => void): () => void;
}

/** Renders the app and resolves when the user quits. */
/** `started`: what to say first when this command started the daemon (`started the daemon for … (pid N)`). */
export async function runTui(repoRoot: string, connection: DaemonConnection, narration?: Narration, entered?: AlternateScreen, started?: string): Promise<void> {
  // Log frames are paced by the run view itself (log-frames.ts); Ink's own throttle (30 fps by
  // default) only delays what is left, the frame of a key press, by up to 1000/maxFps ms.
  // incrementalRendering writes only the lines that changed (a running run's clock is one line a
  // second, not the whole screen); Ink 6.8.0 misplaced its cursor by a row after a frame ending
  // with a newline, which patches/ink@6.8.0.patch corrects.
  const screen = entered ?? enterAlternateScreen(process.stdout);
  // What was drawn before Ink (tui.ts's first frame) goes: Ink draws from the top of a clear screen
  // (home, erase below: one erase, not the screen clear Ink does when a frame reaches the height).
  if (entered) process.stdout.write('\u001b[H\u001b[J');
  try {
    const instance = render(<App repoRoot={repoRoot} connection={connection} narration={narration} started={started} />, { exitOnCtrlC: false, maxFps: 60, incrementalRendering: true });
    screen.onSignals(() => instance.unmount());
    await instance.waitUntilExit();
  } finally {
    // After Ink's last frame: it went to the alternate screen, and the shell's screen comes back whole.
    screen.leave();
  }
}

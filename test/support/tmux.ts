// A tmux server of the test's own (`-L`), so tests never touch the user's sessions.
import { execFileSync } from 'node:child_process';

/** True when tmux is installed (the README's first line installs it). */
export const HAS_TMUX = (() => {
  try {
    execFileSync('tmux', ['-V']);
    return true;
  } catch {
    return false;
  }
})();

/** Runs tmux commands against a private server; `kill()` ends it and every session in it. */
export function tmuxServer(name: string) {
  const socket = `${name}-${process.pid}`;
  const tmux = (...args: string[]) => execFileSync('tmux', ['-L', socket, ...args], { encoding: 'utf8' });
  return {
    tmux,
    screen: (session: string) => tmux('capture-pane', '-p', '-t', session),
    kill: () => {
      try {
        tmux('kill-server');
      } catch {
        // already gone
      }
    },
  };
}

// The real Ink app in a real terminal: tmux on its own server socket, send-keys and capture-pane.
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AXUM_BIN, axum, cleanupRepo, makeRepo, waitFor } from './support/axum.js';

const SERVER = `axum-e2e-${process.pid}`;
const tmux = (...args: string[]) => execFileSync('tmux', ['-L', SERVER, ...args], { encoding: 'utf8' });
const screen = () => tmux('capture-pane', '-p', '-t', 'tui');
const hasTmux = (() => {
  try {
    execFileSync('tmux', ['-V']);
    return true;
  } catch {
    return false;
  }
})();

describe.runIf(hasTmux)('the terminal UI in tmux', () => {
  let dir: string;
  beforeAll(() => {
    dir = makeRepo();
  });
  afterAll(async () => {
    try {
      tmux('kill-server');
    } catch {
      // already gone
    }
    await cleanupRepo(dir);
  });

  it('starts the daemon, shows it and the environments, opens help, follows another client, and quits on q', async () => {
    // CI=true must not silence Ink: the TUI drops that belief itself.
    tmux('new-session', '-d', '-s', 'tui', '-x', '100', '-y', '24', '-e', 'CI=true', `${process.execPath} ${AXUM_BIN} --repo ${dir}; echo "EXIT=$?"; sleep 30`);
    await waitFor(() => screen().includes('● connected'), 20_000, 'the TUI to connect');
    // The launcher's probe connection may still be closing for a moment: wait for the count to settle.
    await waitFor(() => /daemon pid \d+ · v0\.1\.0 · 1 client attached/.test(screen()), 10_000, 'one client attached');
    const first = screen();
    expect(first).toContain(`axum · ${dir}`);
    expect(first).toMatch(/production\s+main\s+—\s+—\s+—\s+—\s+protected, manual approval/);
    expect(first).toContain('? show or hide this help');

    tmux('send-keys', '-t', 'tui', '?');
    await waitFor(() => screen().includes('Keys'), 10_000, 'the help overlay');
    expect(screen()).toContain('q       quit (the daemon keeps running)');
    tmux('send-keys', '-t', 'tui', 'Escape');
    await waitFor(() => !screen().includes('Esc or ? closes this help'), 10_000, 'the help overlay to close');

    // Another terminal attaches: the count updates at once.
    const other = await axum(['status', '--repo', dir]);
    expect(other.code).toBe(0);
    await waitFor(() => /[12] clients? attached/.test(screen()), 10_000, 'the client count to move');

    tmux('send-keys', '-t', 'tui', 'q');
    await waitFor(() => screen().includes('EXIT=0'), 10_000, 'the TUI to exit 0');
    // Quitting the TUI leaves the daemon running.
    expect((await axum(['daemon', 'status', '--repo', dir])).code).toBe(0);
  });

  it('prints plain lines when stdout is not a TTY', async () => {
    const result = await axum(['--repo', dir]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^daemon {7}pid \d+/);
    expect(result.stdout).not.toContain('\u001b[');
  });
});

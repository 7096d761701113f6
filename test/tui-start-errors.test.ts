// What fails before the terminal UI is up (the daemon cannot start) is said in one line, and the
// command ends: the TUI's early-key listener must not keep the process alive (tmux, a real terminal).
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { HAS_TMUX, tmuxServer } from './support/tmux.js';
import { AXUM_BIN, axum, makeRepo, waitFor } from './support/axum.js';

const server = tmuxServer('axum-start-errors');
const dirs: string[] = [];
afterAll(() => {
  server.kill();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** A repository whose daemon cannot start: a file named .axum where its folder goes. */
function blocked(): string {
  const dir = makeRepo();
  dirs.push(dir);
  writeFileSync(join(dir, '.axum'), 'not a folder');
  return dir;
}

describe('a daemon that cannot start', () => {
  it('a command says why in one line, exit 3, no stack', async () => {
    const result = await axum(['status', '--repo', blocked()]);
    expect(result).toEqual({ code: 3, stdout: '', stderr: 'axum: cannot start the daemon: .axum is a file, not a folder: move it away and the daemon makes its folder\n' });
  });

  it.skipIf(!HAS_TMUX)('the TUI on a terminal leaves the screen, says it, and ends (it does not hang on its stdin)', async () => {
    const dir = blocked();
    server.tmux('new-session', '-d', '-s', 'tui', '-x', '80', '-y', '24', `${process.execPath} ${AXUM_BIN} --repo ${dir}; echo "EXIT=$?"; sleep 60`);
    await waitFor(() => server.screen('tui').includes('EXIT='), 20_000, 'the TUI to end').catch((err: Error) => {
      throw new Error(`${err.message}\n${server.screen('tui')}`);
    });
    const screen = server.screen('tui');
    expect(screen).toContain('axum: cannot start the daemon: .axum is a file, not a folder');
    expect(screen).toContain('EXIT=3');
    expect(screen).not.toContain('    at ');
  });
});

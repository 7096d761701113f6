// The TUI under a log firehose and in a tiny terminal: the real Ink app in tmux, raw output recorded.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HAS_TMUX, tmuxServer } from './support/tmux.js';
import { AXUM_BIN, axum, cleanupRepo, makeRepo, waitFor } from './support/axum.js';

const server = tmuxServer('axum-firehose');
const { tmux } = server;

// Five bursts of 10,000 lines, one a second.
const FIREHOSE = 'for b in 1 2 3 4 5; do seq $((b*10000-9999)) $((b*10000)) | sed "s/^/line /"; sleep 1; done';

describe.runIf(HAS_TMUX)('the TUI under a firehose and in a tiny terminal', () => {
  let dir: string;
  beforeAll(async () => {
    dir = makeRepo({
      config: `version: 1\nenvironments:\n  dev: { branch: develop }\nstages:\n  - name: test\n    steps:\n      - { name: firehose, run: ${JSON.stringify(FIREHOSE)} }\n`,
    });
    expect((await axum(['daemon', 'start', '--repo', dir])).code).toBe(0);
  });
  afterAll(async () => {
    server.kill();
    await cleanupRepo(dir);
  });

  it('follows 10,000 lines a second without clearing the screen, keeps keys working, and keeps a bounded buffer', async () => {
    const raw = join(dir, '..', 'raw-output');
    writeFileSync(raw, '');
    tmux('new-session', '-d', '-s', 'hose', '-x', '120', '-y', '40', `${process.execPath} ${AXUM_BIN} --repo ${dir}; sleep 30`);
    tmux('pipe-pane', '-o', '-t', 'hose', `cat >> ${raw}`);
    const screen = () => tmux('capture-pane', '-p', '-t', 'hose');
    await waitFor(() => screen().includes('● connected'), 20_000, 'the TUI');
    const queued = JSON.parse((await axum(['run', '--json', '--repo', dir])).stdout) as { id: string };
    await waitFor(() => screen().includes(queued.id), 10_000, 'the run to show');
    for (const key of ['Tab', 'Enter']) {
      tmux('send-keys', '-t', 'hose', key);
      await new Promise((r) => setTimeout(r, 150));
    }
    await waitFor(() => /line \d+/.test(screen()), 20_000, 'log lines to stream in');
    // While lines pour in, a key still gets through: Esc back to the dashboard and Enter again.
    tmux('send-keys', '-t', 'hose', '?');
    await waitFor(() => screen().includes('Keys (run)'), 10_000, 'the help overlay under load');
    tmux('send-keys', '-t', 'hose', 'Escape');
    await waitFor(() => screen().includes('line 50000') && screen().includes('succeeded'), 60_000, 'the tail of the log after the run');
    expect(screen()).toContain('of 10000 (+40000 older) · following');
    tmux('send-keys', '-t', 'hose', 'g');
    await waitFor(() => screen().includes('line 40001'), 10_000, 'the top of the buffer');
    // Ink clears the whole screen when a frame reaches the terminal's height: never, here.
    const output = readFileSync(raw, 'latin1');
    expect(output.length).toBeGreaterThan(1000);
    expect(output.split('\u001b[2J').length - 1).toBe(0);
    tmux('send-keys', '-t', 'hose', 'q');
  });

  it('says what it needs in a 40×10 terminal, and recovers when it grows', async () => {
    tmux('new-session', '-d', '-s', 'tiny', '-x', '40', '-y', '10', `${process.execPath} ${AXUM_BIN} --repo ${dir}; sleep 30`);
    const screen = () => tmux('capture-pane', '-p', '-t', 'tiny');
    await waitFor(() => screen().includes('it needs at least 60×16'), 20_000, 'the too-small message');
    tmux('resize-window', '-t', 'tiny', '-x', '100', '-y', '30');
    await waitFor(() => screen().includes('● connected'), 10_000, 'the dashboard after the resize');
    tmux('send-keys', '-t', 'tiny', 'q');
  });
});

// The TUI under a log firehose, in a tiny terminal, and while only a clock moves: the real Ink app
// in tmux, raw output recorded (pipe-pane).
import { readFileSync, statSync, writeFileSync } from 'node:fs';
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
    await waitFor(() => screen().includes('Keys (run run-'), 10_000, 'the help overlay under load');
    tmux('send-keys', '-t', 'hose', 'Escape');
    await waitFor(() => screen().includes('line 50000') && screen().includes('succeeded'), 60_000, 'the tail of the log after the run');
    // The step is done: its log grows no more, so the title says no `following`.
    expect(screen()).toMatch(/of 50000 *$/m);
    // g: line 1 of the whole log, read back from the daemon (the TUI keeps the newest 10,000).
    tmux('send-keys', '-t', 'hose', 'g');
    await waitFor(() => screen().split('\n').includes('line 1'), 10_000, 'the first line of the log');
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

// 30,000 numbered lines, then a few more slowly: more than the TUI keeps, from a step still running.
const NUMBERED = "seq -f 'line %05g' 1 30000; for i in $(seq 1 20); do sleep 1; echo more $i; done";

describe.runIf(HAS_TMUX)('the TUI log above the 10,000 lines it keeps', () => {
  let dir: string;
  beforeAll(async () => {
    dir = makeRepo({
      config: `version: 1\nenvironments:\n  dev: { branch: develop }\nstages:\n  - name: test\n    steps:\n      - { name: numbered, run: ${JSON.stringify(NUMBERED)} }\n`,
    });
    expect((await axum(['daemon', 'start', '--repo', dir])).code).toBe(0);
  });
  afterAll(async () => {
    server.kill();
    await cleanupRepo(dir);
  });

  it('g shows line 1, PgDn moves a page of the rows on screen, and new lines are counted until G', async () => {
    tmux('new-session', '-d', '-s', 'paged', '-x', '100', '-y', '30', `${process.execPath} ${AXUM_BIN} --repo ${dir}; sleep 30`);
    const screen = () => tmux('capture-pane', '-p', '-t', 'paged');
    const rows = () => screen().split('\n');
    const keys = async (...names: string[]) => {
      for (const key of names) {
        tmux('send-keys', '-t', 'paged', key);
        await new Promise((r) => setTimeout(r, 150));
      }
    };
    await waitFor(() => screen().includes('● connected'), 20_000, 'the TUI');
    const queued = JSON.parse((await axum(['run', '--json', '--repo', dir])).stdout) as { id: string };
    await waitFor(() => screen().includes(queued.id), 10_000, 'the run to show');
    await keys('Tab', 'Enter');
    await waitFor(() => screen().includes('line 30000'), 30_000, 'the 30,000th line');
    await keys('g');
    await waitFor(() => rows().includes('line 00001'), 10_000, 'line 1 of the log').catch((err: Error) => {
      throw new Error(`${err.message}\n${screen()}`);
    });
    expect(screen()).toMatch(/── numbered · lines 1-(\d+) of 300\d\d/);
    const shown = Number(/lines 1-(\d+) of/.exec(screen())?.[1]);
    // 30 rows: header 3, run line, 1 step, margins and footer: the log rows are what a page is (less one kept).
    expect(shown).toBe(30 - 1 - 10);
    await keys('PageDown');
    await waitFor(() => screen().includes(`lines ${shown}-`), 10_000, 'a page down');
    expect(rows()).toContain(`line ${String(shown).padStart(5, '0')}`);
    // Three presses in one write (a fast typist, a held key): three lines, not one.
    tmux('send-keys', '-t', 'paged', 'jjj');
    await waitFor(() => screen().includes(`lines ${shown + 3}-`), 10_000, 'three lines down');
    await waitFor(() => / \d+ new lines? \(G to follow\)/.test(screen()), 20_000, 'the count of new lines');
    await keys('G');
    await waitFor(() => screen().includes('· following') && /^more \d+$/m.test(screen()), 10_000, 'the tail again');
    await keys('q');
  });
});

// What the TUI writes while nothing but a running run's clock moves, measured per tick of the clock on screen.
describe.runIf(HAS_TMUX)('the TUI while a run is in progress', () => {
  let dir: string;
  beforeAll(async () => {
    dir = makeRepo({
      config: `version: 1\nenvironments:\n  dev: { branch: develop }\nstages:\n  - name: test\n    steps:\n      - { name: slow, run: "sleep 300" }\n`,
    });
    expect((await axum(['daemon', 'start', '--repo', dir])).code).toBe(0);
  });
  afterAll(async () => {
    server.kill();
    await cleanupRepo(dir);
  });

  it('rewrites only the line of the ticking time, not the whole screen', async () => {
    const raw = join(dir, '..', 'raw-output');
    writeFileSync(raw, '');
    tmux('new-session', '-d', '-s', 'tick', '-x', '120', '-y', '40', `${process.execPath} ${AXUM_BIN} --repo ${dir}; sleep 30`);
    tmux('pipe-pane', '-o', '-t', 'tick', `cat >> ${raw}`);
    const screen = () => tmux('capture-pane', '-p', '-t', 'tick');
    await waitFor(() => screen().includes('● connected'), 20_000, 'the TUI');
    const queued = JSON.parse((await axum(['run', '--json', '--repo', dir])).stdout) as { id: string };
    // The run's row: `run-1   ▶ 1/1 serve …  12s  …`; its time is the only thing that moves now.
    const row = new RegExp(`${queued.id}\\s+▶ 1/1.*?\\s(\\d+)s\\s`);
    const seconds = () => Number(row.exec(screen())?.[1] ?? -1);
    await waitFor(() => seconds() >= 1, 20_000, 'the run to be running, its time shown').catch((err: Error) => {
      throw new Error(`${err.message}\n${screen()}`);
    });
    const from = statSync(raw).size;
    const first = seconds();
    await waitFor(() => seconds() >= first + 4, 20_000, 'four ticks of the clock');
    const last = seconds();
    const written = readFileSync(raw).subarray(from).toString('utf8');
    const ticks = last - first;
    // The ticks reached the terminal: the time on screen came from these bytes.
    expect(written).toContain(`${last}s`);
    // No line that did not change was written again: the header, the environments, the headings.
    expect(written).not.toContain(`axum · ${dir}`);
    expect(written).not.toContain('● connected');
    expect(written).not.toMatch(/RUN\s+STATUS/);
    expect(written).not.toMatch(/dev\s+develop/);
    // No erased lines either (a full repaint erases every line of the frame before writing it).
    expect(written).not.toContain('\u001b[2K');
    // One short line per tick, not a frame of 40 rows (a repaint of this screen is over 1,000 bytes).
    expect(written.length / ticks).toBeLessThan(300);
    tmux('send-keys', '-t', 'tick', 'q');
  });
});

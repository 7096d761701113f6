// What a newcomer met trying `axum` from a fresh clone, in tmux at 80×24 (with NO_COLOR too): a
// first frame that said nothing of the daemon starting, a client count kept while disconnected,
// rows left empty under a cut list, `r` offered where pressing it is refused, and Esc lost when the
// next key came with it in one write.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { HAS_TMUX, tmuxServer } from './support/tmux.js';
import { AXUM_BIN, axum, daemonPid, scratchRepos, waitForRun } from './support/axum.js';

const server = tmuxServer('axum-newcomer');
const repos = scratchRepos(afterEach);
afterEach(() => server.kill());

const CONFIG = `version: 1
environments:
  staging: { branch: main }
  production: { branch: release }
stages:
  - name: test
    steps:
      - { name: unit, run: "true" }
`;

/** The environment a process was started with, as `NAME=value` lines. */
const environOf = (pid: number) => readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');

describe.runIf(HAS_TMUX)('the TUI as a newcomer first meets it', () => {
  it('says the daemon is starting while it starts; disconnected, it shows no client count', async () => {
    const dir = repos({ config: CONFIG });
    // No daemon runs: `axum` starts it, and says so before the first real frame. NODE_ENV unset, as
    // in a person's shell: the TUI sets it for React while Ink loads, beside the daemon's start.
    server.tmux('new-session', '-d', '-s', 'fresh', '-x', '80', '-y', '24', `env -u NODE_ENV NO_COLOR=1 ${process.execPath} ${AXUM_BIN} --repo ${dir}; sleep 60`);
    const t = server.terminal('fresh');
    await t.until((s) => s.includes('● starting the daemon…'), 'the first frame to say the daemon is starting', 30_000);
    await t.until((s) => s.includes('● connected') && s.includes('1 client'), 'the TUI to connect', 30_000);
    // Ink was loaded beside the daemon's start: the daemon got the shell's environment, not Ink's settings.
    const pid = daemonPid(dir)!;
    expect(environOf(pid)).toContain('NO_COLOR=1');
    expect(environOf(pid).filter((e) => /^(NODE_ENV|FORCE_COLOR)=/.test(e))).toEqual([]);

    expect((await axum(['daemon', 'stop', '--yes', '--repo', dir])).code).toBe(0);
    await t.until((s) => s.includes('STALE since'), 'the TUI to say it is disconnected');
    // The count came from the last state: while disconnected there is none to show.
    expect(t.screen()).not.toMatch(/\d+ clients?/);
    expect((await axum(['daemon', 'start', '--repo', dir])).code).toBe(0);
    await t.until((s) => s.includes('● connected') && s.includes('1 client'), 'the TUI to come back, with its count');
  }, 120_000);

  it('fills the rows under a cut list, offers r only where it can roll back, and reads Esc Tab typed at once', async () => {
    const dir = repos({ config: CONFIG });
    const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, stdio: 'ignore' });
    git('branch', 'release');
    expect((await axum(['daemon', 'start', '--repo', dir])).code).toBe(0);
    // production: one revision, nothing to roll back to. staging: two, and more runs than 80×24 shows.
    expect((await axum(['run', '--wait', '--branch', 'release', '--repo', dir], { timeoutMs: 60_000 })).code).toBe(0);
    expect((await axum(['run', '--wait', '--repo', dir], { timeoutMs: 60_000 })).code).toBe(0);
    for (let i = 1; i <= 30; i++) git('commit', '-q', '--allow-empty', '-m', `commit ${i}`);
    const head = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: dir, encoding: 'utf8' }).trim();
    await waitForRun(dir, (r) => r.commit === head && r.status === 'succeeded', 'the last commit to deploy', 60_000);
    // The commits the watcher passed over are superseded runs, folded into a few rows: runs of the
    // head, one after another, are rows of their own.
    for (let i = 0; i < 14; i++) expect((await axum(['run', '--wait', '--again', '--repo', dir], { timeoutMs: 60_000 })).code).toBe(0);

    const t = server.openTui('lists', dir, { columns: 80, rows: 24 });
    await t.until((s) => s.includes('● connected') && /↓ \d+ more/.test(s), 'the dashboard with its runs cut');
    // Every row but the terminal's last: the runs' `↓ N more`, the footer's blank row, its keys.
    const quiet = t.rows();
    expect(quiet).toHaveLength(23);
    expect(quiet[20]).toMatch(/^↓ \d+ more \(j\/k, PgUp\/PgDn; axum runs\)$/);
    expect(quiet[21]).toBe('');
    // staging (selected) has a revision to go back to: r is offered.
    expect(quiet[22]).toContain('r roll back');

    // A notice takes a row the list gives up: the frame keeps its height.
    await t.keys('x');
    await t.until((s) => s.includes('x: Tab to the runs first'), 'the notice');
    const noticed = t.rows();
    expect(noticed).toHaveLength(23);
    expect(noticed[19]).toMatch(/^↓ \d+ more/);
    expect(noticed.slice(20, 22)).toEqual(['', 'x: Tab to the runs first']);

    // production has one revision: r is not offered, and pressing it says why (unit tests: ? too).
    await t.keys('j');
    await t.until((s) => /›\s*production/.test(s), 'production selected');
    expect(t.rows().at(-1)).not.toContain('r roll back');
    await t.keys('r');
    await t.until((s) => s.includes('refused: production serves its only last known good'), 'the refusal');

    // Esc and Tab in one write (as a fast hand types them): back from the history, then the runs focused.
    await t.keys('k', 'Enter');
    await t.until((s) => s.includes('staging ← main'), 'the history of staging');
    server.tmux('send-keys', '-t', 'lists', 'Escape', 'Tab');
    await t.until((s) => !s.includes('staging ← main') && /^› run-\d+/m.test(s), 'the dashboard, the runs focused');
  }, 240_000);
});

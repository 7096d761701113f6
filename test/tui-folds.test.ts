// After a merge, at 80×24 in tmux with a real daemon: the runs the merge's head passed over fold into
// one row of the dashboard, and Esc pressed twice quickly (one read) goes back twice.
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HAS_TMUX, tmuxServer } from './support/tmux.js';
import { cleanupRepo, commitFiles, makeRepo, startDaemon, waitForRun } from './support/axum.js';

const server = tmuxServer('axum-folds');
const SESSION = 'folds';

describe.runIf(HAS_TMUX)('the dashboard after a merge, at 80×24', () => {
  let dir: string;
  const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, stdio: 'ignore' });

  beforeAll(async () => {
    dir = makeRepo({
      config: `version: 1
environments:
  dev: { branch: main }
stages:
  - name: build
    steps:
      - { name: train, run: "echo trained" }
`,
    });
    await startDaemon(dir);
    commitFiles(dir, 'first model', { 'data.txt': '0\n' });
    await waitForRun(dir, (r) => r.status === 'succeeded', 'the first run');
    // A merge: five commits land on main at once; the head's run tests them all, the four it
    // passed over are listed as superseded runs.
    git('checkout', '-q', '-b', 'feature');
    for (let i = 1; i <= 5; i++) commitFiles(dir, `feature ${i}`, { 'data.txt': `${i}\n` });
    git('checkout', '-q', 'main');
    git('merge', '-q', '--ff-only', 'feature');
    await waitForRun(dir, (r) => r.status === 'succeeded' && r.number > 1, 'the merge head run');
    server.openTui(SESSION, dir, { columns: 80, rows: 24 });
    await server.terminal(SESSION).until((s) => s.includes('● connected'), 'the TUI to connect', 20_000);
  }, 120_000);
  afterAll(async () => {
    server.kill();
    await cleanupRepo(dir);
  });

  it('folds the superseded runs into one row, which j selects and Enter shows again', async () => {
    const t = server.terminal(SESSION);
    const fold = /… 4 superseded runs of main \(run-\d+\.\.run-\d+\)/;
    await t.until((s) => fold.test(s), 'the fold');
    expect(t.screen()).not.toMatch(/run-\d+\s+superseded/);
    await t.keys('Tab', 'j');
    await t.until((s) => /\n› … 4 superseded runs of main \(run-\d+\.\.run-\d+\) · Enter shows them/.test(s), 'the fold selected');
    await t.keys('Enter');
    await t.until((s) => (s.match(/run-\d+\s+superseded/g) ?? []).length === 4, 'the superseded runs, a row each');
    expect(t.screen()).not.toMatch(fold);
    expect(t.screen()).toMatch(/\n› run-\d+\s+superseded/);
    expect(t.rows().length).toBeLessThan(24);
  });

  it('Esc Esc in one write leaves the log search and the run view: back on the dashboard', async () => {
    const t = server.terminal(SESSION);
    await t.keys('g', 'Enter');
    await t.until((s) => !s.includes('Tab focus') && s.includes('train'), 'the run view');
    await t.keys('/');
    await t.until((s) => s.includes('(Enter to search, Esc to cancel)'), 'the search prompt');
    // Both in one send-keys: the TUI reads them as one input, as a quick double press arrives.
    server.tmux('send-keys', '-t', SESSION, 'Escape', 'Escape');
    await t.until((s) => s.includes('Tab focus') && !s.includes('Enter to search'), 'the dashboard', 5_000);
  });
});

// The rough edges a keyboard user hits in the first hour, in a real terminal: tmux on its own
// server socket at 80×24 (with and without NO_COLOR) and 120×40, a real daemon with a history of
// runs, two environments, an incident, a release waiting for approval, a pin, a killed daemon.
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HAS_TMUX, tmuxServer, type Terminal } from './support/tmux.js';
import { axum, cleanupRepo, commitFiles, isAlive, makeRepo, processesMatching, readDaemonJson, waitFor } from './support/axum.js';

const server = tmuxServer('axum-rough');
const { tmux, terminal } = server;
const SIZES = [
  { columns: 80, rows: 24, noColor: false, session: 'small' },
  { columns: 80, rows: 24, noColor: true, session: 'plain' },
  { columns: 120, rows: 40, noColor: false, session: 'large' },
] as const;
// A step that sleeps on the `slow` branch only: the run the daemon is killed under.
const SLOW = `rough-slow-${process.pid}`;


/** The frame fits the window: below its height (Ink redraws the whole screen at it), no row wider than it. */
function expectFits(t: Terminal, size: { columns: number; rows: number }) {
  const shown = t.rows();
  expect(shown.length).toBeLessThan(size.rows);
  expect(shown.every((row) => row.length <= size.columns)).toBe(true);
}

const flat = (text: string) => text.replace(/\s+/g, ' ');

describe.runIf(HAS_TMUX)('the first hour at the keyboard', () => {
  let dir: string;
  const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, stdio: 'ignore' });
  const runWait = async (...args: string[]) => expect((await axum(['run', '--wait', ...args, '--repo', dir], { timeoutMs: 60_000 })).code).toBe(0);

  beforeAll(async () => {
    dir = makeRepo({
      config: `version: 1
environments:
  staging: { branch: main }
  production: { branch: release, approval: manual }
stages:
  - name: build
    steps:
      - { name: train, run: "if [ -f slow ]; then sleep 120; echo ${SLOW}; fi; mkdir -p model && cp data.txt model/w.txt && echo trained" }
artifacts: [model/**]
verify:
  steps:
    - { name: eval, run: "echo judging $(cat $AXUM_CURRENT/model/w.txt); test \\"$(cat $AXUM_CURRENT/model/w.txt)\\" != bad" }
rollback: { auto: true }
`,
    });
    commitFiles(dir, 'data 0', { 'data.txt': '0\n' });
    git('branch', 'release');
    expect((await axum(['daemon', 'start', '--repo', dir])).code).toBe(0);
    // A history longer than 80×24 shows: 18 revisions in staging.
    for (let i = 1; i <= 18; i++) {
      commitFiles(dir, `model ${i}`, { 'data.txt': `${i}\n` });
      await runWait();
    }
    expect((await axum(['promote', 'staging', 'production', '--yes', '--repo', dir], { timeoutMs: 60_000 })).code).toBe(0);
    commitFiles(dir, 'model 19', { 'data.txt': '19\n' });
    await runWait();
    // A release that fails its verify: rolled back, an incident with an output.
    commitFiles(dir, 'a bad model', { 'data.txt': 'bad\n' });
    await axum(['run', '--wait', '--repo', dir], { timeoutMs: 60_000 });
    await waitFor(async () => JSON.parse((await axum(['status', '--json', '--repo', dir])).stdout).environments.find((e: { name: string }) => e.name === 'staging')?.incident !== null, 30_000, 'the incident');
    // A release waiting for approval in production.
    git('checkout', '-q', 'release');
    commitFiles(dir, 'release 1', { 'data.txt': '0.5\n' });
    git('checkout', '-q', 'main');
    await runWait('--branch', 'release');
    for (const c of SIZES) server.openTui(c.session, dir, { ...c, env: c.noColor ? ['NO_COLOR=1'] : [] }, 120);
    for (const c of SIZES) await terminal(c.session).until((s) => s.includes('● connected') && s.includes('awaiting'), 'the TUI to connect', 30_000);
  }, 300_000);
  afterAll(async () => {
    server.kill();
    await cleanupRepo(dir);
  });

  it.each(SIZES)('$columns×$rows (NO_COLOR: $noColor): runs, history and releases say how many rows are above and below, within the window', async (size) => {
    const t = terminal(size.session);
    // The runs: the newest on top, the rest counted below; at the bottom, counted above.
    await t.keys('Tab');
    if (size.rows === 24) {
      await t.until((s) => /↓ \d+ more \(j\/k, PgUp\/PgDn; axum runs\)/.test(s), 'the runs below counted');
      await t.keys('G');
      await t.until((s) => /↑ \d+ more \(j\/k, PgUp\/PgDn; axum runs\)/.test(s), 'the runs above counted');
    }
    expectFits(t, size);
    // The history of staging: 21 revisions (the bad one's rollback too), more than 80×24 holds.
    await t.keys('Tab', 'Enter');
    await t.until((s) => s.includes('staging ← main'), 'the history');
    if (size.rows === 24) {
      await t.until((s) => /↓ \d+ more \(j\/k, PgUp\/PgDn; axum history staging\)/.test(s), 'the revisions below counted');
      expectFits(t, size);
      await t.keys('G');
      await t.until((s) => /↑ \d+ more \(j\/k, PgUp\/PgDn; axum history staging\)/.test(s) && /^› #1 /m.test(s), 'the revisions above counted');
      expectFits(t, size);
      // Every revision is either shown or counted.
      const shown = t.rows().filter((row) => /^[› ] #\d+ /.test(row)).length;
      const above = Number(/↑ (\d+) more/.exec(t.screen())?.[1]);
      expect(shown + above).toBe(JSON.parse((await axum(['history', 'staging', '--json', '--repo', dir])).stdout).length);
    } else {
      // At 120×40 the whole history fits: nothing to count.
      expect(t.screen()).not.toMatch(/\d+ more \(j\/k/);
    }
    // The releases: more than 80×24 holds.
    await t.keys('R');
    await t.until((s) => s.includes('newest first'), 'the releases');
    if (size.rows === 24) await t.until((s) => /↓ \d+ more \(j\/k, PgUp\/PgDn; axum releases\)/.test(s), 'the releases below counted');
    expectFits(t, size);
    // Its title is whole, never cut mid-word at 80 columns.
    expect(t.rows().find((row) => row.startsWith('releases · '))).not.toMatch(/…$/);
    // Esc goes back the way it came: the history, then the dashboard.
    await t.keys('Escape');
    await t.until((s) => s.includes('staging ← main'), 'back to the history');
    await t.keys('Escape');
    await t.until((s) => /^\s+ENV\s+(BRANCH|LIVE)/m.test(s), 'back to the dashboard');
  });

  it.each(SIZES)('$columns×$rows (NO_COLOR: $noColor): Esc from an incident goes back to where i was pressed; the help names the revision view', async (size) => {
    const t = terminal(size.session);
    await t.keys('g');
    await t.until((s) => /^› staging /m.test(s), 'staging selected');
    // The incident is read to its end, what the daemon did about it included (two rows at 80 columns).
    expect(flat(t.screen())).toMatch(/! staging: #\d+ failed verification \(axum logs staging#\d+ --step eval\); rolled back to #\d+/);
    expectFits(t, size);
    await t.keys('i');
    await t.until((s) => /judging bad/.test(s), "the incident's output");
    const revision = /(staging#\d+)/.exec(t.screen())?.[1];
    await t.keys('?');
    await t.until((s) => s.includes(`Keys (revision ${revision})`), 'the help named for the revision');
    expect(t.screen()).not.toContain('Keys (run)');
    await t.keys('Escape');
    await t.until((s) => s.includes('judging bad'), 'the help closed, the incident again');
    // Opened from the dashboard: Esc goes back there, not to the history of staging.
    await t.keys('Escape');
    await t.until((s) => /^\s+ENV\s+(BRANCH|LIVE)/m.test(s), 'back to the dashboard');
    expect(t.screen()).not.toContain('staging ← main');
    // Opened from the history: back to the history.
    await t.keys('Enter', 'i');
    await t.until((s) => s.includes('judging bad'), 'the incident from the history');
    await t.keys('Escape');
    await t.until((s) => s.includes('staging ← main'), 'back to the history');
    await t.keys('Escape');
    await t.until((s) => /^\s+ENV\s+(BRANCH|LIVE)/m.test(s), 'back to the dashboard');
  });

  it.each(SIZES)('$columns×$rows (NO_COLOR: $noColor): approve and promote show what changes; a promote into a pinned environment says the pin', async (size) => {
    const t = terminal(size.session);
    // Production waits for an approval of release 1: the dialog shows what it brings in.
    await t.keys('g', 'j', 'a');
    await t.until((s) => s.includes('type production and Enter'), 'the approve dialog');
    await t.until((s) => /code: brings in 1 commit: /.test(flat(s)) || /code: switches across/.test(flat(s)), "the approve's diff", 20_000);
    expect(flat(t.screen())).toMatch(/artifacts: model\/w\.txt/);
    expectFits(t, size);
    await t.keys('Escape');
    await t.until((s) => s.includes('cancelled: nothing changed'), 'the dialog cancelled');
    // Staging's live release promoted to production: the same diff, and no pin yet.
    await t.keys('g', 'P');
    await t.until((s) => s.includes('to production?'), 'the promote dialog');
    await t.until((s) => /code: (brings in|switches across)/.test(flat(s)), "the promote's diff", 20_000);
    expect(flat(t.screen())).not.toContain('production is pinned');
    expectFits(t, size);
    await t.keys('Escape');
    await t.until((s) => s.includes('cancelled: nothing changed'), 'the dialog cancelled');
  });

  it.each(SIZES)('$columns×$rows (NO_COLOR: $noColor): the dashboard says which release is live beside each revision, and no flag is cut', async (size) => {
    const t = terminal(size.session);
    await t.until((s) => /^\s+ENV\s+(BRANCH\s+)?LIVE\s+RELEASE\s/m.test(s), 'the RELEASE column');
    const live = JSON.parse((await axum(['status', '--json', '--repo', dir])).stdout).environments.find((e: { name: string }) => e.name === 'production').live as { revision: number; releaseId: string };
    const row = t.rows().find((r) => /^[› ] production /.test(r)) ?? '';
    expect(row).toMatch(new RegExp(`^[› ] production\\s+(release\\s+)?#${live.revision}\\s+${live.releaseId}\\s`));
    // Awaiting approval, protected, manual approval: at 80 columns in short forms, whole; at 120 in words.
    expect(row).not.toMatch(/…/);
    if (size.columns === 80) expect(row).toMatch(/ awaiting rel-\d+, prot, manual$/);
    else expect(row).toMatch(/ awaiting approval \(rel-\d+\), protected, manual approval$/);
    expectFits(t, size);
    // The help says what the short forms stand for.
    await t.keys('?');
    await t.until((s) => s.includes('Keys (dashboard)'), 'the help');
    expect(t.flat()).toContain('FLAGS, where narrow: prot = protected · manual = manual approval');
    await t.keys('Escape');
    await t.until((s) => /^\s+ENV\s+(BRANCH|LIVE)/m.test(s), 'back to the dashboard');
  });

  it('promoting into a pinned environment says so in the dialog, at 80×24 and 120×40', async () => {
    expect((await axum(['pin', 'production', '--repo', dir])).code).toBe(0);
    for (const size of SIZES) {
      const t = terminal(size.session);
      await t.until((s) => /production .*pinned/.test(s), 'production pinned');
      await t.keys('g', 'P');
      await t.until((s) => s.includes('to production?'), 'the promote dialog');
      await t.until((s) => flat(s).includes('production is pinned: the promote deploys all the same, and it stays pinned'), 'the pin said');
      await t.until((s) => /code: (brings in|switches across)/.test(flat(s)), "the promote's diff", 20_000);
      expectFits(t, size);
      await t.keys('Escape');
      await t.until((s) => s.includes('cancelled: nothing changed'), 'the dialog cancelled');
    }
    expect((await axum(['unpin', 'production', '--yes', '--repo', dir])).code).toBe(0);
  });

  it('a daemon killed mid-step: the TUI says it is not running and how to start it, comes back when it starts, and the step says interrupted', async () => {
    git('checkout', '-q', '-b', 'slow');
    commitFiles(dir, 'a slow run', { slow: '1\n' });
    git('checkout', '-q', 'main');
    const run = JSON.parse((await axum(['run', '--branch', 'slow', '--json', '--repo', dir])).stdout) as { id: string };
    await waitFor(() => processesMatching(SLOW).length > 0, 30_000, 'the slow step to run');
    const pid = readDaemonJson(dir).pid;
    process.kill(pid, 'SIGKILL');
    await waitFor(() => !isAlive(pid), 10_000, 'the daemon to die');
    for (const size of SIZES) {
      const t = terminal(size.session);
      await t.until((s) => s.includes('the daemon is not running; retrying') && s.includes('axum daemon start'), 'the daemon said not running, and how to start it');
      expectFits(t, size);
    }
    expect((await axum(['daemon', 'start', '--repo', dir])).code).toBe(0);
    for (const size of SIZES) {
      const t = terminal(size.session);
      await t.until((s) => s.includes('● connected') && !s.includes('STALE'), 'the TUI back by itself', 30_000);
      await t.keys('Tab', 'g');
      await t.until((s) => new RegExp(`^› ${run.id} +interrupted`, 'm').test(s), 'the interrupted run selected');
      await t.keys('Enter');
      // The run's header says it, and so does the step the daemon was killed under (not "cancelled").
      await t.until((s) => new RegExp(`^${run.id} interrupted`, 'm').test(s) && /build\/train interrupted/.test(s), 'the interrupted step');
      expect(flat(t.screen())).toMatch(/the daemon stopped while this run was running/);
      expect(t.screen()).not.toMatch(/build\/train cancelled/);
      expectFits(t, size);
      await t.keys('Escape', 'Tab');
    }
  });

  it('keys typed while the first frame loads are neither echoed nor applied', async () => {
    // Started on a stopped daemon, the TUI starts it: the first frame stays up while it does.
    expect((await axum(['daemon', 'stop', '--repo', dir])).code).toBe(0);
    const t = server.openTui('early', dir, { columns: 80, rows: 24 }, 120);
    await t.until((s) => s.includes('loading the terminal UI'), 'the first frame');
    tmux('send-keys', '-t', 'early', 'j');
    tmux('send-keys', '-t', 'early', 'j');
    tmux('send-keys', '-t', 'early', 'j');
    const early = t.screen();
    await t.until((s) => s.includes('● connected'), 'the TUI to connect', 30_000);
    // The keys came before the frame they would act on: staging, the first row, stays selected.
    if (early.includes('loading the terminal UI')) {
      expect(early).not.toContain('jjj');
      expect(t.screen()).toMatch(/^› staging /m);
    }
    expect(t.screen()).not.toMatch(/^jjj/m);
  });

  it('a daemon stopped and started again: the event log says the restart in one line, keeps its earlier lines, and replays nothing as new', async () => {
    for (const size of SIZES) await terminal(size.session).until((s) => s.includes('● connected') && !s.includes('STALE'), 'the TUI connected');
    const was = readDaemonJson(dir).pid;
    expect((await axum(['daemon', 'stop', '--yes', '--repo', dir])).code).toBe(0);
    // A command starts it again, as a person's next command does.
    expect((await axum(['status', '--repo', dir])).code).toBe(0);
    const pid = readDaemonJson(dir).pid;
    expect(pid).not.toBe(was);
    for (const size of SIZES) {
      const t = terminal(size.session);
      // Read in the event log, which keeps it: the footer shows it only until a newer notice comes.
      await t.keys('e');
      await t.until((s) => s.includes('Events'), 'the event log');
      await t.until(() => t.flat().includes(`reconnected: the daemon restarted (pid ${pid}, was ${was})`), 'the reconnect in the event log', 30_000);
      const log = t.flat();
      expect(log).toContain(`reconnected: the daemon restarted (pid ${pid}, was ${was})`);
      // The lines from before the restart stay (marked so), the stop among them.
      expect(log).toMatch(/\(before the daemon restarted\)|daemon stopping/);
      expect(log).toContain('daemon stopping');
      // What serves after the restart is the baseline: no `staging: #21 is live` as if just deployed.
      expect(log).not.toMatch(/: #\d+ is live \(/);
      expectFits(t, size);
      await t.keys('Escape');
      await t.until((s) => /^\s+ENV\s+(BRANCH|LIVE)/m.test(s), 'back to the dashboard');
    }
  });
});

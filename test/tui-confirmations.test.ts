// What the TUI asks before it moves a protected environment, and what it says it did, read off a
// real terminal: tmux on its own server socket, send-keys and capture-pane, a real daemon and git.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HAS_TMUX, tmuxServer } from './support/tmux.js';
import { axum, cleanupRepo, commitFiles, daemonPid, makeRepo, waitFor } from './support/axum.js';

const server = tmuxServer('axum-confirm');

/** A TUI in a tmux window of its own size. */
const terminal = (session: string, dir: string, columns: number, rows: number, env: string[] = []) => server.openTui(session, dir, { columns, rows, env });

const live = async (dir: string, env: string) => (JSON.parse((await axum(['status', '--json', '--repo', dir])).stdout) as { environments: { name: string; pinned: boolean; operation: unknown; live: { revision: number } | null }[] }).environments.find((e) => e.name === env)!;

describe.runIf(HAS_TMUX)('the TUI asks before it moves a protected environment, and says what it did', () => {
  let dir: string;
  beforeAll(async () => {
    // production: protected (its name), deploys on its own; gated: protected by its manual approval.
    dir = makeRepo({
      config: `version: 1
environments:
  production: { branch: main }
  gated: { branch: release, approval: manual }
stages:
  - name: build
    steps:
      - { name: train, run: "mkdir -p model && cp data.txt model/w.txt" }
artifacts: [model/**]
verify:
  steps:
    - { name: eval, run: "echo validation_accuracy=$(cat $AXUM_CURRENT/model/w.txt) >> $AXUM_METRICS" }
  gates: { validation_accuracy: ">= 0.8" }
`,
    });
    expect((await axum(['daemon', 'start', '--repo', dir])).code).toBe(0);
    // Subjects of 30 characters: whole in the releases view at 80 columns.
    for (const [i, value] of ['0.85', '0.90', '0.95'].entries()) {
      commitFiles(dir, `retrain: model ${value} on new data`, { 'data.txt': `${value}\n` });
      await waitFor(async () => {
        const env = await live(dir, 'production');
        return env.live?.revision === i + 1 && env.operation === null;
      }, 60_000, `production #${i + 1} to be live`);
    }
    // Back to #1 by hand: production serves rel-1 as #4, pinned; the run before #2 was rel-1's, the one before #3 rel-2's.
    expect((await axum(['rollback', 'production', '--to', '1', '--yes', '--repo', dir])).code).toBe(0);
    expect((await axum(['pin', 'gated', '--repo', dir])).code).toBe(0);
  }, 180_000);
  afterAll(async () => {
    server.kill();
    await cleanupRepo(dir);
  });

  it("the rollback dialog's diff starts from the release serving now (a rollback's), not from the revision before the target", async () => {
    const t = terminal('diff', dir, 120, 40);
    await t.until((s) => s.includes('● connected'), 'the TUI to connect', 20_000);
    await t.keys('Enter');
    await t.until((s) => /› #4 LKG\s+live\s+rollback → #1/.test(s), 'the history, on the live rollback');
    // #2 (model 0.90): from rel-1 (0.85, serving) it brings a commit in; from #3's rel-3 (0.95) it would take one back.
    await t.keys('j', 'j', 'r');
    await t.until((s) => s.includes('type production and Enter to confirm') && s.includes('code: '), 'the dialog and its diff');
    expect(t.flat()).toMatch(/code: brings in 1 commit: [0-9a-f]+ retrain: model 0\.90 on new data/);
    expect(t.flat()).not.toContain('takes back');
    expect(t.flat()).toContain('live now: #4 (rel-1,');
    await t.keys('Escape');
    await t.until((s) => s.includes('cancelled: nothing changed'), 'Esc to cancel');
    await t.keys('q');
  });

  it('at 60×16 the dialog keeps the first line of the diff and counts the rest, and what is typed shows', async () => {
    const t = terminal('small', dir, 60, 16, ['NO_COLOR=1']);
    await t.until((s) => s.includes('● connected'), 'the TUI to connect', 20_000);
    await t.keys('Enter');
    await t.until((s) => /› #4 /.test(s), 'the history');
    await t.keys('j', 'j', 'r');
    await t.until((s) => s.includes('type production') && s.includes('code: '), 'the dialog with a diff');
    await t.keys('p', 'r', 'o', 'd');
    await t.until((s) => /: prod\s*│/.test(s), 'what was typed');
    const shown = t.rows();
    expect(shown.length).toBeLessThan(16);
    expect(shown.every((row) => row.length <= 60)).toBe(true);
    expect(t.flat()).toMatch(/code: brings in 1 commit/);
    expect(t.flat()).toMatch(/… \d more lines? of the diff/);
    // The footer says the keys that work in the dialog, not the view's (q or ? would be letters typed).
    expect(shown.at(-1)).toMatch(/^type production · Enter confirms · Esc cancels\s*$/);
    await t.keys('Escape', 'q');
  });

  it('p on a pinned protected environment asks its name typed even with nothing held back; the CLI asks too', async () => {
    const t = terminal('unpin', dir, 80, 24);
    await t.until((s) => s.includes('● connected'), 'the TUI to connect', 20_000);
    await t.keys('p');
    await t.until((s) => s.includes('unpin production: new commits on main deploy to it again?'), 'the unpin question');
    expect(t.flat()).toContain('type production and Enter to confirm');
    await t.keys('Escape');
    await t.until((s) => s.includes('cancelled: nothing changed'), 'Esc to cancel');
    expect((await live(dir, 'production')).pinned).toBe(true);
    // The CLI off a terminal: no question can be asked, so --yes is needed, and nothing moved.
    const refused = await axum(['unpin', 'production', '--repo', dir]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('production is protected and there is no terminal to ask: add --yes to unpin production: new commits on main deploy to it again');
    expect((await live(dir, 'production')).pinned).toBe(true);
    await t.keys('q');
  });

  it('t on a branch that feeds a protected environment behind an approval asks its name typed', async () => {
    expect((await axum(['unpin', 'gated', '--repo', dir, '--yes'])).code).toBe(0);
    const t = terminal('trigger', dir, 80, 24);
    await t.until((s) => s.includes('● connected') && /^\s+gated /m.test(s), 'the TUI to connect');
    await t.keys('j', 't');
    await t.until((s) => s.includes('run release now? when it succeeds it waits for approval to deploy to gated'), 'the question');
    expect(t.flat()).toContain('type gated and Enter to confirm');
    await t.keys('Escape');
    await t.until((s) => s.includes('cancelled: nothing changed'), 'Esc to cancel');
    // The event log says what was cancelled, in the words the daemon uses for requests.
    await t.keys('e');
    await t.until((s) => s.includes('Events'), 'the event log');
    expect(t.flat()).toMatch(/\d\d:\d\d:\d\d cancelled: run of release — nothing changed \(this terminal only\)/);
    await t.keys('Escape', 'q');
    expect((await axum(['pin', 'gated', '--repo', dir])).code).toBe(0);
    // Pinned, the run reaches nothing protected: still a dialog (y/n), saying why nothing is typed.
    const held = terminal('trigger-held', dir, 80, 24);
    await held.until((s) => s.includes('● connected') && /^\s+gated .*pinned/m.test(s), 'the TUI to connect, gated pinned');
    await held.keys('j', 't');
    await held.until((s) => s.includes('run release now?'), 'the question');
    expect(held.flat()).toContain('gated is pinned: the release it builds waits there');
    expect(held.flat()).toContain('y to confirm');
    await held.keys('n');
    await held.until((s) => s.includes('cancelled: nothing changed'), 'n to cancel');
    await held.keys('q');
  });

  it('at 80×24 identity and state columns stay and secondary ones give way; the footer keeps ? Esc q', async () => {
    const t = terminal('narrow', dir, 80, 24, ['NO_COLOR=1']);
    await t.until((s) => s.includes('● connected'), 'the TUI to connect', 20_000);
    await t.until((s) => /^\s+gated /m.test(s), 'the environments');
    // FLAGS, the last column, never cut: BRANCH and LKG gave way to it (HEALTH, state, is wide here),
    // and where the row is still short the config's flags take their short forms.
    const gated = t.rows().find((row) => /^\s+gated /.test(row))!;
    expect(gated).toMatch(/pinned, protected, manual\s*$/);
    expect(gated).not.toContain('…');
    expect(t.rows().find((row) => row.includes('ENV'))).not.toContain('BRANCH');
    expect(t.rows().some((row) => /\? help · Esc back · q quit\s*$/.test(row))).toBe(true);
    expect(t.rows().at(-1)).toContain('r roll back');
    // On the runs, r would do nothing: the footer does not offer it (? says why).
    await t.keys('Tab');
    await t.until(() => !t.rows().at(-1)!.includes('r roll back'), 'r to leave the footer');
    await t.keys('Tab');
    // History: who rolled back, whole, and the release it went back to (AGE gave way, GATES narrowed).
    await t.keys('Enter');
    await t.until((s) => /› #4 /.test(s), 'the history');
    const by = (JSON.parse((await axum(['history', 'production', '--json', '--repo', dir])).stdout) as { by: string }[])[0]!.by;
    expect(t.rows().find((row) => row.startsWith('› #4 '))).toContain(by);
    expect(t.rows().find((row) => row.startsWith('› #4 '))).toMatch(/ rollback → #\d+ +rel-\d+ /);
    expect(t.rows().find((row) => row.includes('REV'))).toContain('RELEASE');
    expect(t.rows().some((row) => /\? help · Esc back · q quit\s*$/.test(row))).toBe(true);
    // Releases: each subject whole.
    await t.keys('R');
    // The dashboard has a RELEASE column too: the releases view is the one that says newest first.
    await t.until((s) => s.includes('newest first'), 'the releases');
    for (const value of ['0.85', '0.90', '0.95']) expect(t.screen()).toContain(`retrain: model ${value} on new data`);
    expect(t.rows().some((row) => /\? help · Esc back · q quit\s*$/.test(row))).toBe(true);
    expect(t.rows().every((row) => row.length <= 80)).toBe(true);
    await t.keys('q');
  });
});

describe.runIf(HAS_TMUX)('the TUI that starts the daemon', () => {
  let dir: string;
  beforeAll(() => {
    dir = makeRepo();
  });
  afterAll(async () => {
    server.kill();
    await cleanupRepo(dir);
  });

  it('says so, as a command does on stderr: in its footer and in its event log', async () => {
    expect(daemonPid(dir)).toBeNull();
    const t = terminal('start', dir, 100, 24);
    await t.until((s) => s.includes('● connected'), 'the TUI to connect', 30_000);
    const pid = daemonPid(dir);
    expect(pid).not.toBeNull();
    await t.until((s) => s.includes(`started the daemon for ${dir} (pid ${pid})`), 'the notice');
    await t.keys('e');
    await t.until((s) => s.includes('Events'), 'the event log');
    expect(t.flat()).toContain(`started the daemon for ${dir} (pid ${pid}) (this terminal only)`);
    await t.keys('Escape', 'q');
  });
});

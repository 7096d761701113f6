// The TUI at the two sizes a person starts with (80×24 and 120×40), with and without NO_COLOR:
// tmux on its own server socket, send-keys and capture-pane.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HAS_TMUX, tmuxServer } from './support/tmux.js';
import { axum, cleanupRepo, commitFiles, makeRepo } from './support/axum.js';

const server = tmuxServer('axum-small');
// Its waits as they were: 10 s unless told.
const terminal = (session: string) => server.terminal(session, 10_000);
const SIZES = [
  { columns: 80, rows: 24 },
  { columns: 120, rows: 40 },
] as const;
const CASES = SIZES.flatMap((size) => [false, true].map((noColor) => ({ ...size, noColor, session: `s${size.columns}${noColor ? 'plain' : 'color'}` })));

// A step that prints 300 rows, then a tick a second while the test reads it (the run is cancelled after).
const SERVE = 'for i in $(seq 1 300); do echo row $i; done; while true; do echo tick; sleep 1; done';


/** The screen's text as read: runs of blanks are one space. */
const flat = (rows: string[]) => rows.join(' ').replace(/\s+/g, ' ');

describe.runIf(HAS_TMUX)('the TUI at 80×24 and 120×40, with and without NO_COLOR', () => {
  let dir: string;
  beforeAll(async () => {
    // Branches that do not exist yet: no run, nothing live, so what each key refuses is known.
    dir = makeRepo({
      config: `version: 1
environments:
  staging: { branch: staging }
  production: { branch: release }
stages:
  - name: build
    steps:
      - { name: train, run: "echo trained" }
      - { name: serve, run: ${JSON.stringify(SERVE)} }
`,
    });
    expect((await axum(['daemon', 'start', '--repo', dir])).code).toBe(0);
    for (const c of CASES) server.openTui(c.session, dir, { ...c, env: c.noColor ? ['NO_COLOR=1'] : [] });
    for (const c of CASES) await terminal(c.session).until((s) => s.includes('● connected'), 'the TUI to connect', 20_000);
  });
  afterAll(async () => {
    server.kill();
    await cleanupRepo(dir);
  });

  it.each(CASES)('$columns×$rows (NO_COLOR: $noColor): ? says why each disabled key is, whole, within the window', async ({ session, columns, rows }) => {
    const t = terminal(session);
    await t.keys('?');
    await t.until((s) => s.includes('Keys (dashboard)'), 'the help');
    const shown = t.rows();
    expect(shown.length).toBeLessThan(rows);
    expect(Math.max(...shown.map((row) => row.length))).toBeLessThanOrEqual(columns);
    // Each column read top to bottom (at 80 columns the help is two of them), and the rows whole.
    const half = Math.floor((columns - 4) / 2) + 3;
    const read = [flat(shown), flat(shown.map((row) => row.slice(0, half))), flat(shown.map((row) => row.slice(half)))].join(' | ');
    // Nothing runs or is live: x waits for the runs, a for an approval, P for something live.
    for (const why of ['Tab to the runs first', 'nothing is waiting for approval here', 'nothing is live in staging to promote', 'no incident with an output here']) expect(read).toContain(why);
    await t.keys('Escape');
    await t.until((s) => !s.includes('Keys (dashboard)'), 'the help to close');
  });

  it.each(CASES)('$columns×$rows (NO_COLOR: $noColor): a refusal longer than the row is read whole in the footer, the keys still below it', async ({ session, columns, rows }) => {
    const t = terminal(session);
    await t.keys('r');
    await t.until((s) => s.includes('refused: staging:'), 'the refusal');
    const shown = t.rows();
    expect(shown.length).toBeLessThan(rows);
    const at = shown.findIndex((row) => row.startsWith('refused: staging:'));
    const refusal = 'refused: staging: no last known good to roll back to (nothing else verified and unmarked); axum deploy staging --release ID deploys one';
    // At 80 columns on two rows, at 120 on one; never cut, and the key hints stay on the row after it.
    const lines = columns < refusal.length ? 2 : 1;
    expect(flat(shown.slice(at, at + lines))).toBe(refusal);
    // (r is not among them: nothing is live, there is nothing to roll back to; nor Tab, with no run
    // to go to: its place stays blank where the row keeps it.)
    expect(shown[at + lines]).toMatch(/^(j\/↓ down · k\/↑ up {13}· | {12})Enter open · .*\S {3,}\? help · Esc back · q quit$/);
    expect(shown[at + lines]).not.toContain('Tab focus');
    expect(shown[at + lines]).not.toContain('r roll back');
    expect(shown.every((row) => row.length <= columns)).toBe(true);
  });

  it.each(CASES)('$columns×$rows (NO_COLOR: $noColor): e shows the refusal in the event log, within the window; Ctrl-r is not r', async ({ session, columns, rows }) => {
    const t = terminal(session);
    // The list's rows (a gutter before the time), not the selected one's detail below them.
    // Worded as what happened, as the daemon words a request it refuses (never "you refused: …").
    const refusals = () => t.rows().filter((row) => /^│ [› ] \d\d:\d\d:\d\d refused: rollback of staging to the last known g/.test(row)).length;
    await t.keys('e');
    await t.until((s) => s.includes('Events'), 'the event log');
    const shown = t.rows();
    expect(shown.length).toBeLessThan(rows);
    expect(shown.every((row) => row.length <= columns)).toBe(true);
    // This terminal's refusal never reached the daemon: the event log keeps it all the same.
    expect(refusals()).toBe(1);
    // Ctrl-r is a key of its own (none): it neither opens the rollback nor is refused as r.
    await t.keys('Escape', 'C-r', 'e');
    await t.until((s) => s.includes('Events'), 'the event log again');
    expect(refusals()).toBe(1);
    await t.keys('Escape', 'r', 'e');
    await t.until((s) => s.includes('Events') && refusals() === 2, 'r to be refused again');
    await t.keys('Escape');
    await t.until((s) => !s.includes('Events'), 'the event log to close');
  });

  it('at both sizes, with and without NO_COLOR: presence fits the header; a daemon gone marks the screen stale, and its return reconnects', async () => {
    for (const c of CASES) {
      const t = terminal(c.session);
      // Four of these terminals are attached (and maybe a command of the test's own).
      await t.until((s) => /\b[45] clients: you, /.test(s), 'the others in the header');
      expect(t.rows()[1]!.length).toBeLessThanOrEqual(c.columns);
    }
    expect((await axum(['daemon', 'stop', '--repo', dir])).code).toBe(0);
    for (const c of CASES) await terminal(c.session).until((s) => s.includes('STALE since'), 'the stale mark');
    for (const c of CASES) expect(terminal(c.session).rows().length).toBeLessThan(c.rows);
    expect((await axum(['daemon', 'start', '--repo', dir])).code).toBe(0);
    for (const c of CASES) await terminal(c.session).until((s) => s.includes('● connected') && !s.includes('STALE'), 'the TUI to reconnect');
  });

  it('at both sizes, with and without NO_COLOR: a running run opens on its running step; Home, PgDn, End move in its log; new lines are counted; a newer run takes the top row\'s selection', async () => {
    // On main, which no environment follows: it deploys nothing, and what the tests above saw holds.
    const queued = JSON.parse((await axum(['run', '--json', '--repo', dir])).stdout) as { id: string };
    for (const c of CASES) {
      const t = terminal(c.session);
      await t.until((s) => s.includes(queued.id), 'the run in the list');
      await t.keys('Tab', 'Enter');
      await t.until((s) => s.includes('── serve · lines') && s.includes('row 300'), 'the running step, followed', 30_000);
      expect(t.rows().some((row) => /^› ▶ build\/serve running/.test(row))).toBe(true);
      await t.keys('Home');
      await t.until((s) => /── serve · lines 1-\d+ of/.test(s) && t.rows().includes('row 1'), 'Home: the first line');
      const shown = Number(/lines 1-(\d+) of/.exec(t.screen())?.[1]);
      // A page is the log rows on screen, less one kept for context: more of them at 40 rows than at 24.
      expect(shown).toBeGreaterThan(c.rows === 24 ? 5 : 20);
      await t.keys('PageDown');
      await t.until((s) => s.includes(`── serve · lines ${shown}-`), 'PgDn: a page down');
      await t.until((s) => / \d+ new lines? \(G to follow\)/.test(s), 'the count of new lines');
      const shownRows = t.rows();
      expect(shownRows.length).toBeLessThan(c.rows);
      expect(shownRows.every((row) => row.length <= c.columns)).toBe(true);
      await t.keys('End');
      await t.until((s) => s.includes('· following'), 'End: the tail, followed');
      await t.keys('Escape', 'Tab');
      await t.until((s) => /^› staging /m.test(s) || !s.includes('── serve'), 'the dashboard again');
    }
    // The runs list's selection on the top row stays on top when a newer run comes there (as k9s
    // and lazygit keep it): Enter opens the newest. Moved off the top, it stays on its run (unit tests).
    const marked = (session: string) => terminal(session).rows().filter((row) => row.startsWith('› ')).map((row) => row.split(/\s+/)[1]);
    for (const c of CASES) {
      await terminal(c.session).keys('Tab');
      await terminal(c.session).until(() => marked(c.session)[0] === queued.id, 'the run to be selected');
    }
    commitFiles(dir, 'a newer commit', { 'notes.txt': 'newer\n' });
    const newer = JSON.parse((await axum(['run', '--json', '--repo', dir])).stdout) as { id: string };
    for (const c of CASES) {
      await terminal(c.session).until(() => marked(c.session)[0] === newer.id, 'the selection on the newer run, on top');
    }
    for (const id of [queued.id, newer.id]) expect((await axum(['cancel', id, '--repo', dir])).code).toBe(0);
  });
});

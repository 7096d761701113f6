// The real Ink app in a real terminal: tmux on its own server socket, send-keys and capture-pane.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HAS_TMUX, tmuxServer } from './support/tmux.js';
import { axum, AXUM_BIN, cleanupRepo, commitFiles, historyText, makeRepo, startDaemon, waitFor } from './support/axum.js';

const server = tmuxServer('axum-e2e');
const { tmux } = server;
const screen = () => tmux('capture-pane', '-p', '-t', 'tui');

describe.runIf(HAS_TMUX)('two terminal UIs on one daemon', () => {
  let dir: string;
  const tui = (session: string) => ({
    screen: () => tmux('capture-pane', '-p', '-t', session),
    // One key per write, as a person types: Ink reads a burst of keys as one input.
    keys: async (...keys: string[]) => {
      for (const key of keys) {
        tmux('send-keys', '-t', session, key);
        await new Promise((r) => setTimeout(r, 150));
      }
    },
  });
  beforeAll(async () => {
    dir = makeRepo({
      config: `version: 1
environments:
  production: { branch: main }
stages:
  - name: build
    steps:
      - { name: train, run: "mkdir -p model && cp data.txt model/w.txt && echo trained on $(cat data.txt)" }
artifacts: [model/**]
verify:
  steps:
    - { name: eval, run: "echo judging $(cat $AXUM_CURRENT/model/w.txt); echo accuracy=$(cat $AXUM_CURRENT/model/w.txt) >> $AXUM_METRICS" }
  gates: { accuracy: ">= 0.8" }
`,
    });
    await startDaemon(dir);
    for (const [i, value] of ['0.85', '0.9'].entries()) {
      commitFiles(dir, `model ${value}`, { 'data.txt': `${value}\n` });
      await waitFor(async () => {
        const env = JSON.parse((await axum(['status', '--json', '--repo', dir])).stdout).environments[0];
        return env.live?.revision === i + 1 && env.operation === null;
      }, 30_000, `revision #${i + 1} to be live`);
    }
  });
  afterAll(async () => {
    server.kill();
    await cleanupRepo(dir);
  });

  // First, while production has a rollback target (the next test rolls back): r is offered on the
  // environments and refused on the runs, and the footer's other hints stay where they are.
  it('at 80×24 the footer keeps its hints in their places as Tab moves the focus; r shows only where it works', async () => {
    tmux('new-session', '-d', '-s', 'foot', '-x', '80', '-y', '24', `${process.execPath} ${AXUM_BIN} --repo ${dir}; sleep 30`);
    const foot = tui('foot');
    await waitFor(() => foot.screen().includes('● connected'), 20_000, 'the TUI to connect');
    const footer = () => foot.screen().trimEnd().split('\n').at(-1)!;
    await waitFor(() => footer().includes('r roll back'), 5_000, 'r offered on the environments').catch((err: Error) => {
      throw new Error(`${err.message}\n${foot.screen()}`);
    });
    const onEnvironments = footer();
    await foot.keys('Tab');
    await waitFor(() => !footer().includes('r roll back'), 5_000, 'r not offered on the runs');
    const onRuns = footer();
    for (const hint of ['Tab focus', 'Enter open', '/ filter', '? help', 'Esc back', 'q quit']) expect(onRuns.indexOf(hint), `${hint}\n${onEnvironments}\n${onRuns}`).toBe(onEnvironments.indexOf(hint));
    expect(`${onEnvironments}\n${onRuns}`).not.toContain('k/↑');
    tmux('send-keys', '-t', 'foot', 'q');
  });

  it('a rollback chosen by keys in one appears in the other and in axum history, after a typed confirmation', async () => {
    for (const session of ['one', 'two']) tmux('new-session', '-d', '-s', session, '-x', '120', '-y', '40', `${process.execPath} ${AXUM_BIN} --repo ${dir}; sleep 30`);
    const one = tui('one');
    const two = tui('two');
    await waitFor(() => one.screen().includes('● connected') && two.screen().includes('● connected'), 20_000, 'both TUIs to connect');
    await waitFor(() => /2 clients\b/.test(one.screen()), 10_000, 'the first TUI to see the second').catch((err: Error) => {
      throw new Error(`${err.message}\n${one.screen()}\n---\n${two.screen()}`);
    });

    // A run's log, from the keyboard.
    await one.keys('Tab', 'Enter');
    await waitFor(() => one.screen().includes('trained on 0.9'), 10_000, 'the run view to show the log');
    // Search the log: `/`, a query, Enter.
    await one.keys('/', 't', 'r', 'a', 'i', 'n', 'e', 'd', 'Enter');
    await waitFor(() => one.screen().includes('/trained: line 1 of 1'), 10_000, 'the search to find the line');
    // Timestamps come from the daemon's side index, not from the log bytes.
    await one.keys('T');
    await waitFor(() => /\d\d:\d\d:\d\d\.\d{3} trained on 0\.9/.test(one.screen()), 10_000, 'the timestamped line');
    await one.keys('Escape', 'Tab', 'Enter');
    await waitFor(() => /#2(?: LKG)?\s+live\s+deploy/.test(one.screen()), 10_000, 'the history view');
    // Enter on a revision: its verify step, what it printed, its gate beside the last known good's value.
    await one.keys('Enter');
    await waitFor(() => one.screen().includes('judging 0.9'), 10_000, "the revision's verify output").catch((err: Error) => {
      throw new Error(`${err.message}\n${one.screen()}`);
    });
    expect(one.screen()).toContain('production#2 live');
    expect(one.screen()).toContain('✓ accuracy 0.9 >= 0.8 · LKG 0.85');
    expect(one.screen()).toMatch(/✓ verify\/eval succeeded \(exit 0\)/);
    // Esc goes back to the history, on that revision.
    await one.keys('Escape');
    await waitFor(() => /#2(?: LKG)?\s+live\s+deploy/.test(one.screen()), 10_000, 'back to the history view');
    await one.keys('j', 'r');
    await waitFor(() => one.screen().includes('type production and Enter to confirm') && one.screen().includes('code: '), 10_000, 'the typed confirmation and its diff');
    // The pre-action diff: the commit that goes away, the model file that changes, the metric.
    expect(one.screen()).toMatch(/code: takes back 1 commit: [0-9a-f]+ model 0\.9/);
    expect(one.screen()).toContain('artifacts: model/w.txt 4 B → 5 B');
    expect(one.screen()).toContain('axum.yml: unchanged');
    // A wrong name changes nothing, and the dialog stays open for the name: typed again, it goes to
    // the dialog, never to the view's keys (`p` would pin, `r` roll back, `t` run).
    await one.keys('p', 'r', 'o', 'd', 'Enter');
    await waitFor(() => one.screen().includes('not confirmed: "prod" is not "production"; nothing changed — type it again, or Esc'), 10_000, 'the refusal, in the dialog');
    expect(one.screen()).toContain('type production and Enter to confirm');
    await one.keys(...'production'.split(''), 'Enter');
    await waitFor(() => one.screen().includes('rolled back, #3 live and verified (pinned)'), 30_000, 'the rollback to finish').catch((err: Error) => {
      throw new Error(`${err.message}\n${one.screen()}`);
    });

    // The other terminal is told who did what (its footer, then its event log), and sees who is attached.
    await waitFor(() => /\d\d:\d\d:\d\d \S+ \(axum-tui on pts\/\d+\) rolled back production to #1 \(#3, live/.test(two.screen()), 10_000, 'the other TUI to be told').catch((err: Error) => {
      throw new Error(`${err.message}\n${two.screen()}`);
    });
    expect(two.screen()).toMatch(/production\s+main\s+#3\s/);
    expect(two.screen()).toMatch(/2 clients: you, \S+ tui pts\/\d+/);
    await two.keys('e');
    await waitFor(() => two.screen().includes('Events') && two.screen().includes('rolled back production to #1'), 10_000, 'the event log');
    // The daemon's own moves are in it too, made before this terminal attached (no person asked for them).
    expect(two.screen()).toMatch(/\d\d:\d\d:\d\d axum production: deploy #2 is live \(rel-2, [0-9a-f]{8}\), by push run-2/);
    await two.keys('Escape');
    const history = JSON.parse((await axum(['history', 'production', '--json', '--repo', dir])).stdout) as { revision: number; kind: string; rollbackTo: number }[];
    expect(history[0]).toMatchObject({ revision: 3, kind: 'rollback', rollbackTo: 1 });
  });

  it('at 80×24 under NO_COLOR the selection shows as a › gutter, and / filters both lists as typed', async () => {
    const plain = {
      screen: () => tmux('capture-pane', '-p', '-t', 'plain'),
      keys: async (...keys: string[]) => {
        for (const key of keys) {
          tmux('send-keys', '-t', 'plain', key);
          await new Promise((r) => setTimeout(r, 150));
        }
      },
    };
    tmux('new-session', '-d', '-s', 'plain', '-x', '80', '-y', '24', '-e', 'NO_COLOR=1', `${process.execPath} ${AXUM_BIN} --repo ${dir}; sleep 30`);
    await waitFor(() => plain.screen().includes('● connected'), 20_000, 'the TUI to connect').catch((err: Error) => {
      throw new Error(`${err.message}\n${plain.screen()}`);
    });
    const marked = () => plain.screen().split('\n').filter((row) => row.startsWith('› ')).map((row) => row.split(/\s+/)[1]);
    expect(marked()).toEqual(['production']);
    await plain.keys('Tab');
    await waitFor(() => marked()[0] === 'run-2', 5_000, 'the newest run to be marked').catch((err: Error) => {
      throw new Error(`${err.message}\n${plain.screen()}`);
    });
    await plain.keys('j');
    await waitFor(() => marked()[0] === 'run-1', 5_000, 'j to move the mark');
    await plain.keys('/', '0', '.', '8');
    await waitFor(() => plain.screen().includes('/0.8') && plain.screen().includes('1 of 2 runs'), 5_000, 'the filter to narrow the runs');
    expect(plain.screen()).toContain('model 0.85');
    expect(plain.screen()).not.toContain('model 0.9');
    await plain.keys('Enter', 'Escape');
    await waitFor(() => plain.screen().includes('model 0.9') && !plain.screen().includes('of 2 runs'), 5_000, 'Esc to clear the filter');
    // Ctrl-C while typing a filter quits (it does not type a "c"): the shell's screen comes back.
    await plain.keys('/', 'x');
    await waitFor(() => plain.screen().includes('/x'), 5_000, 'the filter being typed');
    await plain.keys('C-c');
    await waitFor(() => !plain.screen().includes('● connected'), 5_000, 'Ctrl-C to quit from the filter').catch((err: Error) => {
      throw new Error(`${err.message}\n${plain.screen()}`);
    });
  });

  it('at 80×24 R lists the releases with where each is live and verified; P on the last environment says why it does nothing', async () => {
    tmux('new-session', '-d', '-s', 'rels', '-x', '80', '-y', '24', `${process.execPath} ${AXUM_BIN} --repo ${dir}; sleep 30`);
    const rels = tui('rels');
    await waitFor(() => rels.screen().includes('● connected'), 20_000, 'the TUI to connect');
    await rels.keys('P');
    await waitFor(() => rels.screen().includes('P: production is the last environment in axum.yml: nothing to promote to'), 5_000, "P's reason");
    await rels.keys('R');
    await waitFor(() => /^› rel-2 +[0-9a-f]{8} model 0\.9/m.test(rels.screen()), 10_000, 'the releases view').catch((err: Error) => {
      throw new Error(`${err.message}\n${rels.screen()}`);
    });
    expect(rels.screen()).toMatch(/^ {2}rel-1 +[0-9a-f]{8} model 0\.85 +.*production#1/m);
    expect(rels.screen().trimEnd().split('\n').length).toBeLessThanOrEqual(24);
    await rels.keys('Escape');
    await waitFor(() => /production\s+main\s+#\d/.test(rels.screen()), 5_000, 'back to the dashboard');
    // R from the revisions: Esc goes back to them. b asks for a reason, typed (its y and n are letters, not answers).
    await rels.keys('Enter');
    await waitFor(() => /REV\s+STATUS/.test(rels.screen()), 5_000, 'the revisions');
    await rels.keys('R');
    await waitFor(() => /^› rel-2 /m.test(rels.screen()), 5_000, 'the releases');
    // rel-1 serves production since the first test's rollback: after the reason, production is typed too.
    await rels.keys('j', 'b', 'n', 'y', 'e', 't');
    await waitFor(() => rels.screen().includes('mark rel-1 bad while it is live in production (protected)?') && rels.screen().includes('nyet'), 5_000, 'the reason typed').catch((err: Error) => {
      throw new Error(`${err.message}\n${rels.screen()}`);
    });
    expect(rels.screen().split('\n')[0]).toContain('axum · ');
    await rels.keys('Enter');
    await waitFor(() => rels.screen().includes('type production and Enter to confirm') && rels.screen().includes('reason: nyet'), 5_000, 'the name asked after the reason');
    await rels.keys('Escape');
    await waitFor(() => rels.screen().includes('cancelled: nothing changed'), 5_000, 'Esc to cancel the mark');
    await rels.keys('Escape');
    await waitFor(() => /REV\s+STATUS/.test(rels.screen()), 5_000, 'back to the revisions, where R was pressed').catch((err: Error) => {
      throw new Error(`${err.message}\n${rels.screen()}`);
    });
    tmux('send-keys', '-t', 'rels', 'q');
  });
});

describe.runIf(HAS_TMUX)('the terminal UI in tmux', () => {
  let dir: string;
  beforeAll(() => {
    dir = makeRepo();
  });
  afterAll(async () => {
    server.kill();
    await cleanupRepo(dir);
  });

  it('starts the daemon, shows it and the environments, opens help, follows another client, and quits on q', async () => {
    // CI=true must not silence Ink: the TUI drops that belief itself.
    tmux('new-session', '-d', '-s', 'tui', '-x', '100', '-y', '24', '-e', 'CI=true', `${process.execPath} ${AXUM_BIN} --repo ${dir}; echo "EXIT=$?"; sleep 30`);
    await waitFor(() => screen().includes('● connected'), 20_000, 'the TUI to connect');
    // The launcher's probe connection may still be closing for a moment: wait for the count to settle.
    await waitFor(() => /pid \d+ · v0\.1\.0 · 1 client\b/.test(screen()), 10_000, 'one client attached');
    const first = screen();
    expect(first).toContain(`axum · ${dir}`);
    expect(first).toMatch(/production\s+main\s+—\s+—\s+—\s+—\s+protected, manual approval/);
    expect(first).toContain('? help');

    tmux('send-keys', '-t', 'tui', '?');
    await waitFor(() => screen().includes('Keys (dashboard)'), 10_000, 'the help overlay');
    expect(screen()).toContain('q       quit (the daemon keeps running)');
    tmux('send-keys', '-t', 'tui', 'Escape');
    await waitFor(() => !screen().includes('Esc or ? closes this help'), 10_000, 'the help overlay to close');

    // Another terminal attaches: the count updates at once.
    const other = await axum(['status', '--repo', dir]);
    expect(other.code).toBe(0);
    await waitFor(() => /· [12] clients?\b/.test(screen()), 10_000, 'the client count to move');

    tmux('send-keys', '-t', 'tui', 'q');
    await waitFor(() => screen().includes('EXIT=0'), 10_000, 'the TUI to exit 0');
    // Quitting the TUI leaves the daemon running.
    expect((await axum(['daemon', 'status', '--repo', dir])).code).toBe(0);
  });

  it('shows a banner when the daemon goes away and reconnects when it is back', async () => {
    tmux('new-session', '-d', '-s', 'again', '-x', '100', '-y', '24', `${process.execPath} ${AXUM_BIN} --repo ${dir}; sleep 30`);
    const again = () => tmux('capture-pane', '-p', '-t', 'again');
    await waitFor(() => again().includes('● connected'), 20_000, 'the TUI to connect');
    expect((await axum(['daemon', 'stop', '--repo', dir])).code).toBe(0);
    await waitFor(() => again().includes('STALE since'), 10_000, 'the disconnected banner');
    expect((await axum(['daemon', 'start', '--repo', dir])).code).toBe(0);
    await waitFor(() => again().includes('● connected'), 20_000, 'the TUI to reconnect');
    tmux('send-keys', '-t', 'again', 'q');
  });

  it("at 80×24 under NO_COLOR a remote environment's history shows its hosts: current, FAILED and why, the revision's part", async () => {
    // A host that cannot be reached (its name does not resolve): the deploy fails before any swap.
    const remote = makeRepo({
      config: `version: 1
environments:
  production:
    branch: main
    protected: false
    hosts: [deploy@nohost.invalid:/srv/model]
stages:
  - name: build
    steps:
      - { name: train, run: "mkdir -p model && echo 1 > model/w.txt" }
artifacts: [model/**]
`,
    });
    try {
      const env = { AXUM_SSH_CONFIG: '/dev/null' };
      expect((await axum(['daemon', 'start', '--repo', remote], { env })).code).toBe(0);
      await waitFor(() => historyText(remote).includes('"main"'), 10_000, 'the first reconciliation');
      commitFiles(remote, 'model', { 'data.txt': '1\n' });
      await waitFor(async () => (JSON.parse((await axum(['history', 'production', '--json', '--repo', remote])).stdout) as { status: string }[])[0]?.status === 'failed', 60_000, 'the deploy to fail');
      tmux('new-session', '-d', '-s', 'hosts', '-x', '80', '-y', '24', '-e', 'NO_COLOR=1', `${process.execPath} ${AXUM_BIN} --repo ${remote}; sleep 30`);
      const hosts = () => tmux('capture-pane', '-p', '-t', 'hosts');
      await waitFor(() => hosts().includes('● connected'), 20_000, 'the TUI to connect');
      tmux('send-keys', '-t', 'hosts', 'Enter');
      await waitFor(() => /HOST\s+CURRENT\s+SEEN\s+STATE/.test(hosts()), 10_000, 'the hosts panel').catch((err: Error) => {
        throw new Error(`${err.message}\n${hosts()}`);
      });
      const rows = hosts().split('\n');
      // Marked in plain text (NO_COLOR): ✗ and FAILED, with why, cut at 80 columns (a long host name with …).
      expect(rows.find((r) => r.includes('nohost.invalid:'))).toMatch(/^✗ deploy@nohost\.invalid:\/srv\/m…\s+—\s+\d+[smhd]\s+FAILED: \S/);
      expect(rows.some((r) => r.startsWith('› #1'))).toBe(true);
      expect(rows.find((r) => r.startsWith('#1 on hosts:'))).toBe('#1 on hosts: nohost.invalid FAILED');
      expect(Math.max(...rows.map((r) => r.length))).toBeLessThanOrEqual(80);
      expect(hosts().trimEnd().split('\n').length).toBeLessThanOrEqual(24);
      tmux('send-keys', '-t', 'hosts', 'q');
    } finally {
      await cleanupRepo(remote);
    }
  });

  it("draws on the alternate screen: after q, and after SIGTERM, the shell's screen is back as it was", async () => {
    const marker = 'typed-before-the-tui';
    for (const [session, end] of [['alt-q', 'q'], ['alt-term', 'SIGTERM']] as const) {
      tmux('new-session', '-d', '-s', session, '-x', '100', '-y', '24', `echo ${marker}; ${process.execPath} ${AXUM_BIN} --repo ${dir}; echo "EXIT=$?"; sleep 30`);
      const pane = () => tmux('capture-pane', '-p', '-t', session);
      await waitFor(() => pane().includes('● connected'), 20_000, `the TUI (${session})`);
      // The TUI has the whole screen to itself, from its first row: the shell's line is not under it.
      expect(pane()).not.toContain(marker);
      expect(pane().split('\n')[0]).toContain('axum · ');
      if (end === 'q') tmux('send-keys', '-t', session, 'q');
      else {
        const shell = tmux('display-message', '-p', '-t', session, '#{pane_pid}').trim();
        const tui = execFileSync('pgrep', ['-P', shell], { encoding: 'utf8' }).trim().split('\n')[0]!;
        process.kill(Number(tui), 'SIGTERM');
      }
      await waitFor(() => pane().includes('EXIT='), 10_000, `the TUI to end (${session})`);
      const after = pane();
      expect(after).toContain(marker);
      expect(after).toContain(end === 'q' ? 'EXIT=0' : 'EXIT=143');
      // Nothing of the TUI's frame is left on the shell's screen.
      expect(after).not.toContain('● connected');
      expect(after).not.toContain('? help');
    }
  });

  it('draws a frame before it has reached the daemon and loaded Ink, and the real one replaces it', async () => {
    // `script` records every byte the TUI writes from its first, on a terminal of its own.
    const raw = join(dir, '..', 'first-paint');
    tmux('new-session', '-d', '-s', 'first', '-x', '100', '-y', '24', `script -q -f -c '${process.execPath} ${AXUM_BIN} --repo ${dir}' ${raw}; sleep 30`);
    const pane = () => tmux('capture-pane', '-p', '-t', 'first');
    await waitFor(() => pane().includes('● connected'), 20_000, 'the TUI to connect');
    const written = readFileSync(raw, 'utf8');
    const early = written.indexOf('● connecting… (loading the terminal UI)');
    expect(early).toBeGreaterThan(-1);
    expect(early).toBeLessThan(written.indexOf('● connected'));
    expect(pane()).not.toContain('loading the terminal UI');
    expect(pane().split('\n')[0]).toBe(`axum · ${dir}`);
    tmux('send-keys', '-t', 'first', 'q');
  });

  it('prints plain lines when stdout is not a TTY', async () => {
    const result = await axum(['--repo', dir]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^daemon {7}pid \d+/);
    expect(result.stdout).not.toContain('\u001b[');
  });
});

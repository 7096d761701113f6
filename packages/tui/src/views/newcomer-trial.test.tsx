// What a newcomer met in the TUI at 80×24: rows left empty under a cut list, a client count kept
// while disconnected, and `r` offered in the footer where pressing it is refused.
import { render } from 'ink-testing-library';
import { describe, expect, it } from 'vitest';
import type { DaemonState, EnvironmentView, RunView } from '@axum/protocol';
import { bindingsFor, unavailableReason } from '../keymap.js';
import { confirmationFor } from '../state/actions.js';
import { initialTuiState, reduce, type TuiState } from '../state/tui-state.js';
import { chromeRows } from './chrome-rows.js';
import { Dashboard } from './Dashboard.js';
import { Footer } from './Footer.js';
import { Header } from './Header.js';
import { HelpOverlay } from './HelpOverlay.js';

const run = (n: number): RunView => ({
  id: `run-${n}`, number: n, status: 'succeeded', commit: `${n}`.padEnd(40, 'a'), branch: 'main', env: 'staging', trigger: 'push', reused: false,
  createdAt: '2026-11-29T10:00:00.000Z', startedAt: '2026-11-29T10:00:00.000Z', finishedAt: '2026-11-29T10:00:05.000Z',
  steps: [], subject: `commit ${n}`, releaseId: null, message: null, warnings: [], deploy: null,
});
const rev = (revision: number) => ({ revision, releaseId: `rel-${revision}`, commit: `${revision}`.padEnd(40, 'c') });
const env = (name: string, over: Partial<EnvironmentView> = {}): EnvironmentView => ({
  name, branch: name, path: `/repo/.axum/envs/${name}`, protected: false, approval: 'auto', inConfig: true, pinned: false, awaitingApproval: false,
  live: rev(1), serving: null, lastKnownGood: rev(1), rollbackTarget: null, heldReleaseId: null, paused: null, pendingReleaseId: null, operation: null,
  incident: null, liveMetric: null, lastCheck: null, ...over,
});
const daemonWith = (environments: EnvironmentView[]): DaemonState => ({
  daemon: { pid: 1, version: '0.1.0', protocolVersion: 1, repo: '/repo', socket: '/s', tokenFile: '/t', listen: null, startedAt: 't' },
  config: { file: 'axum.yml', valid: true, errors: [], loadedAt: 't' },
  environments, runs: Array.from({ length: 30 }, (_, i) => run(30 - i)), warnings: [], clients: 2, attached: [], activity: [], backups: [],
});
const connected = (environments: EnvironmentView[]) => reduce(initialTuiState, { type: 'connection.connected', clientId: 'c1', state: daemonWith(environments) });
const tick = () => new Promise((resolve) => setTimeout(resolve, 20));

/** The frame the App draws on the dashboard: header, view and footer, the view given the rows the App gives it. */
async function dashboard(state: TuiState, rows: number, columns: number) {
  const { lastFrame } = render(
    <>
      <Header state={state} columns={columns} />
      <Dashboard state={state} rows={rows} columns={columns} chrome={chromeRows(state)} />
      <Footer state={state} columns={columns} />
    </>,
  );
  await tick();
  return (lastFrame() ?? '').split('\n');
}

describe('a list cut to fit the terminal', () => {
  it.each([
    [80, 24],
    [120, 40],
  ])('at %i×%i takes every row but the last, with a notice or without: the frame keeps its height', async (columns, rows) => {
    const quiet = connected([env('staging'), env('production')]);
    const frame = await dashboard(quiet, rows, columns);
    expect(frame).toHaveLength(rows - 1);
    // The runs' `↓ N more`, then the footer's blank row and its keys: no empty row between.
    expect(frame.at(-3)).toMatch(/^↓ \d+ more \(j\/k, PgUp\/PgDn; axum runs\)$/);
    expect(frame.at(-2)).toBe('');
    const noticed = await dashboard({ ...quiet, notice: 'staging pinned' }, rows, columns);
    expect(noticed).toHaveLength(rows - 1);
    expect(noticed.at(-4)).toMatch(/^↓ \d+ more/);
    expect(noticed.slice(-3, -1)).toEqual(['', 'staging pinned']);
    // The notice's row is given by the list: one run fewer, one more out of sight.
    const more = (lines: string[]) => Number(/↓ (\d+) more/.exec(lines.join('\n'))?.[1]);
    expect(more(noticed)).toBe(more(frame) + 1);
  });
});

describe('the header while disconnected', () => {
  it('says no client count from the last state, only the connection', async () => {
    const state = connected([env('staging')]);
    const live = render(<Header state={state} columns={120} />);
    await tick();
    expect(live.lastFrame()).toContain('2 clients');
    const lost = reduce(state, { type: 'connection.lost', attempt: 1, reason: 'socket closed', retryInMs: 250, at: '2026-11-29T10:00:00.000Z' });
    const stale = render(<Header state={lost} columns={120} />);
    await tick();
    expect(stale.lastFrame()).toContain('STALE since 10:00:00: disconnected, reconnecting…');
    expect(stale.lastFrame()).not.toMatch(/client/);
  });
});

describe('a key the TUI would refuse', () => {
  const r = (state: TuiState) => bindingsFor(state).find((b) => b.label === 'r')!;

  it('is not offered in the footer, and ? says why in the words a press says', async () => {
    // One revision live, nothing else verified: nothing to roll back to.
    const state = connected([env('staging'), env('production')]);
    const footer = render(<Footer state={state} columns={120} />);
    await tick();
    expect(footer.lastFrame()).not.toContain('r roll back');
    const build = r(state).command;
    const pressed = build.kind === 'daemon' ? confirmationFor(build.build(state)!, state) : null;
    expect(pressed).toEqual({ refused: 'staging serves its only last known good (#1): axum rollback staging --to N goes further back, or Enter, then r on an older one' });
    expect(unavailableReason(r(state), state)).toBe(pressed && 'refused' in pressed ? pressed.refused : null);
    const help = render(<HelpOverlay state={{ ...state, helpOpen: true }} rows={40} columns={120} />);
    await tick();
    expect((help.lastFrame() ?? '').replace(/\s+/g, ' ')).toMatch(/r roll back: .* — disabled: staging serves its only last known good \(#1\)/);
  });

  it('leaves its place blank in the footer: Tab to the runs and back, every hint stays where it was (80 columns)', async () => {
    let state = connected([env('staging', { live: rev(2), lastKnownGood: rev(2), rollbackTarget: rev(1) }), env('production')]);
    const lines: string[] = [];
    for (const _focus of ['environments', 'runs', 'environments']) {
      const footer = render(<Footer state={state} columns={80} />);
      await tick();
      lines.push((footer.lastFrame() ?? '').split('\n').at(-1)!);
      state = reduce(state, { type: 'focus.toggle' });
    }
    expect(lines).toEqual([
      'Tab focus · Enter open · / filter · r roll back       ? help · Esc back · q quit',
      'Tab focus · Enter open · / filter                     ? help · Esc back · q quit',
      'Tab focus · Enter open · / filter · r roll back       ? help · Esc back · q quit',
    ]);
  });

  it('is offered where the press would ask instead', async () => {
    const state = connected([env('staging', { live: rev(2), lastKnownGood: rev(2), rollbackTarget: rev(1) }), env('production')]);
    expect(unavailableReason(r(state), state)).toBeNull();
    const footer = render(<Footer state={state} columns={120} />);
    await tick();
    expect(footer.lastFrame()).toContain('r roll back');
  });
});

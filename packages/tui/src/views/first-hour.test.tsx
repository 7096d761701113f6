// The first hour at 80×24 (issue 18, the second pass), as drawn: an inconclusive check and a paused
// revision's metrics, the dashboard using its rows, the help's key column, history's BY, presence.
import { render } from 'ink-testing-library';
import { describe, expect, it } from 'vitest';
import type { DaemonState, RevisionView } from '@axum/protocol';
import { LogBuffer } from '../client/log-buffer.js';
import { LogPager } from '../client/log-pager.js';
import { gateBadge } from '../state/selectors.js';
import { initialTuiState, type TuiState } from '../state/tui-state.js';
import { RunView, type LogPosition } from './RunView.js';
import { Box } from 'ink';
import type { AttachedClient, EnvironmentView, RunView as Run } from '@axum/protocol';
import { KEYMAP, bindingsFor } from '../keymap.js';
import { reduce } from '../state/tui-state.js';
import { Dashboard } from './Dashboard.js';
import { Footer } from './Footer.js';
import { Header, presence } from './Header.js';
import { HelpOverlay } from './HelpOverlay.js';
import { HistoryView } from './HistoryView.js';

const paused: RevisionView = {
  revision: 3, status: 'failed', kind: 'deploy', releaseId: 'rel-3', commit: 'a'.repeat(40), rollbackTo: null, verified: false, createdAt: 't', finishedAt: 't', by: 'push run-3',
  message: 'inconclusive: check error_rate: 1 measurements inconclusive (more than 0); the last: connection refused (axum logs staging#3 --step error_rate); nothing was marked bad or rolled back; staging is paused',
  runId: 'run-3', metrics: { accuracy: 0.92 }, gates: [], checks: { total: 0, failed: 0 }, paused: true,
  steps: [
    { stage: 'verify', name: 'eval', status: 'succeeded', exitCode: 0, durationMs: 1000, startedAt: 't', logBytes: 0 },
    { stage: 'verify', name: 'error_rate', status: 'failed', exitCode: null, durationMs: 1000, startedAt: 't', logBytes: 0 },
  ],
};

describe('a paused revision', () => {
  it('shows what its eval wrote in GATES (no verdict: not judged), not —', () => {
    expect(gateBadge(paused)).toBe('? accuracy 0.92');
    expect(gateBadge({ ...paused, metrics: { accuracy: 0.92, loss: 0.1 } })).toBe('? accuracy 0.92 +1');
    expect(gateBadge({ ...paused, gates: [{ metric: 'accuracy', op: '>=', threshold: null, value: 0.92, lkgValue: null, verdict: 'inconclusive', reason: 'no LKG', expression: '>= lkg' }] })).toBe('? accuracy 0.92');
  });

  it('its inconclusive check reads inconclusive (?), not failed', async () => {
    const state: TuiState = { ...initialTuiState, daemon: { runs: [], environments: [] } as unknown as DaemonState, histories: { staging: [paused] }, view: { kind: 'run', runId: 'staging#3', step: 1, scroll: null } };
    const pager = new LogPager(new LogBuffer(), async (offset) => ({ offset, nextOffset: offset, data: '', complete: true, times: [] }));
    const positionRef: { current: LogPosition | null } = { current: null };
    const { lastFrame } = render(<RunView state={state} view={state.view as Extract<TuiState['view'], { kind: 'run' }>} log={pager} rows={24} columns={80} positionRef={positionRef} />);
    const frame = lastFrame() ?? '';
    expect(frame).toMatch(/\? verify\/error_rate inconclusive/);
    expect(frame).toMatch(/✓ verify\/eval succeeded/);
    expect(frame).not.toMatch(/error_rate failed/);
    // Its title says the status in the history's words: inconclusive, not failed.
    expect(frame.split('\n')[0]).toMatch(/^staging#3 inconclusive$/);
  });

  it("a revision a rollback superseded says so in its title, as the history does", () => {
    const rolledBack: RevisionView = { ...paused, status: 'superseded', message: null, paused: false, verified: true, supersededBy: { revision: 4, kind: 'auto-rollback' } };
    const state: TuiState = { ...initialTuiState, daemon: { runs: [], environments: [] } as unknown as DaemonState, histories: { staging: [rolledBack] }, view: { kind: 'run', runId: 'staging#3', step: 0, scroll: null } };
    const pager = new LogPager(new LogBuffer(), async (offset) => ({ offset, nextOffset: offset, data: '', complete: true, times: [] }));
    const { lastFrame } = render(<RunView state={state} view={state.view as Extract<TuiState['view'], { kind: 'run' }>} log={pager} rows={24} columns={80} positionRef={{ current: null }} />);
    expect((lastFrame() ?? '').split('\n')[0]).toBe('staging#3 superseded, rolled back · verified');
  });
});

const tick = () => new Promise((resolve) => setTimeout(resolve, 20));
const run = (n: number): Run => ({
  id: `run-${n}`, number: n, status: 'succeeded', commit: `${n}`.padEnd(40, 'a'), branch: 'main', env: 'production', trigger: 'push', reused: false,
  createdAt: 't', startedAt: '2026-11-29T10:00:00.000Z', finishedAt: '2026-11-29T10:00:05.000Z', steps: [], subject: `commit ${n}`, releaseId: null, message: null, warnings: [], deploy: null,
});
const environment = (name: string): EnvironmentView => ({
  name, branch: name, path: `/r/${name}`, protected: false, approval: 'auto', inConfig: true, pinned: false, awaitingApproval: false,
  live: { revision: 12, releaseId: 'rel-12', commit: 'b'.repeat(40) }, serving: null, lastKnownGood: null, rollbackTarget: null, heldReleaseId: null, paused: null, pendingReleaseId: null, operation: null, incident: null, liveMetric: null, lastCheck: null,
});
const daemon = (extra: Partial<DaemonState> = {}): DaemonState => ({
  daemon: { pid: 1, version: '0.1.0', protocolVersion: 1, repo: '/repo', socket: '/s', tokenFile: '/t', listen: null, startedAt: 't' },
  config: { file: 'axum.yml', valid: true, errors: [], loadedAt: 't' },
  environments: ['dev', 'staging', 'production'].map(environment), runs: Array.from({ length: 30 }, (_, i) => run(30 - i)), warnings: [], clients: 1, attached: [], activity: [], backups: [], ...extra,
});

describe('at 80×24', () => {
  it("a revision's many monitor checks give way to the log: the run view stays below the height", async () => {
    const checks = Array.from({ length: 11 }, (_, i) => ({ stage: 'monitor' as const, name: `check-${i + 1}`, status: 'succeeded' as const, exitCode: 0, durationMs: 0, startedAt: 't', logBytes: 0 }));
    const revision: RevisionView = { ...paused, message: 'rolled back to #4', steps: checks, checks: { total: 11, failed: 0 }, gates: [{ metric: 'accuracy', op: '>=', threshold: 0.85, value: 0.9, lkgValue: 0.9, verdict: 'pass', reason: null, expression: '>= 0.85' }] };
    const state: TuiState = { ...initialTuiState, daemon: { runs: [], environments: [] } as unknown as DaemonState, histories: { staging: [revision] }, view: { kind: 'run', runId: 'staging#3', step: 10, scroll: null } };
    const pager = new LogPager(new LogBuffer(), async (offset) => ({ offset, nextOffset: offset, data: '', complete: true, times: [] }));
    const positionRef: { current: LogPosition | null } = { current: null };
    const { lastFrame } = render(<RunView state={state} view={state.view as Extract<TuiState['view'], { kind: 'run' }>} log={pager} rows={24} columns={80} positionRef={positionRef} />);
    const frame = (lastFrame() ?? '').split('\n');
    // The header (3 rows) and the footer (3) are around it: 24 − 6, less the row to spare.
    expect(frame.length).toBeLessThanOrEqual(17);
    expect(frame.join('\n')).toContain('› ✓ monitor/check-11');
    expect(positionRef.current?.rows).toBe(3);
  });

  it('the dashboard uses its rows: the frame is one row short of the terminal, not four', async () => {
    // With a notice up (the footer's tallest): no row is left unused.
    const state = reduce(reduce(initialTuiState, { type: 'connection.connected', clientId: 'me', state: daemon() }), { type: 'notice', message: 'staging pinned' });
    const { lastFrame } = render(
      <Box flexDirection="column" width={80}>
        <Header state={state} columns={80} />
        <Dashboard state={state} rows={24} chrome={7} />
        <Footer state={state} columns={80} />
      </Box>,
    );
    await tick();
    expect((lastFrame() ?? '').split('\n')).toHaveLength(23);
  });

  it("the run help's key column fits its longest key: every description starts in one column", async () => {
    const inRun: TuiState = { ...initialTuiState, helpOpen: true, view: { kind: 'run', runId: 'run-1', step: 0, scroll: null } };
    const { lastFrame } = render(<HelpOverlay state={inRun} rows={60} columns={120} />);
    await tick();
    const rows = (lastFrame() ?? '').split('\n');
    const start = (label: string, description: string) => {
      const row = rows.find((r) => r.includes(`${label} `) && r.includes(description))!;
      return row.indexOf(description) - row.indexOf(label);
    };
    expect(start('PgDn/PgUp', 'a page down')).toBe(start('G/End', 'bottom of the log'));
    expect(start('PgDn/PgUp', 'a page down')).toBeGreaterThan('PgDn/PgUp'.length);
  });

  it("history's BY keeps `push run-12` whole at 80 columns", async () => {
    const revision: RevisionView = { ...paused, revision: 12, status: 'live', paused: false, message: null, by: 'push run-12', kind: 'auto-rollback', releaseId: 'rel-12', createdAt: new Date().toISOString(), rollbackTo: 11, gates: [{ metric: 'accuracy', op: '>=', threshold: 0.9, value: 0.035, lkgValue: 0.9, verdict: 'fail', reason: null, expression: '>= 0.9' }, { metric: 'loss', op: '<=', threshold: 1, value: 0.5, lkgValue: null, verdict: 'pass', reason: null, expression: '<= 1' }] };
    const state: TuiState = { ...reduce(initialTuiState, { type: 'connection.connected', clientId: 'me', state: daemon() }), histories: { staging: [revision] }, view: { kind: 'history', env: 'staging', selected: 0 } };
    const { lastFrame } = render(
      <Box width={80} flexDirection="column">
        <HistoryView state={state} view={state.view as Extract<TuiState['view'], { kind: 'history' }>} link={null} dispatch={() => undefined} rows={24} />
      </Box>,
    );
    await tick();
    const row = (lastFrame() ?? '').split('\n').find((r) => r.includes('auto →'))!;
    expect(row.length, row).toBeLessThanOrEqual(80);
    expect(row).toMatch(/auto → #11\s+rel-12\s+✗ accuracy 0\.035 \+1\s+0s\s+push run-12$/);
  });

  it('the presence list fits: names when they fit, else counted by command', () => {
    const client = (id: string, name: string, user: string, terminal: string | null): AttachedClient => ({ id, name, user, terminal, since: '2026-12-04T10:00:00.000Z', pid: 1 }) as AttachedClient;
    const attached = [client('me', 'axum-tui', 'root', 'pts/0'), client('a', 'axum-tui', 'root', 'pts/1'), client('b', 'axum-status', 'root', null)];
    const now = Date.parse('2026-12-04T10:07:00.000Z');
    expect(presence(attached, 3, 'me', 80, now)).toBe('3 clients: you, root tui pts/1 7m, root status 7m');
    expect(presence([...attached, client('c', 'axum-tui', 'root', 'pts/2')], 4, 'me', 30, now)).toBe('4 clients: you, 2 tui, status');
    expect(presence([attached[0]!], 1, 'me', 30, now)).toBe('1 client');
    // A STALE header leaves little room: the count alone, not `2 cli…`.
    expect(presence(attached, 3, 'me', 12, now)).toBe('3 clients');
  });

  it('g/G go to the first and last row of the dashboard lists, and the help names them', () => {
    let state = reduce(initialTuiState, { type: 'connection.connected', clientId: 'me', state: daemon() });
    state = reduce(state, { type: 'focus.toggle' });
    const press = (s: TuiState, input: string) => reduce(s, (KEYMAP.find((b) => b.views.includes('dashboard') && b.matches(input, {} as never))!.command as unknown as { action: never }).action);
    state = press(state, 'G');
    expect(state.selectedRun).toBe(29);
    expect(press(state, 'g').selectedRun).toBe(0);
    expect(bindingsFor(state).map((b) => b.label)).toEqual(expect.arrayContaining(['g/Home', 'G/End']));
  });
});

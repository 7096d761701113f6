import { Box } from 'ink';
import { render } from 'ink-testing-library';
import { describe, expect, it } from 'vitest';
import type { DaemonState, RunView } from '@axum/protocol';
import { initialTuiState, reduce } from '../state/tui-state.js';
import { Dashboard } from './Dashboard.js';
import { Footer } from './Footer.js';
import { Header } from './Header.js';

const run = (n: number): RunView => ({
  id: `run-${n}`, number: n, status: n === 30 ? 'running' : 'succeeded', commit: `${n}`.padEnd(40, 'a'), branch: 'main', env: 'production', trigger: 'push', reused: false,
  createdAt: '2026-11-29T10:00:00.000Z', startedAt: '2026-11-29T10:00:00.000Z', finishedAt: n === 30 ? null : '2026-11-29T10:00:05.000Z',
  steps: [], subject: `commit ${n}`, releaseId: null, message: null, warnings: [], deploy: n === 29 ? { env: 'production', revision: 29, outcome: 'failed' } : null,
});
const daemon: DaemonState = {
  daemon: { pid: 1, version: '0.1.0', protocolVersion: 1, repo: '/repo', socket: '/s', tokenFile: '/t', listen: null, startedAt: 't' },
  config: { file: 'axum.yml', valid: true, errors: [], loadedAt: 't' },
  environments: ['dev', 'staging', 'production'].map((name) => ({
    name, branch: name, path: `/repo/.axum/envs/${name}`, protected: name === 'production', approval: 'auto' as const, inConfig: true, pinned: name === 'production', awaitingApproval: false,
    live: { revision: 3, releaseId: 'rel-7', commit: 'b'.repeat(40) }, serving: null, lastKnownGood: { revision: 2, releaseId: 'rel-5', commit: 'c'.repeat(40) }, rollbackTarget: null, heldReleaseId: null, paused: null, pendingReleaseId: null, operation: null,
    incident: name === 'staging' ? '#4 failed verification; rolled back to #3' : null,
    liveMetric: name === 'staging' ? { name: 'accuracy', value: 0.93, lkgValue: 0.91 } : null,
    lastCheck: name === 'staging' ? { passed: false, inconclusive: false, at: 't', step: 'check-4' } : null,
  })),
  runs: Array.from({ length: 30 }, (_, i) => run(30 - i)),
  warnings: [],
  clients: 2, attached: [], activity: [], backups: [],
};

const tick = () => new Promise((resolve) => setTimeout(resolve, 20));

describe('the dashboard', () => {
  it('fits an 80×24 terminal with 30 runs: the frame stays below the height (no flicker)', async () => {
    const state = reduce(initialTuiState, { type: 'connection.connected', clientId: 'c1', state: daemon });
    const { lastFrame } = render(
      <>
        <Header state={state} />
        <Dashboard state={state} rows={24} />
        <Footer state={state} />
      </>,
    );
    await tick();
    const frame = lastFrame() ?? '';
    expect(frame.split('\n').length).toBeLessThan(24);
    expect(frame).toContain('2 clients');
    // Its incident leads HEALTH (`!`); the LKG's value gives way to it, not the metric (the history has it).
    expect(frame).toMatch(/staging\s+staging\s+#3\s+rel-7\s+#2\s+! ✗ accuracy 0\.93\s/);
    expect(frame).toMatch(/run-29\s+succeeded\s+production#29 ✗ failed\s/);
    // Every column holds at 80, the flags never cut (short forms where narrower: the help's legend names them).
    expect(frame).toMatch(/production\s+production\s+#3\s+rel-7\s+#2\s+—\s+pinned, protected\n/);
    expect(frame).toContain('! staging: #4 failed verification; rolled back to #3');
    expect(frame).toContain('run-30');
    expect(frame).toMatch(/\n↓ \d+ more \(j\/k, PgUp\/PgDn; axum runs\)/);
    expect(frame).not.toMatch(/↑ \d+ more/);
  });

  it('says which way the runs out of sight are: above at the bottom of the list (G), both ways between', async () => {
    let state = reduce(initialTuiState, { type: 'connection.connected', clientId: 'c1', state: daemon });
    state = reduce(state, { type: 'focus.toggle' });
    state = reduce(state, { type: 'selection.move', by: Number.MAX_SAFE_INTEGER });
    const bottom = render(<Dashboard state={state} rows={24} />);
    await tick();
    expect(bottom.lastFrame()).toMatch(/\n↑ \d+ more \(j\/k/);
    expect(bottom.lastFrame()).not.toMatch(/↓ \d+ more/);
    state = reduce(state, { type: 'selection.move', by: -15 });
    const middle = render(<Dashboard state={state} rows={24} />);
    await tick();
    expect(middle.lastFrame()).toMatch(/\n↑ \d+ more · ↓ \d+ more \(j\/k/);
  });

  it('gives the columns the width of their content, so at 80 columns FLAGS says a serving release is marked bad', async () => {
    const environments = daemon.environments.map((e) => (e.name === 'production' ? { ...e, pinned: true, servingBad: { releaseId: 'rel-19', by: 'ana', at: 't', why: 'x' }, liveMetric: { name: 'accuracy', value: 0.93, lkgValue: 0.91 }, lastCheck: { passed: true, inconclusive: false, at: 't', step: 'check-9' } } : e));
    const state = reduce(initialTuiState, { type: 'connection.connected', clientId: 'c1', state: { ...daemon, environments } });
    const { lastFrame } = render(<Box width={80}><Dashboard state={state} rows={24} /></Box>);
    await tick();
    const row = (lastFrame() ?? '').split('\n').find((r) => r.includes('production')) ?? '';
    // BRANCH and LKG give way (secondary: the history has both), so FLAGS, state, is read: in short
    // forms, the least needed (the config's) shortened first, none cut.
    expect(row).toMatch(/production #3 {3}rel-7 {3}✓/);
    expect(row).toMatch(/^\s+production #3 /);
    expect(row).toMatch(/ rel-19 bad, pinned, prot$/);
  });

  it('keeps the selected run on screen when moving down the list', async () => {
    let state = reduce(initialTuiState, { type: 'connection.connected', clientId: 'c1', state: daemon });
    state = reduce(state, { type: 'focus.toggle' });
    for (let i = 0; i < 25; i++) state = reduce(state, { type: 'selection.move', by: 1 });
    const { lastFrame } = render(<Dashboard state={state} rows={24} />);
    await tick();
    expect(lastFrame()).toContain('run-5 ');
  });

  it('marks the selected row in plain text too (NO_COLOR turns inverse off): a › gutter that j moves', async () => {
    let state = reduce(initialTuiState, { type: 'connection.connected', clientId: 'c1', state: daemon });
    const marked = (frame: string) => frame.split('\n').filter((row) => row.startsWith('› ')).map((row) => row.split(/\s+/)[1]);
    const first = render(<Dashboard state={state} rows={24} />);
    await tick();
    expect(marked(first.lastFrame() ?? '')).toEqual(['dev']);
    state = reduce(state, { type: 'selection.move', by: 1 });
    const second = render(<Dashboard state={state} rows={24} />);
    await tick();
    expect(marked(second.lastFrame() ?? '')).toEqual(['staging']);
    state = reduce(state, { type: 'focus.toggle' });
    const runs = render(<Dashboard state={state} rows={24} />);
    await tick();
    expect(marked(runs.lastFrame() ?? '')).toEqual(['run-30']);
  });
  it('the LKG column shows the last known good as defined: the live revision itself when it is verified', async () => {
    const live = { revision: 2, releaseId: 'rel-5', commit: 'c'.repeat(40) };
    const environments = daemon.environments.map((e) => ({ ...e, live, lastKnownGood: live, rollbackTarget: { revision: 1, releaseId: 'rel-4', commit: 'd'.repeat(40) }, incident: null }));
    const state = reduce(initialTuiState, { type: 'connection.connected', clientId: 'c1', state: { ...daemon, environments } });
    const { lastFrame } = render(<Dashboard state={state} rows={24} />);
    await tick();
    expect(lastFrame()).toMatch(/dev\s+dev\s+#2\s+rel-5\s+#2\s/);
  });
});

describe('the footer', () => {
  it('wraps a notice longer than a row to two rows in the blank row above it, and cuts a longer one with where to read it whole', async () => {
    const notice = "refused: #2's release rel-4 is marked bad (rolled back from #2 to #1, by axum demo); to go back to it anyway: axum rollback production --to 2 --force";
    const connected = reduce(initialTuiState, { type: 'connection.connected', clientId: 'c1', state: daemon });
    const { lastFrame } = render(<Footer state={{ ...connected, notice }} columns={80} />);
    await tick();
    const rows = (lastFrame() ?? '').split('\n');
    // The same three rows as a notice that fits (blank, notice, keys): nothing below moves.
    expect(rows).toHaveLength(3);
    expect(rows[0]).toMatch(/^refused: #2's release rel-4 is marked bad \(rolled back from #2 to #1, by axum$/);
    expect(rows[1]).toBe('demo); to go back to it anyway: axum rollback production --to 2 --force');
    // At 80 columns the moving keys give way first: ? Esc and q always show (r is not offered:
    // nothing passed verification here, so there is nothing to roll back to; its place stays).
    expect(rows[2]).toMatch(/^Tab focus · Enter open · \/ filter {3,}\? help · Esc back · q quit$/);
    const longer = render(<Footer state={{ ...connected, notice: `${notice}; ${notice}` }} columns={80} />);
    await tick();
    const cut = (longer.lastFrame() ?? '').split('\n');
    expect(cut).toHaveLength(3);
    expect(cut[1]).toMatch(/… \(e: whole\)$/);
    expect(cut[1]!.length).toBe(80);
  });

  it('shows a notice that fits as it is', async () => {
    const state = { ...reduce(initialTuiState, { type: 'connection.connected', clientId: 'c1', state: daemon }), notice: 'staging pinned' };
    const { lastFrame } = render(<Footer state={state} columns={80} />);
    await tick();
    const rows = (lastFrame() ?? '').split('\n').filter((row) => row.trim() !== '');
    expect(rows).toEqual(['staging pinned', expect.stringMatching(/\S {3,}\? help · Esc back · q quit$/)]);
  });
});

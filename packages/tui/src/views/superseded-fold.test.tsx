// A burst of commits (or a merge) supersedes several runs of one branch: at 80×24 they fold into one
// row, selectable like a run, shown again by Enter or by a `/` filter.
import { render } from 'ink-testing-library';
import { describe, expect, it } from 'vitest';
import type { DaemonState, RunView } from '@axum/protocol';
import { initialTuiState, reduce, type TuiState } from '../state/tui-state.js';
import { runRows, selectedRunOf } from '../state/run-rows.js';
import { Dashboard } from './Dashboard.js';

const run = (n: number, status: RunView['status'], branch: string): RunView => ({
  id: `run-${n}`, number: n, status, commit: `${n}`.padEnd(40, 'a'), branch, env: branch === 'develop' ? 'dev' : 'staging', trigger: 'push', reused: false,
  createdAt: '2026-12-05T10:00:00.000Z', startedAt: '2026-12-05T10:00:00.000Z', finishedAt: '2026-12-05T10:00:05.000Z',
  steps: [], subject: `commit ${n}`, releaseId: null, message: status === 'superseded' ? 'superseded by run-16' : null, warnings: [], deploy: null,
});

// Newest first: run-16 took the place of run-15..run-12 (develop); run-11 and older are staging's.
const runs = [run(16, 'succeeded', 'develop'), ...[15, 14, 13, 12].map((n) => run(n, 'superseded', 'develop')), ...Array.from({ length: 11 }, (_, i) => run(11 - i, i === 3 ? 'superseded' : 'succeeded', 'staging'))];
const daemon = {
  daemon: { pid: 1, version: '0.1.0', protocolVersion: 1, repo: '/repo', socket: '/s', tokenFile: '/t', listen: null, startedAt: 't' },
  config: { file: 'axum.yml', valid: true, errors: [], loadedAt: 't' },
  environments: [],
  runs,
  warnings: [], clients: 1, attached: [], activity: [], backups: [],
} as unknown as DaemonState;

const connected = () => reduce(reduce(initialTuiState, { type: 'connection.connected', clientId: 'c1', state: daemon }), { type: 'focus.toggle' });
const tick = () => new Promise((resolve) => setTimeout(resolve, 20));
const frameOf = async (state: TuiState) => {
  const { lastFrame, unmount } = render(<Dashboard state={state} rows={24} columns={80} />);
  await tick();
  // Read before unmount: unmounting renders the empty tree, and under load that frame can land first.
  const frame = lastFrame() ?? '';
  unmount();
  return frame;
};
const marked = (frame: string) => frame.split('\n').filter((row) => row.startsWith('› '));

describe('superseded runs of one branch, one after another', () => {
  it('fold into one row at 80×24: the runs below them stay on screen', async () => {
    const frame = await frameOf(connected());
    expect(frame).toContain('… 4 superseded runs of develop (run-12..run-15)');
    expect(frame).not.toMatch(/run-13 /);
    // A single superseded run stays a run: a fold of one saves no row.
    expect(frame).toMatch(/run-8\s+superseded/);
    expect(frame).toMatch(/run-1 /);
    expect(frame).not.toMatch(/more \(j\/k/);
  });

  it('the fold is a row j/k select; Enter shows its runs, the cursor on the newest, and Enter then opens it', async () => {
    let state = reduce(connected(), { type: 'selection.move', by: 1 });
    // Selected, it says what Enter does there.
    expect(marked(await frameOf(state))).toEqual([expect.stringContaining('… 4 superseded runs of develop (run-12..run-15) · Enter shows them')]);
    expect(selectedRunOf(state)).toBeUndefined();
    state = reduce(state, { type: 'selection.move', by: 1 });
    expect(selectedRunOf(state)?.id).toBe('run-11');
    state = reduce(state, { type: 'selection.move', by: -1 });
    state = reduce(state, { type: 'open' });
    expect(state.view.kind).toBe('dashboard');
    const frame = await frameOf(state);
    expect(frame).not.toContain('superseded runs of');
    expect(marked(frame)).toEqual([expect.stringMatching(/^› run-15\s+superseded/)]);
    for (const n of [14, 13, 12]) expect(frame).toMatch(new RegExp(`run-${n}\\s+superseded`));
    state = reduce(state, { type: 'open' });
    expect(state.view).toMatchObject({ kind: 'run', runId: 'run-15' });
  });

  it('a / filter shows each run that matches, folded or not', async () => {
    let state = reduce(connected(), { type: 'filter.start' });
    for (const ch of 'develop') state = reduce(state, { type: 'filter.key', input: ch, backspace: false });
    const frame = await frameOf(state);
    expect(frame).not.toContain('superseded runs of');
    for (const n of [16, 15, 14, 13, 12]) expect(frame).toMatch(new RegExp(`run-${n}\\s`));
    expect(runRows(state)).toHaveLength(5);
  });

  it('the cursor stays on the fold as a new run lands on top, and a run superseded under it joins it', () => {
    let state = reduce(connected(), { type: 'selection.move', by: 1 });
    const newer = run(17, 'running', 'develop');
    state = reduce(state, { type: 'daemon.delta', delta: { type: 'run.updated', run: newer } as never });
    expect(runRows(state)[state.selectedRun]).toMatchObject({ kind: 'fold', branch: 'develop' });
    expect(state.selectedRun).toBe(2);
    // run-16 superseded by run-17: it joins the fold under it (5 runs), the cursor on the same fold.
    state = reduce(state, { type: 'daemon.delta', delta: { type: 'run.updated', run: { ...runs[0]!, status: 'superseded' } } as never });
    expect(runRows(state)[state.selectedRun]).toMatchObject({ kind: 'fold', runs: expect.arrayContaining([expect.objectContaining({ id: 'run-16' })]) });
    expect(state.selectedRun).toBe(1);
  });
});

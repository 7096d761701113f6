import { describe, expect, it } from 'vitest';
import type { DaemonState, EnvironmentView, RunView } from '@axum/protocol';
import { resolveKey } from '../keymap.js';
import { visibleEnvironments, visibleRuns } from './dashboard-filter.js';
import { initialTuiState, reduce, type TuiAction, type TuiState } from './tui-state.js';

const run = (n: number, branch: string, subject: string, status: RunView['status'] = 'succeeded'): RunView => ({
  id: `run-${n}`, number: n, status, commit: `${n}`.padEnd(40, 'c'), branch, env: branch === 'main' ? 'production' : branch, trigger: 'push', reused: false, createdAt: 't', startedAt: 't', finishedAt: null,
  steps: [], subject, releaseId: null, message: null, warnings: [], deploy: null,
});
const env = (name: string, branch: string): EnvironmentView => ({
  name, branch, path: `/r/${name}`, protected: name === 'production', approval: 'auto', inConfig: true, pinned: false, awaitingApproval: false,
  live: null, serving: null, lastKnownGood: null, rollbackTarget: null, heldReleaseId: null, paused: null, pendingReleaseId: null, operation: null, incident: null, liveMetric: null, lastCheck: null,
});
const daemon: DaemonState = {
  daemon: { pid: 1, version: '0.1.0', protocolVersion: 1, repo: '/r', socket: '/s', tokenFile: '/t', listen: null, startedAt: 't' },
  config: { file: 'axum.yml', valid: true, errors: [], loadedAt: 't' },
  environments: [env('dev', 'develop'), env('staging', 'staging'), env('production', 'main')],
  runs: [run(5, 'main', 'tune the learning rate'), run(4, 'develop', 'more data', 'failed'), run(3, 'staging', 'tune the tokenizer'), run(2, 'develop', 'first model')],
  warnings: [],
  clients: 1, attached: [], activity: [], backups: [],
};
const noKeys = { upArrow: false, downArrow: false, leftArrow: false, rightArrow: false, pageDown: false, pageUp: false, home: false, end: false, return: false, escape: false, ctrl: false, shift: false, tab: false, backspace: false, delete: false, meta: false, super: false, hyper: false, capsLock: false, numLock: false };
const typed = (state: TuiState, text: string) => [...text].reduce((s, input) => reduce(s, { type: 'filter.key', input, backspace: false }), state);
const connected = () => reduce(initialTuiState, { type: 'connection.connected', clientId: 'c', state: daemon });

describe('the dashboard filter (/)', () => {
  it('narrows both lists as it is typed, and selection keys move within what shows', () => {
    let state = reduce(connected(), { type: 'filter.start' });
    state = typed(state, 'tune');
    expect(visibleRuns(state).map((r) => r.id)).toEqual(['run-5', 'run-3']);
    expect(visibleEnvironments(state)).toEqual([]);
    state = reduce(state, { type: 'filter.key', input: '', backspace: true });
    state = reduce(state, { type: 'filter.done', clear: false });
    // No environment matches and runs do: the focus goes to the runs, where the selection shows.
    expect(state.focus).toBe('runs');
    state = reduce(state, { type: 'selection.move', by: 5 });
    expect(visibleRuns(state)[state.selectedRun]?.id).toBe('run-3');
    // Enter opens the run under the cursor of the filtered list, not the full list's row.
    const opened = reduce(state, { type: 'open' });
    expect(opened.view).toMatchObject({ kind: 'run', runId: 'run-3' });
    // Tab to the environments, which the filter left empty: refused, saying why (nothing would be selected there).
    const tab = { ...noKeys, tab: true };
    expect(resolveKey(state, '', tab)?.disabled).toBe('no environment matches /tun (Esc clears the filter)');
    expect(resolveKey(state, '', { ...noKeys, return: true })?.disabled).toBeNull();
    // Focus left on an empty list anyway (an older filter): Enter says why it opens nothing.
    expect(resolveKey({ ...state, focus: 'environments' }, '', { ...noKeys, return: true })?.disabled).toBe('no environment matches /tun (Esc clears the filter)');
    expect(resolveKey(connected(), '', tab)?.disabled).toBeNull();
  });

  it('matches environments by name or branch, and runs by status; Esc clears it', () => {
    let state = typed(reduce(connected(), { type: 'filter.start' }), 'develop');
    expect(visibleEnvironments(state).map((e) => e.name)).toEqual(['dev']);
    state = reduce(state, { type: 'filter.done', clear: false });
    expect(visibleRuns(typed(reduce(connected(), { type: 'filter.start' }), 'failed')).map((r) => r.id)).toEqual(['run-4']);
    const back: TuiAction = { type: 'back' };
    state = reduce(state, back);
    expect(state.filter).toEqual({ editing: false, text: '' });
    expect(visibleRuns(state)).toHaveLength(4);
  });

  it('/ on the dashboard starts the filter; in a run view it still searches the log', () => {
    const slash = { upArrow: false, downArrow: false, leftArrow: false, rightArrow: false, pageDown: false, pageUp: false, home: false, end: false, return: false, escape: false, ctrl: false, shift: false, tab: false, backspace: false, delete: false, meta: false, super: false, hyper: false, capsLock: false, numLock: false };
    expect(resolveKey(connected(), '/', slash)?.binding.description).toContain('filter');
    const inRun = { ...connected(), view: { kind: 'run' as const, runId: 'run-5', step: 0, scroll: null } };
    expect(resolveKey(inRun, '/', slash)?.binding.description).toContain('search the log');
  });
});

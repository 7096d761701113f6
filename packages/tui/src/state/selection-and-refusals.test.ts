import { describe, expect, it } from 'vitest';
import type { DaemonState, EnvironmentView, RevisionView, RunView } from '@axum/protocol';
import { confirmationFor, rollbackMarkNote } from './actions.js';
import { resolveKey } from '../keymap.js';
import { environmentCells } from './selectors.js';
import { confirmKey } from './confirm-keys.js';
import type { Key } from 'ink';
import { initialTuiState, reduce, type TuiState } from './tui-state.js';

const run = (n: number, status: RunView['status'] = 'succeeded', steps: RunView['steps'] = []): RunView => ({
  id: `run-${n}`, number: n, status, commit: 'c'.repeat(40), branch: 'main', env: 'production', trigger: 'push', reused: false, createdAt: 't', startedAt: 't', finishedAt: null,
  steps, subject: 's', releaseId: null, message: null, warnings: [], deploy: null,
});
const env = (name: string, extra: Partial<EnvironmentView> = {}): EnvironmentView => ({
  name, branch: name === 'production' ? 'main' : name, path: `/r/${name}`, protected: name === 'production', approval: 'auto', inConfig: true, pinned: false, awaitingApproval: false,
  live: { revision: 2, releaseId: 'rel-2', commit: 'b'.repeat(40) }, serving: null, lastKnownGood: null, rollbackTarget: null, heldReleaseId: null, paused: null, pendingReleaseId: null, operation: null, incident: null, liveMetric: null, lastCheck: null, ...extra,
});
const daemon = (runs: RunView[], environments = [env('staging'), env('production')]): DaemonState => ({
  daemon: { pid: 1, version: '0.1.0', protocolVersion: 1, repo: '/r', socket: '/s', tokenFile: '/t', listen: null, startedAt: 't' },
  config: { file: 'axum.yml', valid: true, errors: [], loadedAt: 't' }, environments, runs, warnings: [], clients: 1, attached: [], activity: [], backups: [],
});
const revision = (n: number, releaseId: string): RevisionView => ({
  revision: n, status: 'superseded', kind: 'deploy', releaseId, commit: 'a'.repeat(40), rollbackTo: null, verified: true, createdAt: 't', finishedAt: 't', by: 'x', message: null,
  runId: null, metrics: {}, gates: [], steps: [], checks: { total: 0, failed: 0 },
});

describe('selection follows the item', () => {
  it('a new run on top keeps the cursor on the run it was on', () => {
    let state: TuiState = reduce(initialTuiState, { type: 'connection.connected', clientId: 'c', state: daemon([run(3), run(2), run(1)]) });
    state = reduce(reduce(state, { type: 'focus.toggle' }), { type: 'selection.move', by: 1 });
    expect(state.daemon?.runs[state.selectedRun]?.id).toBe('run-2');
    state = reduce(state, { type: 'daemon.delta', delta: { type: 'run.updated', run: run(4, 'running') } });
    expect(state.daemon?.runs[state.selectedRun]?.id).toBe('run-2');
  });
  it('a new run on top while the cursor is on the top row keeps it on top: Enter opens the newest', () => {
    let state: TuiState = reduce(initialTuiState, { type: 'connection.connected', clientId: 'c', state: daemon([run(24), run(23)]) });
    state = reduce(state, { type: 'daemon.delta', delta: { type: 'run.updated', run: run(25, 'running') } });
    state = reduce(reduce(state, { type: 'focus.toggle' }), { type: 'open' });
    expect(state.view).toMatchObject({ kind: 'run', runId: 'run-25' });
  });
  it('a revision deployed from elsewhere keeps the history cursor on its revision', () => {
    let state: TuiState = { ...initialTuiState, view: { kind: 'history', env: 'staging', selected: 1 } };
    state = reduce(state, { type: 'history.loaded', env: 'staging', revisions: [revision(5, 'rel-5'), revision(4, 'rel-4')] });
    state = reduce(state, { type: 'history.loaded', env: 'staging', revisions: [revision(8, 'rel-8'), revision(5, 'rel-5'), revision(4, 'rel-4')] });
    expect(state.view).toMatchObject({ kind: 'history', selected: 2 });
  });
  it('opening a running run selects its running step', () => {
    const steps = ['unit', 'train'].map((name, i) => ({ stage: 's', name, status: (i === 0 ? 'succeeded' : 'running') as 'running', exitCode: null, durationMs: null, startedAt: null, attempts: 1, logBytes: 0 }));
    let state = reduce(initialTuiState, { type: 'connection.connected', clientId: 'c', state: daemon([run(1, 'running', steps)]) });
    state = reduce(reduce(state, { type: 'focus.toggle' }), { type: 'open' });
    expect(state.view).toMatchObject({ kind: 'run', runId: 'run-1', step: 1 });
  });
});

describe('refused before anything is asked', () => {
  const state = (environments: EnvironmentView[]) => reduce(initialTuiState, { type: 'connection.connected', clientId: 'c', state: daemon([], environments) });
  it('a rollback with nothing known good, or to the release that is live, says why at once', () => {
    expect(confirmationFor({ kind: 'rollback', env: 'staging', to: null, force: false }, state([env('staging')]))).toEqual({ refused: 'staging: no last known good to roll back to (nothing else verified and unmarked); axum deploy staging --release ID deploys one' });
    const withHistory = reduce(state([env('staging')]), { type: 'history.loaded', env: 'staging', revisions: [revision(2, 'rel-2'), revision(1, 'rel-1')] });
    expect(confirmationFor({ kind: 'rollback', env: 'staging', to: 2, force: false }, withHistory)).toEqual({ refused: '#2 has the release that is live already (rel-2 in #2): nothing would change' });
    expect(confirmationFor({ kind: 'rollback', env: 'staging', to: 1, force: false }, withHistory)).toMatchObject({ typed: null, title: 'roll back staging to #1 (rel-1)? rel-2 (live, #2) will be marked bad' });
  });
  it('a pin that holds a release back names it in the flags (status and the dashboard share them)', () => {
    expect(environmentCells(env('production', { pinned: true, heldReleaseId: 'rel-9' })).flags).toBe('pinned, holds rel-9, protected');
    expect(environmentCells(env('staging', { pinned: true })).flags).toBe('pinned');
  });
  it('r on the live row of a history rolls back to the last known good, as on the dashboard; on another row, to that row', () => {
    const lkg = { revision: 1, releaseId: 'rel-1', commit: 'a'.repeat(40) };
    const open = reduce(state([env('staging', { rollbackTarget: lkg, lastKnownGood: lkg })]), { type: 'history.loaded', env: 'staging', revisions: [revision(2, 'rel-2'), revision(1, 'rel-1')] });
    const onLive: TuiState = { ...open, view: { kind: 'history', env: 'staging', selected: 0 } };
    const noKey = { ctrl: false, meta: false, shift: false } as Key;
    const build = (s: TuiState) => {
      const command = resolveKey(s, 'r', noKey)?.binding.command;
      return command?.kind === 'daemon' ? command.build(s) : null;
    };
    expect(build(onLive)).toEqual({ kind: 'rollback', env: 'staging', to: null, force: false });
    expect(build({ ...onLive, view: { kind: 'history', env: 'staging', selected: 1 } })).toEqual({ kind: 'rollback', env: 'staging', to: 1, force: false });
    // An older row holding the live release (rolled back to since) is that row: refused as live
    // already, not taken for the live row (whose r offers the last known good).
    const back = reduce(state([env('staging', { live: { revision: 3, releaseId: 'rel-1', commit: 'a'.repeat(40) }, rollbackTarget: null, lastKnownGood: lkg })]), {
      type: 'history.loaded',
      env: 'staging',
      revisions: [revision(3, 'rel-1'), revision(2, 'rel-2'), revision(1, 'rel-1')],
    });
    expect(build({ ...back, view: { kind: 'history', env: 'staging', selected: 2 } })).toEqual({ kind: 'rollback', env: 'staging', to: 1, force: false });
  });
  it('a rollback says it marks the release it leaves bad, and refuses a bad target before asking, naming --force', () => {
    const withHistory = reduce(state([env('staging')]), { type: 'history.loaded', env: 'staging', revisions: [revision(2, 'rel-2'), revision(1, 'rel-1')] });
    const asked = confirmationFor({ kind: 'rollback', env: 'staging', to: 1, force: false }, withHistory);
    expect(asked && 'details' in asked ? asked.details : []).toContain('rel-2: to clear its mark later: axum mark rel-2 good');
    expect(asked && 'details' in asked ? asked.details.filter((d) => d.includes('will be marked bad')) : ['missing']).toEqual([]);
    const pinned = reduce(state([{ ...env('staging'), pinned: true }]), { type: 'history.loaded', env: 'staging', revisions: [revision(2, 'rel-2'), revision(1, 'rel-1')] });
    const askedPinned = confirmationFor({ kind: 'rollback', env: 'staging', to: 1, force: false }, pinned);
    expect(askedPinned && 'details' in askedPinned ? askedPinned.details.at(-1) : '').toBe('then verify it; it stays pinned (new commits do not deploy until unpinned)');
    const release = { id: 'rel-1', runId: 'run-1', commit: 'a'.repeat(40), branch: 'staging', subject: 's', createdAt: 't', artifacts: [], metrics: {}, bad: { by: 'verify of #1', why: 'gate accuracy failed', at: 't' }, marks: [], config: null, liveIn: [], verifiedIn: [], size: 0 };
    const marked = reduce(withHistory, { type: 'releases.loaded', releases: [release] });
    expect(confirmationFor({ kind: 'rollback', env: 'staging', to: 1, force: false }, marked)).toEqual({
      refused: "#1's release rel-1 is marked bad: axum rollback staging --to 1 --force goes back to it anyway (gate accuracy failed, by verify of #1)",
    });
  });
  it('a run that deploys to a protected environment asks for its name typed, approval or not; a pin asks nothing; unpinning a protected one always asks', () => {
    const s = state([env('staging'), env('production')]);
    expect(confirmationFor({ kind: 'pin', env: 'production', pinned: true }, s)).toBeNull();
    // Nothing held back: the unpin still turns production's automatic deploys back on.
    expect(confirmationFor({ kind: 'pin', env: 'production', pinned: false }, state([env('production', { pinned: true })]))).toMatchObject({ title: 'unpin production: new commits on main deploy to it again?', typed: 'production' });
    expect(confirmationFor({ kind: 'pin', env: 'staging', pinned: false }, state([env('staging', { pinned: true })]))).toBeNull();
    // A gate that makes the deploy wait (manual approval) still lets this run decide what reaches production.
    expect(confirmationFor({ kind: 'trigger', branch: 'main' }, state([env('production', { approval: 'manual' })]))).toMatchObject({ title: 'run main now? when it succeeds it waits for approval to deploy to production', typed: 'production' });
    // Held by a pin or a pause, the run deploys nothing there: still asked, y/n, saying why nothing is typed
    // (`t` on a branch that feeds a protected environment always opens a dialog).
    expect(confirmationFor({ kind: 'trigger', branch: 'main' }, state([env('production', { pinned: true })]))).toMatchObject({ title: 'run main now?', details: ['production is pinned: the release it builds waits there (held back), it does not deploy'], typed: null });
    expect(confirmationFor({ kind: 'trigger', branch: 'main' }, state([env('production', { paused: { since: 't', revision: 3, reason: 'r' } })]))).toMatchObject({ details: ['production is paused: the release it builds waits there (held back), it does not deploy'], typed: null });
    expect(confirmationFor({ kind: 'pin', env: 'production', pinned: false }, s)).toEqual({ refused: 'production is not pinned: nothing to unpin' });
    expect(confirmationFor({ kind: 'pin', env: 'production', pinned: true }, state([env('production', { pinned: true })]))).toEqual({ refused: 'production is pinned already: nothing to pin' });
    expect(confirmationFor({ kind: 'trigger', branch: 'main' }, s)).toMatchObject({ typed: 'production' });
    expect(confirmationFor({ kind: 'pin', env: 'staging', pinned: true }, s)).toBeNull();
    expect(confirmationFor({ kind: 'trigger', branch: 'staging' }, s)).toBeNull();
  });
  it('with no target named, the dashboard rolls back to the rollback target, or refuses with the reason and --to', () => {
    const targeted = state([env('staging', { rollbackTarget: { revision: 1, releaseId: 'rel-1', commit: 'a'.repeat(40) }, lastKnownGood: { revision: 2, releaseId: 'rel-2', commit: 'b'.repeat(40) } })]);
    expect(confirmationFor({ kind: 'rollback', env: 'staging', to: null, force: false }, targeted)).toMatchObject({ title: 'roll back staging to #1 (rel-1)? rel-2 (live, #2) will be marked bad' });
    expect(rollbackMarkNote({ kind: 'rollback', env: 'staging', to: null, force: false }, targeted)).toBe('; rel-2 marked bad (axum mark rel-2 good clears it)');
    expect(rollbackMarkNote({ kind: 'pin', env: 'staging', pinned: true }, targeted)).toBe('');
    // After an automatic rollback the environment serves its LKG: `r` again must not step further back.
    const servesLkg = state([env('production', { lastKnownGood: { revision: 2, releaseId: 'rel-2', commit: 'b'.repeat(40) } })]);
    const refused = confirmationFor({ kind: 'rollback', env: 'production', to: null, force: false }, servesLkg);
    expect(refused).toEqual({ refused: expect.stringContaining('axum rollback production --to N') });
  });
  it('unpinning a protected environment names the release the pin held back', () => {
    const s = state([env('production', { pinned: true, heldReleaseId: 'rel-9' })]);
    expect(confirmationFor({ kind: 'pin', env: 'production', pinned: false }, s)).toMatchObject({ title: 'unpin production and deploy rel-9, held back by the pin?', typed: 'production' });
  });
  it("promote names the release and where it was verified; the target's protection decides the confirmation; bad is refused", () => {
    const s = state([env('staging'), env('production', { live: { revision: 1, releaseId: 'rel-1', commit: 'a'.repeat(40) } })]);
    const listed = reduce(s, { type: 'releases.loaded', releases: [{ id: 'rel-2', runId: 'run-2', commit: 'b'.repeat(40), branch: 'staging', subject: 's', createdAt: 't', artifacts: [], metrics: {}, bad: null, marks: [], config: null, liveIn: ['staging'], verifiedIn: [{ env: 'staging', revision: 2 }], size: 0 }] });
    expect(confirmationFor({ kind: 'promote', from: 'staging', to: 'production', releaseId: 'rel-2', force: false }, listed)).toMatchObject({ title: 'promote rel-2 (live in staging, verified as staging#2) to production?', typed: 'production' });
    expect(confirmationFor({ kind: 'promote', from: 'production', to: 'staging', releaseId: 'rel-1', force: false }, listed)).toMatchObject({ typed: null });
    const bad = reduce(s, { type: 'releases.loaded', releases: [{ ...listed.releases![0]!, bad: { by: 'staging#2', why: 'gate failed', at: 't' } }] });
    expect(confirmationFor({ kind: 'promote', from: 'staging', to: 'production', releaseId: 'rel-2', force: false }, bad)).toEqual({ refused: expect.stringContaining('--force') });
  });
  it('marking asks y/N; clearing a release that is not bad is refused', () => {
    const listed = reduce(state([env('staging')]), { type: 'releases.loaded', releases: [{ id: 'rel-2', runId: 'run-2', commit: 'b'.repeat(40), branch: 'staging', subject: 's', createdAt: 't', artifacts: [], metrics: {}, bad: null, marks: [], config: null, liveIn: [], verifiedIn: [], size: 0 }] });
    expect(confirmationFor({ kind: 'mark', releaseId: 'rel-2', mark: 'bad', reason: 'marked in the TUI by ana' }, listed)).toMatchObject({ title: 'mark rel-2 bad?', typed: null });
    expect(confirmationFor({ kind: 'mark', releaseId: 'rel-2', mark: 'good', reason: null }, listed)).toEqual({ refused: 'rel-2 is not marked bad: nothing to clear' });
  });
  it("marking bad a release live in production asks its reason, then production typed, like a rollback there", () => {
    const listed = reduce(state([env('staging'), env('production')]), { type: 'releases.loaded', releases: [{ id: 'rel-2', runId: 'run-2', commit: 'b'.repeat(40), branch: 'main', subject: 's', createdAt: 't', artifacts: [], metrics: {}, bad: null, marks: [], config: null, liveIn: ['staging', 'production'], verifiedIn: [], size: 0 }] });
    const asked = confirmationFor({ kind: 'mark', releaseId: 'rel-2', mark: 'bad', reason: 'marked in the TUI by ana' }, listed);
    expect(asked).toMatchObject({ title: 'mark rel-2 bad while it is live in production (protected)?', typed: 'production', reason: { fallback: 'marked in the TUI by ana' } });
    if (!asked || 'refused' in asked) throw new Error('asked nothing');
    const key = (k: Partial<Key> = {}) => ({ return: false, escape: false, backspace: false, delete: false, ...k }) as Key;
    // Enter after the reason does not mark: it asks for the name.
    const next = confirmKey({ ...asked, input: 'drifts' }, '', key({ return: true }));
    expect(next).toMatchObject({ kind: 'next', confirm: { typed: 'production', details: expect.arrayContaining(['reason: drifts']), action: { reason: 'drifts' } } });
    if (next.kind !== 'next') throw new Error('no next step');
    expect(next.confirm.reason).toBeUndefined();
    expect(confirmKey({ ...next.confirm, input: 'prod' }, '', key({ return: true }))).toMatchObject({ kind: 'mismatch' });
    expect(confirmKey({ ...next.confirm, input: 'production' }, '', key({ return: true }))).toEqual({ kind: 'perform', action: { kind: 'mark', releaseId: 'rel-2', mark: 'bad', reason: 'drifts' } });
  });
});

describe('a run view following a running run', () => {
  const step = (name: string, status: RunView['steps'][number]['status']) => ({ stage: 'build', name, status, exitCode: null, durationMs: null, startedAt: null, attempts: 1, logBytes: 0 });
  const at = (steps: RunView['steps']): TuiState => reduce(initialTuiState, { type: 'connection.connected', clientId: 'me', state: daemon([run(1, 'running', steps)]) });
  const updated = (steps: RunView['steps']) => ({ type: 'daemon.delta' as const, delta: { type: 'run.updated' as const, run: run(1, 'running', steps) } });

  it('moves on to the step running now when the followed one finishes', () => {
    const opened = { ...at([step('train', 'running'), step('serve', 'pending')]), view: { kind: 'run' as const, runId: 'run-1', step: 0, scroll: null } };
    const next = reduce(opened, updated([step('train', 'succeeded'), step('serve', 'running')]));
    expect(next.view).toMatchObject({ kind: 'run', step: 1, scroll: null });
  });

  it('stays on a finished step picked by hand, and on a step scrolled up in', () => {
    const picked = { ...at([step('train', 'succeeded'), step('serve', 'running'), step('push', 'pending')]), view: { kind: 'run' as const, runId: 'run-1', step: 0, scroll: null } };
    expect(reduce(picked, updated([step('train', 'succeeded'), step('serve', 'succeeded'), step('push', 'running')])).view).toMatchObject({ step: 0 });
    const scrolled = { ...picked, view: { kind: 'run' as const, runId: 'run-1', step: 1, scroll: 3 } };
    expect(reduce(scrolled, updated([step('train', 'succeeded'), step('serve', 'succeeded'), step('push', 'running')])).view).toMatchObject({ step: 1, scroll: 3 });
  });
});


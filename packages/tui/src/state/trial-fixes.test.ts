// What a new user's trial found: refusals before the question, notices that outlive their screen,
// Esc from the releases, a bad-mark reason that could not be typed.
import { describe, expect, it } from 'vitest';
import type { Key } from 'ink';
import type { DaemonState, EnvironmentView, ReleaseListing, RevisionView } from '@axum/protocol';
import { confirmationFor, rollbackMarkNote } from './actions.js';
import { confirmKey } from './confirm-keys.js';
import { initialTuiState, reduce, type Confirm, type TuiState } from './tui-state.js';

const env = (name: string, extra: Partial<EnvironmentView> = {}): EnvironmentView => ({
  name, branch: name, path: `/r/${name}`, protected: name === 'production', approval: 'auto', inConfig: true, pinned: false, awaitingApproval: false,
  live: { revision: 3, releaseId: 'rel-1', commit: 'b'.repeat(40) }, serving: null, lastKnownGood: null, rollbackTarget: null, heldReleaseId: null, paused: null, pendingReleaseId: null, operation: null, incident: null, liveMetric: null, lastCheck: null, ...extra,
});
const daemon = (environments: EnvironmentView[]): DaemonState => ({
  daemon: { pid: 1, version: '0.1.0', protocolVersion: 1, repo: '/r', socket: '/s', tokenFile: '/t', listen: null, startedAt: 't' },
  config: { file: 'axum.yml', valid: true, errors: [], loadedAt: 't' }, environments, runs: [], warnings: [], clients: 1, attached: [], activity: [], backups: [],
});
const release = (id: string, extra: Partial<ReleaseListing> = {}): ReleaseListing => ({ id, runId: 'run-1', commit: 'b'.repeat(40), branch: 'staging', subject: 's', createdAt: 't', artifacts: [], metrics: {}, bad: null, marks: [], config: null, liveIn: [], verifiedIn: [], size: 0, ...extra });
const revision = (n: number, releaseId: string): RevisionView => ({
  revision: n, status: 'superseded', kind: 'deploy', releaseId, commit: 'a'.repeat(40), rollbackTo: null, verified: true, createdAt: 't', finishedAt: 't', by: 'x', message: null,
  runId: null, metrics: {}, gates: [], steps: [], checks: { total: 0, failed: 0 },
});
const state = (environments: EnvironmentView[], releases: ReleaseListing[] = []): TuiState =>
  reduce(reduce(initialTuiState, { type: 'connection.connected', clientId: 'c', state: daemon(environments) }), { type: 'releases.loaded', releases });
const promote = { kind: 'promote' as const, from: 'staging', to: 'production', releaseId: 'rel-1', force: false };
const key = (extra: Partial<Key> = {}): Key => ({ upArrow: false, downArrow: false, leftArrow: false, rightArrow: false, pageDown: false, pageUp: false, return: false, escape: false, ctrl: false, shift: false, tab: false, backspace: false, delete: false, meta: false, ...extra }) as Key;

describe('P is refused before the typed confirmation, with the true reason', () => {
  it('the target serves the release already', () => {
    expect(confirmationFor(promote, state([env('staging'), env('production', { live: { revision: 3, releaseId: 'rel-1', commit: 'b'.repeat(40) } })]))).toEqual({ refused: 'rel-1 is live in production already (#3): nothing to promote' });
  });
  it('nothing is live where it promotes from', () => {
    expect(confirmationFor(promote, state([env('staging', { live: null }), env('production', { live: null })]))).toEqual({ refused: 'staging: nothing live to promote' });
  });
  it('the release is marked bad: --force or mark it good', () => {
    const refused = confirmationFor(promote, state([env('staging'), env('production', { live: null })], [release('rel-1', { bad: { by: 'verify of staging#2', why: 'gate failed', at: '2026-12-04T03:36:00Z' } })]));
    expect(refused).toEqual({ refused: expect.stringMatching(/^rel-1 is marked bad \(gate failed\): axum promote staging production --force, or axum mark rel-1 good$/) });
  });
  it('asks only when it can go ahead', () => {
    expect(confirmationFor(promote, state([env('staging'), env('production', { live: { revision: 1, releaseId: 'rel-0', commit: 'c'.repeat(40) } })]))).toMatchObject({ typed: 'production' });
  });
});

describe('a rollback says what becomes of the release it leaves', () => {
  const leaving = (bad: ReleaseListing['bad'], liveIn: string[]) => {
    const s = state([env('production')], [release('rel-1', { bad, liveIn })]);
    return reduce(s, { type: 'history.loaded', env: 'production', revisions: [revision(3, 'rel-1'), revision(2, 'rel-0')] });
  };
  it('marked bad already: it stays marked (since when), not "will be marked"', () => {
    const s = leaving({ by: 'verify of staging#2', why: 'gate failed', at: '2026-12-04T03:36:00Z' }, ['production']);
    const asked = confirmationFor({ kind: 'rollback', env: 'production', to: 2, force: false }, s);
    expect(asked).toMatchObject({ title: 'roll back production to #2 (rel-0)? rel-1 (live, #3) stays marked bad' });
    expect(asked && 'details' in asked ? asked.details : []).toContain('rel-1: marked bad since 2026-12-04 03:36: gate failed');
    expect(rollbackMarkNote({ kind: 'rollback', env: 'production', to: 2, force: false }, s)).toBe('');
  });
  it('a target still verifying is refused before asking', () => {
    const s = reduce(state([env('production')]), { type: 'history.loaded', env: 'production', revisions: [{ ...revision(4, 'rel-9'), status: 'verifying' }, revision(3, 'rel-1')] });
    expect(confirmationFor({ kind: 'rollback', env: 'production', to: 4, force: false }, s)).toEqual({ refused: '#4 is still verifying: nothing to roll back to yet' });
  });
  it('live elsewhere too: says so', () => {
    const asked = confirmationFor({ kind: 'rollback', env: 'production', to: 2, force: false }, leaving(null, ['dev', 'staging', 'production']));
    expect(asked && 'details' in asked ? asked.details : []).toEqual(expect.arrayContaining(['rel-1: to clear its mark later: axum mark rel-1 good', 'rel-1 is also live in dev, staging: it keeps serving there']));
  });
  it('where the mark takes another environment\'s last known good: says what it leaves there (the daemon\'s fallback)', () => {
    const lkg = { revision: 3, releaseId: 'rel-1', commit: 'b'.repeat(40) };
    const staging = env('staging', { lastKnownGood: lkg, ifLastKnownGoodMarked: { lastKnownGood: null, othersMarkedBad: false } });
    const dev = env('dev', { lastKnownGood: lkg, ifLastKnownGoodMarked: { lastKnownGood: { revision: 1, releaseId: 'rel-0', commit: 'c'.repeat(40) }, othersMarkedBad: false } });
    const other = env('qa', { live: { revision: 2, releaseId: 'rel-5', commit: 'd'.repeat(40) }, lastKnownGood: { revision: 2, releaseId: 'rel-5', commit: 'd'.repeat(40) }, ifLastKnownGoodMarked: { lastKnownGood: null, othersMarkedBad: false } });
    const s = reduce(state([env('production'), staging, dev, other], [release('rel-1', { liveIn: ['production', 'staging', 'dev'] })]), { type: 'history.loaded', env: 'production', revisions: [revision(3, 'rel-1'), revision(2, 'rel-0')] });
    const asked = confirmationFor({ kind: 'rollback', env: 'production', to: 2, force: false }, s);
    const details = asked && 'details' in asked ? asked.details : [];
    expect(details).toEqual(expect.arrayContaining(['staging then has no last known good to roll back to: rel-1 was its only verified release', "dev's last known good then becomes #1 (rel-0)"]));
    expect(details.join('\n')).not.toContain('qa');
  });
});

describe('notices about one screen go with it; Esc goes back where R was pressed', () => {
  const inRun: TuiState = { ...state([env('staging')]), view: { kind: 'run', runId: 'run-1', step: 0, scroll: null } };
  it("a search without a match is cleared by Esc, a local action's outcome too; an action under way stays", () => {
    const searched = reduce(inRun, { type: 'notice', message: '/zzz: no match' });
    expect(reduce(searched, { type: 'back' }).notice).toBeNull();
    const outcome = reduce(inRun, { type: 'notice', message: 'staging pinned' });
    expect(reduce(outcome, { type: 'back' }).notice).toBeNull();
    const underWay = reduce(inRun, { type: 'notice', message: 'rolling back staging…', sticky: true });
    expect(reduce(underWay, { type: 'back' }).notice).toBe('rolling back staging…');
  });
  it('a disabled key on the dashboard is cleared when a run opens', () => {
    const dash = reduce(state([env('staging')]), { type: 'notice', message: 'x: Tab to the runs first' });
    expect(reduce(dash, { type: 'operation.open', runId: 'staging#3', step: null }).notice).toBeNull();
    expect(reduce(dash, { type: 'selection.move', by: 1 }).notice).toBe('x: Tab to the runs first');
  });
  it('Esc from the releases opened in the revisions goes back to the revisions', () => {
    const history: TuiState = { ...state([env('staging')]), view: { kind: 'history', env: 'staging', selected: 2 } };
    const releases = reduce(history, { type: 'releases.open' });
    expect(releases.view.kind).toBe('releases');
    expect(reduce(releases, { type: 'back' }).view).toEqual({ kind: 'history', env: 'staging', selected: 2 });
    expect(reduce(reduce(state([env('staging')]), { type: 'releases.open' }), { type: 'back' }).view).toEqual({ kind: 'dashboard' });
  });
});

describe('the bad-mark dialog takes a typed reason', () => {
  const asked = confirmationFor({ kind: 'mark', releaseId: 'rel-1', mark: 'bad', reason: 'marked in the TUI by ana' }, state([env('staging')], [release('rel-1')]));
  const open = { ...(asked as Omit<Confirm, 'input'>), input: '' };
  it('letters (y and n too) are typed, Enter marks with the reason', () => {
    expect(open.reason).toEqual({ fallback: 'marked in the TUI by ana' });
    expect(confirmKey(open, 'y', key())).toEqual({ kind: 'type', input: 'y', backspace: false });
    expect(confirmKey(open, 'n', key())).toMatchObject({ kind: 'type' });
    expect(confirmKey({ ...open, input: ' wrong answers ' }, '', key({ return: true }))).toEqual({ kind: 'perform', action: { kind: 'mark', releaseId: 'rel-1', mark: 'bad', reason: 'wrong answers' } });
  });
  it('empty is the default; Esc cancels', () => {
    expect(confirmKey(open, '', key({ return: true }))).toEqual({ kind: 'perform', action: expect.objectContaining({ reason: 'marked in the TUI by ana' }) });
    expect(confirmKey(open, '', key({ escape: true }))).toEqual({ kind: 'cancel' });
  });
  it('y/n confirmations and typed names are as before', () => {
    const plain: Confirm = { title: 't', details: [], typed: null, input: '', action: { kind: 'cancel', runId: 'run-1' } };
    expect(confirmKey(plain, 'y', key())).toEqual({ kind: 'perform', action: plain.action });
    expect(confirmKey(plain, 'n', key())).toEqual({ kind: 'cancel' });
    expect(confirmKey({ ...plain, typed: 'production', input: 'prod' }, '', key({ return: true }))).toMatchObject({ kind: 'mismatch' });
  });
  it('a dialog opened takes the footer: a notice from before (a refusal) is not left under it', () => {
    let state: TuiState = reduce(initialTuiState, { type: 'notice', message: 'refused: rel-1 is live in production already (#4)', level: 'high' });
    expect(state.notice).toContain('refused');
    state = reduce(state, { type: 'confirm.open', confirm: { title: 't', details: [], typed: null, action: { kind: 'cancel', runId: 'run-1' } } });
    expect(state.notice).toBeNull();
  });
  it('a wrong name keeps the dialog open with its input cleared, and says so until the next key', () => {
    const typed: Confirm = { title: 't', details: [], typed: 'production', input: '', action: { kind: 'pin', env: 'production', pinned: false } };
    let state: TuiState = reduce(initialTuiState, { type: 'confirm.open', confirm: typed });
    for (const ch of 'prod') state = reduce(state, { type: 'confirm.key', input: ch, backspace: false });
    const step = confirmKey(state.confirm!, '', key({ return: true }));
    expect(step).toEqual({ kind: 'mismatch', message: 'not confirmed: "prod" is not "production"; nothing changed' });
    state = reduce(state, { type: 'confirm.mismatch', message: step.kind === 'mismatch' ? step.message : '' });
    expect(state.confirm).toMatchObject({ input: '', mismatch: 'not confirmed: "prod" is not "production"; nothing changed', action: typed.action });
    for (const ch of 'production') state = reduce(state, { type: 'confirm.key', input: ch, backspace: false });
    expect(confirmKey(state.confirm!, '', key({ return: true }))).toEqual({ kind: 'perform', action: typed.action });
  });
});

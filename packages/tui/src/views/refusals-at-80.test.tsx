// The refusals a newcomer meets most, as the footer shows them at 80×24: the command to type is on
// screen (what to do comes before the why), and the short ones are read whole.
import { render } from 'ink-testing-library';
import { describe, expect, it } from 'vitest';
import { busyText, type DaemonState, type EnvironmentView, type RevisionView } from '@axum/protocol';
import { confirmationFor, failureNotice } from '../state/actions.js';
import { bindingsFor } from '../keymap.js';
import { initialTuiState, reduce, type PendingAction, type TuiState } from '../state/tui-state.js';
import { Footer } from './Footer.js';

const env = (name: string, extra: Partial<EnvironmentView> = {}): EnvironmentView => ({
  name, branch: 'main', path: `/r/${name}`, protected: true, approval: 'manual', inConfig: true, pinned: false, awaitingApproval: false,
  live: { revision: 12, releaseId: 'rel-12', commit: 'b'.repeat(40) }, serving: null, lastKnownGood: null, rollbackTarget: null, heldReleaseId: null, paused: null, pendingReleaseId: null, operation: null, incident: null, liveMetric: null, lastCheck: null, ...extra,
});
const daemon = (environments: EnvironmentView[]): DaemonState => ({
  daemon: { pid: 1, version: '0.1.0', protocolVersion: 1, repo: '/r', socket: '/s', tokenFile: '/t', listen: null, startedAt: 't' },
  config: { file: 'axum.yml', valid: true, errors: [], loadedAt: 't' }, environments, runs: [], warnings: [], clients: 1, attached: [], activity: [], backups: [],
});
const connected = (environments: EnvironmentView[]): TuiState => reduce(initialTuiState, { type: 'connection.connected', clientId: 'c', state: daemon(environments) });
const revision = (n: number, releaseId: string): RevisionView => ({
  revision: n, status: 'superseded', kind: 'deploy', releaseId, commit: 'a'.repeat(40), rollbackTo: null, verified: true, createdAt: 't', finishedAt: 't', by: 'x', message: null,
  runId: null, metrics: {}, gates: [], steps: [], checks: { total: 0, failed: 0 },
});
// A verify's mark, as long as a failed gate makes it.
const MARK = { by: 'verify of production#3', why: 'gate accuracy failed: accuracy 0.035 ✗ >= 0.85 (LKG 0.91)', at: '2026-12-05T19:40:00.000Z' };
const release = (id: string) => ({ id, runId: 'run-3', commit: 'a'.repeat(40), branch: 'main', subject: 's', createdAt: 't', artifacts: [], metrics: {}, bad: MARK, marks: [], config: null, liveIn: [], verifiedIn: [], size: 0 });

/** The refusal a press says, as App.tsx words it. */
function refusal(action: PendingAction, state: TuiState): string {
  const confirm = confirmationFor(action, state);
  if (!confirm || !('refused' in confirm)) throw new Error(`not refused: ${JSON.stringify(confirm)}`);
  return `refused: ${confirm.refused}`;
}

/** The footer's rows at 80 columns with `notice` in it (the key hints' row left out), and the notice as read there. */
function footerAt80(notice: string): { rows: string[]; read: string } {
  const { lastFrame, unmount } = render(<Footer state={{ ...initialTuiState, notice }} columns={80} />);
  // The blank row above a one-row notice is the footer's, not the notice's.
  const rows = (lastFrame() ?? '').split('\n').slice(0, -1).filter((row, i) => i > 0 || row !== '');
  unmount();
  return { rows, read: rows.join(' ') };
}

describe('at 80 columns the footer keeps what to type of a refusal', () => {
  it('a rollback with no other last known good: axum rollback ENV --to N, whole on two rows', () => {
    const served = connected([env('production', { lastKnownGood: { revision: 12, releaseId: 'rel-12', commit: 'b'.repeat(40) } })]);
    const notice = refusal({ kind: 'rollback', env: 'production', to: null, force: false }, served);
    const { rows, read } = footerAt80(notice);
    expect(rows.length).toBe(2);
    expect(read).toBe(notice);
    expect(read).toContain('axum rollback production --to N');
    // In the history, where r acts on the selected row.
    const inHistory = { ...served, view: { kind: 'history', env: 'production', selected: 0 } } as TuiState;
    const there = footerAt80(refusal({ kind: 'rollback', env: 'production', to: null, force: false }, inHistory));
    expect(there.read).toContain('axum rollback production --to N goes further back, or select an older one (j/k) and press r');
    expect(there.read).not.toContain('(e: whole)');
  });

  it('a rollback with nothing verified to go to says the command that deploys one', () => {
    const { read } = footerAt80(refusal({ kind: 'rollback', env: 'production', to: null, force: false }, connected([env('production')])));
    expect(read).toBe('refused: production: no last known good to roll back to (nothing else verified and unmarked); axum deploy production --release ID deploys one');
  });

  it('a busy environment: ask again once it has ended, and axum history ENV, on screen', () => {
    const notice = failureNotice(busyText('production', { revision: 12, kind: 'rollback', holder: 'ana via the TUI', startedAt: '2026-12-05T19:40:00.000Z' }), false);
    const { rows, read } = footerAt80(notice);
    expect(rows.length).toBe(2);
    expect(read).toBe(notice);
    expect(read).toMatch(/^refused: production is busy: ask again once #12 has ended/);
    expect(read).toContain('axum history production shows it');
  });

  it("a rollback to a bad release: its --force command before the mark's why", () => {
    let state = reduce(connected([env('production')]), { type: 'history.loaded', env: 'production', revisions: [revision(12, 'rel-12'), revision(3, 'rel-3')] });
    state = reduce(state, { type: 'releases.loaded', releases: [release('rel-3')] });
    const { read } = footerAt80(refusal({ kind: 'rollback', env: 'production', to: 3, force: false }, state));
    expect(read).toMatch(/^refused: #3's release rel-3 is marked bad: axum rollback production --to 3 --force goes back to it anyway/);
  });

  it('an approval of a bad release is refused before asking, the --force command and how to clear the mark first', () => {
    const state = reduce(connected([env('production', { awaitingApproval: true, pendingReleaseId: 'rel-13' })]), { type: 'releases.loaded', releases: [release('rel-13')] });
    const { read } = footerAt80(refusal({ kind: 'approve', env: 'production' }, state));
    expect(read).toMatch(/^refused: rel-13 is marked bad: axum approve production --force deploys it anyway, or axum mark rel-13 good/);
    // Paused over a bad release: keeping it needs --force too, or a rollback decides.
    const paused = reduce(connected([env('production', { paused: { revision: 12, since: 't', reason: 'inconclusive' } })]), { type: 'releases.loaded', releases: [release('rel-12')] });
    expect(footerAt80(refusal({ kind: 'approve', env: 'production' }, paused)).read).toMatch(/^refused: rel-12 is marked bad: axum approve production --force keeps it anyway, or axum rollback production/);
  });

  it('nothing waiting for approval: one row', () => {
    const state = connected([env('production')]);
    const a = bindingsFor(state).find((b) => b.label === 'a')!;
    const notice = `a: ${a.disabledReason!(state)}`;
    expect(footerAt80(notice)).toEqual({ rows: ['a: nothing is waiting for approval here'], read: notice });
  });
});

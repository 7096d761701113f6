// The history's columns at 80: every status word whole, BY keeping what the row can give it.
import { render } from 'ink-testing-library';
import { describe, expect, it } from 'vitest';
import type { EnvironmentView, RevisionView } from '@axum/protocol';
import { daemonState } from '../state/first-hour.test.js';
import { initialTuiState, reduce } from '../state/tui-state.js';
import { fitCell } from './column-fit.js';
import { GUTTER } from './gutter.js';
import { HistoryView, historyWidths } from './HistoryView.js';

const WORDS = ['deploying', 'verifying', 'live', 'superseded', 'failed', 'inconclusive', 'SERVING ?', 'SERVING ✗'];
const STATUS = 1;
const RELEASE = 3;
const GATES = 4;
const AGE = 5;
const BY = 6;

describe('the history columns at 80', () => {
  it('show every status word whole, and the row stays within 80 columns', () => {
    for (const word of WORDS) {
      const widths = historyWidths([{ status: 'live', by: 'push run-12' }, { status: word, by: 'push run-12' }], 80);
      expect(fitCell(word, widths[STATUS]!).trimEnd()).toBe(word);
      expect(GUTTER.length + widths.reduce((sum, w) => sum + w, 0)).toBeLessThanOrEqual(80);
    }
  });

  it('keep every column when no revision is inconclusive; one that is widens STATUS, and AGE goes first as the row is then too narrow', () => {
    const usual = historyWidths(['live', 'superseded', 'failed'].map((status) => ({ status, by: 'push run-12' })), 80);
    expect(usual[STATUS]).toBe(11);
    expect(usual[BY]).toBe(12);
    expect(usual.every((w) => w > 0)).toBe(true);
    const unsure = historyWidths(['inconclusive', 'superseded'].map((status) => ({ status, by: 'push run-12' })), 80);
    expect(unsure[STATUS]).toBe(13);
    expect(unsure[AGE]).toBe(0);
    expect(unsure[BY]).toBeGreaterThanOrEqual('push run-12'.length);
    // A shorter BY leaves room for AGE beside it.
    const short = historyWidths(['inconclusive', 'superseded'].map((status) => ({ status, by: 'alice' })), 80);
    expect(short[STATUS]).toBe(13);
    expect(short.every((w) => w > 0)).toBe(true);
  });

  it('keep RELEASE at 80 when who made a revision is a long name: AGE goes, then GATES and BY are narrowed first', () => {
    const rolledBack = historyWidths(['live', 'superseded'].map((status, i) => ({ status, by: i === 0 ? 'ana via axum rollback' : 'push run-12' })), 80);
    expect(rolledBack[RELEASE]).toBe(8);
    expect(rolledBack[AGE]).toBe(0);
    expect(rolledBack[GATES]).toBe(13);
    // Who rolled back stays whole.
    expect(rolledBack[BY]).toBeGreaterThanOrEqual('ana via axum rollback'.length);
    const longer = historyWidths(['live', 'superseded'].map((status, i) => ({ status, by: i === 0 ? 'ana via axum rollback' : 'manual run-12 by ana via axum run' })), 80);
    expect(longer[RELEASE]).toBe(8);
    expect(longer[BY]).toBeGreaterThanOrEqual(12);
    // GATES wants no more than its widest badge: the rest goes to who.
    const badges = historyWidths(['live', 'superseded'].map((status, i) => ({ status, by: i === 0 ? 'ana via axum rollback' : 'manual run-12 by ana via axum run', gates: '✓ accuracy 0.91' })), 80);
    expect(badges[GATES]).toBe('✓ accuracy 0.91'.length + 1);
    expect(badges[RELEASE]).toBe(8);
    expect(badges[BY]).toBe(longer[BY]! + 19 - '✓ accuracy 0.91'.length);
    for (const widths of [rolledBack, longer, badges]) expect(GUTTER.length + widths.reduce((sum, w) => sum + w, 0)).toBeLessThanOrEqual(80);
  });

  it('render an inconclusive revision whole at 80×24', async () => {
    const at = (revision: number) => ({ revision, releaseId: `rel-${revision}`, commit: 'c'.repeat(40) });
    const env: EnvironmentView = {
      name: 'staging', branch: 'main', path: '/r/staging', protected: false, approval: 'auto', inConfig: true, pinned: false, awaitingApproval: false,
      live: at(1), serving: null, lastKnownGood: at(1), rollbackTarget: null, heldReleaseId: null, paused: null, pendingReleaseId: null, operation: null, incident: null, liveMetric: null, lastCheck: null,
    };
    const revision = (n: number, status: RevisionView['status'], message: string | null): RevisionView => ({
      revision: n, status, kind: 'deploy', releaseId: `rel-${n}`, commit: 'a'.repeat(40), rollbackTo: null, verified: status === 'live', createdAt: '2026-12-04T10:00:00.000Z', finishedAt: null, by: 'push run-12', message,
      runId: null, metrics: {}, gates: [], steps: [], checks: { total: 0, failed: 0 },
    });
    let state = reduce(initialTuiState, { type: 'connection.connected', clientId: 'me', state: daemonState([env]) });
    state = reduce(state, { type: 'history.loaded', env: 'staging', revisions: [revision(2, 'failed', 'inconclusive: accuracy could not be measured'), revision(1, 'live', null)] });
    const { lastFrame } = render(<HistoryView state={state} view={{ kind: 'history', env: 'staging', selected: 1 }} link={null} dispatch={() => undefined} rows={24} columns={80} />);
    await new Promise((resolve) => setTimeout(resolve, 20));
    const frame = (lastFrame() ?? '').split('\n');
    expect(frame.find((row) => /^. #2 /.test(row))).toMatch(/#2 +inconclusive +deploy/);
    for (const row of frame) expect(row.length).toBeLessThanOrEqual(80);
  });
});

describe('a revision a rollback superseded', () => {
  const at = (revision: number) => ({ revision, releaseId: `rel-${revision}`, commit: 'c'.repeat(40) });
  const env: EnvironmentView = {
    name: 'production', branch: 'main', path: '/r/production', protected: false, approval: 'auto', inConfig: true, pinned: false, awaitingApproval: false,
    live: at(3), serving: null, lastKnownGood: at(1), rollbackTarget: null, heldReleaseId: null, paused: null, pendingReleaseId: null, operation: null, incident: null, liveMetric: null, lastCheck: null,
  };
  const revision = (n: number, status: RevisionView['status'], kind: RevisionView['kind'], supersededBy?: RevisionView['supersededBy']): RevisionView => ({
    revision: n, status, kind, releaseId: `rel-${n === 3 ? 1 : n}`, commit: 'a'.repeat(40), rollbackTo: kind === 'deploy' ? null : 1, verified: status !== 'failed', createdAt: '2026-12-04T10:00:00.000Z', finishedAt: null, by: 'push run-12', message: null,
    runId: null, metrics: {}, gates: [{ metric: 'accuracy', op: '>=', threshold: 0.85, value: 0.9, lkgValue: 0.9, verdict: 'pass', reason: null, expression: '>= 0.85' }], steps: [], checks: { total: 0, failed: 0 }, ...(supersededBy ? { supersededBy } : {}),
  });
  const frame = async (columns: number, rows: number, by = 'push run-12', message: string | null = null) => {
    let state = reduce(initialTuiState, { type: 'connection.connected', clientId: 'me', state: daemonState([env]) });
    state = reduce(state, {
      type: 'history.loaded',
      env: 'production',
      revisions: [{ ...revision(3, 'live', 'rollback'), by, message }, revision(2, 'superseded', 'deploy', { revision: 3, kind: 'rollback' }), revision(1, 'superseded', 'deploy', { revision: 2, kind: 'deploy' })],
    });
    const { lastFrame } = render(<HistoryView state={state} view={{ kind: 'history', env: 'production', selected: 0 }} link={null} dispatch={() => undefined} rows={rows} columns={columns} />);
    await new Promise((resolve) => setTimeout(resolve, 20));
    return (lastFrame() ?? '').split('\n');
  };

  it("says so in axum history's words where the column fits them, `rolled back` at 80×24, `reverted` where nothing is spare; one a deploy superseded stays `superseded`", async () => {
    const wide = await frame(120, 40);
    expect(wide.find((row) => /^. #2 /.test(row))).toMatch(/#2 +superseded, rolled back +deploy +rel-2 +✓ accuracy 0.9 +\d+d +push run-12/);
    expect(wide.find((row) => /^. #1 /.test(row))).toMatch(/#1 LKG +superseded +deploy/);
    const small = await frame(80, 24);
    // The long form would cost the row its age: the short one keeps every column.
    expect(small.find((row) => /^. #2 /.test(row))).toMatch(/#2 +rolled back +deploy +rel-2 +✓ accuracy 0.9 +\d+d +push run-12/);
    expect(small.find((row) => /^. #1 /.test(row))).toMatch(/#1 LKG +superseded +deploy/);
    for (const row of small) expect(row.length).toBeLessThanOrEqual(80);
    // Who rolled back is a long name: the row has nothing to spare, and it stays whole.
    const tight = await frame(80, 24, 'ana via axum rollback');
    expect(tight.find((row) => /^. #3 /.test(row))).toMatch(/ana via axum rollback$/);
    expect(tight.find((row) => /^. #2 /.test(row))).toMatch(/#2 +reverted +deploy +rel-2/);
    for (const row of tight) expect(row.length).toBeLessThanOrEqual(80);
    // With its message after it, the name is whole only with a column more (the cut's …).
    const said = await frame(80, 24, 'root via axum rollback', 'rolled back to #1');
    expect(said.find((row) => /^. #3 /.test(row))).toMatch(/root via axum rollback…$/);
    expect(said.find((row) => /^. #2 /.test(row))).toMatch(/#2 +reverted +deploy/);
  });
});

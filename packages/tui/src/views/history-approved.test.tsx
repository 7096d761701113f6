// A revision a person approved reads its gates cell as `axum history` does: what was measured, plain.
import { render } from 'ink-testing-library';
import { describe, expect, it } from 'vitest';
import type { EnvironmentView, RevisionView } from '@axum/protocol';
import { gatesCell } from '../commands/operations.js';
import { daemonState } from '../state/first-hour.test.js';
import { initialTuiState, reduce } from '../state/tui-state.js';
import { HistoryView } from './HistoryView.js';

const at = (revision: number, releaseId: string) => ({ revision, releaseId, commit: 'c'.repeat(40) });
const env: EnvironmentView = {
  name: 'staging', branch: 'staging', path: '/r/staging', protected: false, approval: 'auto', inConfig: true, pinned: false, awaitingApproval: false,
  live: at(4, 'rel-3'), serving: null, lastKnownGood: at(4, 'rel-3'), rollbackTarget: at(2, 'rel-2'), heldReleaseId: null, paused: null, pendingReleaseId: null, operation: null, incident: null, liveMetric: null, lastCheck: null,
};
const base = { kind: 'deploy' as const, commit: 'a'.repeat(40), rollbackTo: null, createdAt: '2026-12-04T10:00:00.000Z', finishedAt: '2026-12-04T10:00:00.000Z', runId: 'run-3', steps: [], checks: { total: 0, failed: 0 } };
// As the daemon records an approval: a new revision of the release, verified, the measured metrics kept, no gates.
const approved: RevisionView = { ...base, revision: 4, status: 'live', releaseId: 'rel-3', verified: true, by: 'ana', metrics: { accuracy: 0.92 }, gates: [], message: 'accepted #3 as live and verified (approved by ana after: inconclusive)' };
const inconclusive: RevisionView = { ...base, revision: 3, status: 'failed', releaseId: 'rel-3', verified: false, by: 'push run-3', metrics: { accuracy: 0.92 }, gates: [], message: 'inconclusive: check error_rate: …' };

describe('an approved revision in the history', () => {
  it('shows its metrics plain under GATES, as axum history does; the inconclusive revision it accepted keeps its ?', async () => {
    let state = reduce(initialTuiState, { type: 'connection.connected', clientId: 'me', state: daemonState([env]) });
    state = reduce(state, { type: 'history.loaded', env: 'staging', revisions: [approved, inconclusive] });
    const { lastFrame, unmount } = render(<HistoryView state={state} view={{ kind: 'history', env: 'staging', selected: 0 }} link={null} dispatch={() => undefined} rows={24} columns={80} />);
    await new Promise((resolve) => setTimeout(resolve, 20));
    const frame = (lastFrame() ?? '').split('\n');
    unmount();
    const row = (n: number) => frame.find((line) => new RegExp(`^.{0,3}#${n}\\b`).test(line)) ?? '';
    expect(gatesCell(approved)).toBe('accuracy 0.92');
    expect(row(4)).toContain(` ${gatesCell(approved)} `);
    expect(row(4)).not.toContain('?');
    expect(row(3)).toContain('? accuracy 0.92');
  });
});

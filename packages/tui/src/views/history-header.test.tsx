import { render } from 'ink-testing-library';
import { describe, expect, it } from 'vitest';
import type { EnvironmentView, RevisionView } from '@axum/protocol';
import { daemonState } from '../state/first-hour.test.js';
import { initialTuiState, reduce } from '../state/tui-state.js';
import { HistoryView } from './HistoryView.js';

const at = (revision: number, releaseId: string) => ({ revision, releaseId, commit: 'c'.repeat(40) });
const env: EnvironmentView = {
  name: 'staging', branch: 'staging', path: '/r/staging', protected: false, approval: 'auto', inConfig: true, pinned: false, awaitingApproval: false,
  live: at(7, 'rel-9'), serving: null, lastKnownGood: at(5, 'rel-5'), rollbackTarget: at(4, 'rel-4'), heldReleaseId: null, paused: null, pendingReleaseId: null, operation: null, incident: null, liveMetric: null, lastCheck: null,
};
const revision = (n: number): RevisionView => ({
  revision: n, status: n === 7 ? 'live' : 'superseded', kind: 'deploy', releaseId: `rel-${n}`, commit: 'a'.repeat(40), rollbackTo: null, verified: true, createdAt: '2026-12-04T10:00:00.000Z', finishedAt: null, by: 'x', message: null,
  runId: null, metrics: {}, gates: [], steps: [], checks: { total: 0, failed: 0 },
});

describe('the history header', () => {
  it('says r acts on the selected revision, not on a target of its own', async () => {
    let state = reduce(initialTuiState, { type: 'connection.connected', clientId: 'me', state: daemonState([env]) });
    state = reduce(state, { type: 'history.loaded', env: 'staging', revisions: [revision(7), revision(6), revision(5)] });
    const { lastFrame } = render(<HistoryView state={state} view={{ kind: 'history', env: 'staging', selected: 1 }} link={null} dispatch={() => undefined} rows={24} />);
    await new Promise((resolve) => setTimeout(resolve, 20));
    const header = (lastFrame() ?? '').split('\n')[0] ?? '';
    expect(header).toContain('last known good #5 · r rolls back to the selected revision');
    expect(header).not.toContain('r goes to');
  });
});

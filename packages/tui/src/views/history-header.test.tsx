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
    // At 80 columns (the default) the title takes two rows.
    const header = (lastFrame() ?? '').split('\n').slice(0, 2).join(' ');
    expect(header).toContain('last known good #5 · r rolls back to the selected revision');
    expect(header).not.toContain('r goes to');
  });

  it('says nothing of r when the only revision is the one that serves: there is nothing to select and roll back to', async () => {
    let state = reduce(initialTuiState, { type: 'connection.connected', clientId: 'me', state: daemonState([{ ...env, lastKnownGood: null, rollbackTarget: null }]) });
    state = reduce(state, { type: 'history.loaded', env: 'staging', revisions: [revision(7)] });
    const { lastFrame } = render(<HistoryView state={state} view={{ kind: 'history', env: 'staging', selected: 0 }} link={null} dispatch={() => undefined} rows={24} columns={80} />);
    await new Promise((resolve) => setTimeout(resolve, 20));
    const frame = (lastFrame() ?? '').split('\n');
    // One row, as nothing else is said.
    expect(frame[0]).toBe('staging ← staging · live #7 · last known good —');
    expect(frame[1]).toMatch(/^ +REV +STATUS/);
  });

  it('at 80×24 a paused environment with an incident and 30 revisions stays below the height the header and footer leave', async () => {
    const paused: EnvironmentView = {
      ...env,
      paused: { revision: 7, since: '2026-12-04T10:00:00.000Z', reason: 'monitor check error_rate inconclusive 11 times in a row on #7 (the last: Prometheus did not answer: connection refused; axum logs staging#7 --step check-13)' },
      incident: 'monitor failed 3 times in a row on #5 (checks 1–3; the last measured error_rate = 0.18 (fail: > 0.05))',
    };
    let state = reduce(initialTuiState, { type: 'connection.connected', clientId: 'me', state: daemonState([paused]) });
    state = reduce(state, { type: 'history.loaded', env: 'staging', revisions: Array.from({ length: 30 }, (_, i) => revision(30 - i)) });
    const { lastFrame } = render(<HistoryView state={state} view={{ kind: 'history', env: 'staging', selected: 0 }} link={null} dispatch={() => undefined} rows={24} columns={80} />);
    await new Promise((resolve) => setTimeout(resolve, 20));
    const frame = (lastFrame() ?? '').split('\n');
    // The App's header (3 rows) and footer (2, no notice) are around it: the whole frame takes
    // every row but the terminal's last (Ink redraws the whole screen at its height).
    expect(frame.length).toBe(24 - 1 - 5);
    expect(frame.join('\n')).toContain('⏸ staging paused over #7 — a keeps it, r rolls back to #4: monitor check');
    // The title is read whole, on two rows rather than cut.
    expect(frame.slice(0, 2).join(' ')).toBe('staging ← staging · live #7 · last known good #5 · PAUSED · r rolls back to the selected revision');
    // The rows left (18, less two of title, two of pause, the incident and the heading) are the
    // revisions', and one of them says how many are out of the window.
    expect(frame.filter((row) => /#\d+\s+(live|superseded)/.test(row)).length).toBe(11);
    expect(frame.at(-1)).toBe('↓ 19 more (j/k, PgUp/PgDn; axum history staging)');
  });
});

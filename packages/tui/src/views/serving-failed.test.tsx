// *Serving, failed* (ARCHITECTURE.md, glossary, Live): a release that failed verification and stays in
// `current` (rollback.auto off) is shown as what serves, failed, never as "nothing live".
import { render } from 'ink-testing-library';
import { describe, expect, it } from 'vitest';
import type { DaemonState, EnvironmentView } from '@axum/protocol';
import { confirmationFor } from '../state/actions.js';
import { environmentCells } from '../state/selectors.js';
import { initialTuiState, reduce } from '../state/tui-state.js';
import { EnvironmentsTable } from './EnvironmentsTable.js';

const servingFailed: EnvironmentView = {
  name: 'staging', branch: 'main', path: '/r/.axum/envs/staging', protected: false, approval: 'auto', inConfig: true, pinned: false, awaitingApproval: false,
  live: null, serving: { revision: 3, releaseId: 'rel-3', commit: 'd'.repeat(40), failed: true },
  lastKnownGood: { revision: 2, releaseId: 'rel-2', commit: 'c'.repeat(40) }, rollbackTarget: { revision: 2, releaseId: 'rel-2', commit: 'c'.repeat(40) }, heldReleaseId: null, paused: null, pendingReleaseId: null, operation: null,
  incident: '#3 failed verify: gates failed: accuracy = 0.41, gate >= 0.8 (LKG 0.9)', liveMetric: null, lastCheck: null,
};
const daemon = (environments: EnvironmentView[]): DaemonState => ({
  daemon: { pid: 1, version: '0.1.0', protocolVersion: 1, repo: '/r', socket: '/s', tokenFile: '/t', listen: null, startedAt: 't' },
  config: { file: 'axum.yml', valid: true, errors: [], loadedAt: 't' }, environments, runs: [], warnings: [], clients: 1, attached: [], activity: [], backups: [],
});
const connected = (environments: EnvironmentView[]) => reduce(initialTuiState, { type: 'connection.connected', clientId: 'c', state: daemon(environments) });

describe('serving, failed', () => {
  it('the status cells name what serves and that it failed', () => {
    expect(environmentCells(servingFailed)).toMatchObject({ live: '#3 serving, failed', release: 'rel-3', commit: 'dddddddd', lkg: '#2' });
  });

  it('the dashboard LIVE column shows it failed, not "—"', () => {
    const { lastFrame } = render(<EnvironmentsTable state={connected([servingFailed])} environments={[servingFailed]} />);
    const row = lastFrame()!.split('\n').find((line) => line.slice(2).startsWith('staging'))!;
    expect(row.slice(2)).toMatch(/^staging\s+main\s+#3 failed\s+rel-3\s+#2/);
  });

  it('the rollback confirmation says what serves now and goes to the last known good', () => {
    const confirmation = confirmationFor({ kind: 'rollback', env: 'staging', to: null, force: false }, connected([servingFailed]));
    expect(confirmation).toMatchObject({ title: 'roll back staging to #2 (rel-2)? rel-3 (serving, failed, #3) will be marked bad' });
    const details = (confirmation as { details: string[] }).details;
    expect(details[0]).toBe('serving now: #3 (rel-3, dddddddd), which FAILED (serving, failed: not verified)');
    expect(details.join('\n')).not.toContain('nothing is live');
  });

  it('a daemon that sends no `serving` (older) still shows its live revision', () => {
    const old = { ...servingFailed, serving: null, live: { revision: 2, releaseId: 'rel-2', commit: 'c'.repeat(40) } };
    expect(environmentCells(old).live).toBe('#2');
  });
});

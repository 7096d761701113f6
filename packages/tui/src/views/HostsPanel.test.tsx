// A remote environment's hosts in the TUI's history view (docs/remote-environments.md): what
// each host's `current` names, reachable or not, last seen; the selected revision's part on each.
import { render } from 'ink-testing-library';
import { describe, expect, it } from 'vitest';
import type { DaemonState, EnvironmentView, RevisionView } from '@axum/protocol';
import { initialTuiState, reduce, type TuiState } from '../state/tui-state.js';
import { HistoryView } from './HistoryView.js';

const at = new Date(Date.now() - 120_000).toISOString();
const production: EnvironmentView = {
  name: 'production', branch: 'main', path: '/r/.axum/envs/production', protected: true, approval: 'auto', inConfig: true, pinned: false, awaitingApproval: false,
  live: { revision: 1, releaseId: 'rel-1', commit: 'c'.repeat(40) }, serving: { revision: 1, releaseId: 'rel-1', commit: 'c'.repeat(40), failed: false },
  lastKnownGood: { revision: 1, releaseId: 'rel-1', commit: 'c'.repeat(40) }, rollbackTarget: null, heldReleaseId: null, paused: null, pendingReleaseId: null, operation: null,
  incident: null, liveMetric: null, lastCheck: null,
  hosts: [
    { host: 'deploy@alpha:/srv/model', releaseId: 'rel-1', state: 'ok', reason: null, at },
    { host: 'deploy@beta:/srv/model', releaseId: 'rel-1', state: 'failed', reason: 'ssh: connect to host beta port 22: Connection refused', at },
    { host: 'deploy@gamma:/srv/model', releaseId: null, state: 'unknown', reason: null, at: '' },
  ],
};
const revision = (n: number, releaseId: string, status: RevisionView['status'], hosts: RevisionView['hosts']): RevisionView => ({
  revision: n, status, kind: 'deploy', releaseId, commit: 'c'.repeat(40), rollbackTo: null, verified: status === 'live', createdAt: at, finishedAt: at, by: 'push run-1', message: null, runId: null, metrics: {}, gates: [], steps: [], checks: { total: 0, failed: 0 }, hosts,
});
const history = [
  revision(2, 'rel-2', 'failed', [
    { host: 'deploy@alpha:/srv/model', outcome: 'staged', reason: null },
    { host: 'deploy@beta:/srv/model', outcome: 'failed', reason: 'Connection refused' },
  ]),
  revision(1, 'rel-1', 'live', [{ host: 'deploy@alpha:/srv/model', outcome: 'switched', reason: null, serving: true }]),
];
const daemon = (environments: EnvironmentView[]): DaemonState => ({
  daemon: { pid: 1, version: '0.1.0', protocolVersion: 1, repo: '/r', socket: '/s', tokenFile: '/t', listen: null, startedAt: 't' },
  config: { file: 'axum.yml', valid: true, errors: [], loadedAt: 't' }, environments, runs: [], warnings: [], clients: 1, attached: [], activity: [], backups: [],
});

describe('the hosts of a remote environment in the history view', () => {
  it("lists each host's current, its state in words (NO_COLOR keeps them) and when it was seen; the selected revision's hosts below", () => {
    let state: TuiState = reduce(initialTuiState, { type: 'connection.connected', clientId: 'c', state: daemon([production]) });
    state = reduce({ ...state, view: { kind: 'history', env: 'production', selected: 0 } }, { type: 'history.loaded', env: 'production', revisions: history });
    const { lastFrame } = render(<HistoryView state={state} view={{ kind: 'history', env: 'production', selected: 0 }} link={null} dispatch={() => undefined} rows={24} />);
    const lines = lastFrame()!.split('\n');
    expect(lines.find((l) => l.includes('HOST'))).toMatch(/HOST\s+CURRENT\s+SEEN\s+STATE/);
    expect(lines.find((l) => l.includes('alpha:'))).toMatch(/^ {2}deploy@alpha:\/srv\/model\s+rel-1 #1\s+2m\s+ok$/);
    expect(lines.find((l) => l.includes('beta:'))).toMatch(/^✗ deploy@beta:\/srv\/model\s+rel-1 #1\s+2m\s+FAILED: ssh: connect to host beta/);
    expect(lines.find((l) => l.includes('gamma:'))).toMatch(/deploy@gamma:\/srv\/model\s+—\s+—\s+not seen yet/);
    expect(lines.at(-1)).toBe('#2 on hosts: alpha staged · beta FAILED');
    expect(lines.length).toBeLessThan(24 - 4); // the header and footer keep their rows
  });
});

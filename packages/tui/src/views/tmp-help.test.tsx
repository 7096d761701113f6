import { render } from 'ink-testing-library';
import { it } from 'vitest';
import type { DaemonState } from '@axum/protocol';
import { initialTuiState, reduce } from '../state/tui-state.js';
import { HelpOverlay } from './HelpOverlay.js';
it('prints', async () => {
  const env = (name: string, branch: string, extra = {}) => ({
    name, branch, path: '/x', protected: name === 'production', approval: name === 'production' ? 'manual' as const : 'auto' as const, inConfig: true, pinned: false, awaitingApproval: false,
    live: null, serving: null, lastKnownGood: null, rollbackTarget: null, heldReleaseId: null, paused: null, pendingReleaseId: null, operation: null, incident: null, liveMetric: null, lastCheck: null, ...extra,
  });
  const daemon = {
    daemon: { pid: 1, version: '0.1.0', protocolVersion: 1, repo: '/repo', socket: '/s', tokenFile: '/t', listen: null, startedAt: 't' },
    config: { file: 'axum.yml', valid: true, errors: [], loadedAt: 't' },
    environments: [env('staging', 'staging'), env('production', 'release')], runs: [], warnings: [], clients: 1, attached: [], activity: [], backups: [],
  } as unknown as DaemonState;
  const state = { ...reduce(initialTuiState, { type: 'connection.connected', clientId: 'c1', state: daemon }), helpOpen: true };
  const { lastFrame } = render(<HelpOverlay state={state} rows={24} columns={80} />);
  await new Promise((r) => setTimeout(r, 20));
  console.log(lastFrame());
  console.log((lastFrame() ?? '').split('\n').length);
});

import { describe, expect, it } from 'vitest';
import type { DaemonState } from '@axum/protocol';
import { connectionLabel, initialTuiState, reduce } from './tui-state.js';

const daemonState: DaemonState = {
  daemon: { pid: 42, version: '0.1.0', protocolVersion: 1, repo: '/r', socket: '/s', tokenFile: '/t', listen: null, startedAt: '2026-01-01T00:00:00.000Z' },
  config: { file: 'axum.yml', valid: true, errors: [], loadedAt: '2026-01-01T00:00:00.000Z' },
  environments: ['dev', 'staging', 'production'].map((name) => ({
    name,
    branch: name,
    path: `/r/.axum/envs/${name}`,
    protected: name === 'production',
    approval: 'auto' as const,
    pinned: false,
    awaitingApproval: false,
    live: null,
    lastKnownGood: null,
    pendingReleaseId: null,
    operation: null,
    incident: null,
  })),
  runs: [],
  warnings: [],
  clients: 1,
};

describe('reduce', () => {
  it('takes the snapshot on connect and applies deltas on top', () => {
    let state = reduce(initialTuiState, { type: 'connection.connected', clientId: 'c1', state: daemonState });
    expect(connectionLabel(state.connection)).toBe('connected');
    state = reduce(state, { type: 'daemon.delta', delta: { type: 'clients.changed', clients: 3 } });
    expect(state.daemon?.clients).toBe(3);
  });

  it('keeps the last state while reconnecting, and says when it retries', () => {
    let state = reduce(initialTuiState, { type: 'connection.connected', clientId: 'c1', state: daemonState });
    state = reduce(state, { type: 'connection.lost', attempt: 2, reason: 'closed', retryInMs: 1500 });
    expect(state.daemon).toBe(daemonState);
    expect(connectionLabel(state.connection)).toBe('disconnected — retrying in 2 s (attempt 2)');
  });

  it('moves the selection within the environments and clamps it when they shrink', () => {
    let state = reduce(initialTuiState, { type: 'connection.connected', clientId: 'c1', state: daemonState });
    state = reduce(state, { type: 'selection.move', by: 5 });
    expect(state.selected).toBe(2);
    state = reduce(state, { type: 'selection.move', by: -1 });
    expect(state.selected).toBe(1);
    const oneEnv = daemonState.environments.slice(0, 1);
    state = reduce(state, { type: 'daemon.delta', delta: { type: 'config.changed', config: daemonState.config, environments: oneEnv } });
    expect(state.selected).toBe(0);
  });

  it('toggles help', () => {
    expect(reduce(initialTuiState, { type: 'help.toggle' }).helpOpen).toBe(true);
    expect(reduce({ ...initialTuiState, helpOpen: true }, { type: 'help.close' }).helpOpen).toBe(false);
  });
});

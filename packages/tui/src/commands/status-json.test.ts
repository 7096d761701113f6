// `axum status --json` carries what the daemon's state has beside the environments' revisions: the
// HEALTH column's facts per environment, and who is attached and what clients did.
import { describe, expect, it } from 'vitest';
import type { DaemonState, EnvironmentView } from '@axum/protocol';
import { statusJson } from './status.js';

const staging: EnvironmentView = {
  name: 'staging', branch: 'main', path: '/r/.axum/envs/staging', protected: false, approval: 'auto', inConfig: true, pinned: false, awaitingApproval: false,
  live: { revision: 2, releaseId: 'rel-2', commit: 'c'.repeat(40) }, serving: { revision: 2, releaseId: 'rel-2', commit: 'c'.repeat(40), failed: false },
  lastKnownGood: { revision: 2, releaseId: 'rel-2', commit: 'c'.repeat(40) }, rollbackTarget: null, heldReleaseId: null, pendingReleaseId: null, operation: null, paused: null, incident: null,
  liveMetric: { name: 'accuracy', value: 0.91, lkgValue: 0.9 },
  lastCheck: { passed: false, inconclusive: true, at: '2026-12-05T17:04:03.999Z', step: 'check-7' },
};
const attached = [{ id: 'c1', name: 'axum-tui', user: 'alice', pid: 4242, terminal: 'pts/3', since: '2026-12-05T17:00:00.000Z' }];
const activity = [{ at: '2026-12-05T17:02:00.000Z', who: 'alice (axum-tui on pts/3)', what: 'rolled back staging to #1 (now #3)', clientId: 'c1' }];
const state: DaemonState = {
  daemon: { pid: 1, version: '0.1.0', protocolVersion: 1, repo: '/r', socket: '/s', tokenFile: '/t', listen: null, startedAt: 't' },
  config: { file: 'axum.yml', valid: true, errors: [], loadedAt: 't' }, environments: [staging], runs: [], warnings: [], clients: 2, attached, activity, backups: [],
};

describe('axum status --json', () => {
  it("has each environment's liveMetric and lastCheck, as the state has them", () => {
    const json = statusJson(state) as { environments: Record<string, unknown>[] };
    expect(json.environments[0]).toMatchObject({ liveMetric: { name: 'accuracy', value: 0.91, lkgValue: 0.9 }, lastCheck: { passed: false, inconclusive: true, at: '2026-12-05T17:04:03.999Z', step: 'check-7' } });
    // None yet: null, not left out.
    const none = statusJson({ ...state, environments: [{ ...staging, liveMetric: null, lastCheck: null }] }) as { environments: Record<string, unknown>[] };
    expect(none.environments[0]).toMatchObject({ liveMetric: null, lastCheck: null });
  });

  it('has who is attached and what clients did, at the top level', () => {
    expect(statusJson(state)).toMatchObject({ clients: 2, attached, activity });
    expect(statusJson({ ...state, attached: [], activity: [] })).toMatchObject({ attached: [], activity: [] });
  });
});

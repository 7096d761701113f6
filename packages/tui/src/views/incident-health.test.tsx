// An open incident (an fsck mismatch of the folder `current` names, say) is health: HEALTH says so
// on the dashboard and in `axum status`, and `i`, with no output to open, names axum fsck.
import { describe, expect, it } from 'vitest';
import type { DaemonState, EnvironmentView } from '@axum/protocol';
import { statusLines } from '../commands/status.js';
import { KEYMAP } from '../keymap.js';
import { healthCell } from '../state/selectors.js';
import { initialTuiState, reduce } from '../state/tui-state.js';

const at = (revision: number) => ({ revision, releaseId: `rel-${revision}`, commit: 'c'.repeat(40) });
const staging: EnvironmentView = {
  name: 'staging', branch: 'main', path: '/r/.axum/envs/staging', protected: false, approval: 'auto', inConfig: true, pinned: false, awaitingApproval: false,
  live: at(2), serving: null, lastKnownGood: at(2), rollbackTarget: null, heldReleaseId: null, pendingReleaseId: null, operation: null, paused: null,
  incident: null, liveMetric: { name: 'accuracy', value: 0.93, lkgValue: null }, lastCheck: { passed: true, inconclusive: false, at: 't', step: 'check-9' },
};
const FSCK = 'current names rel-2: model/weights.txt differs from its manifest (axum fsck --repair materializes it again from the store)';
const daemon = (environments: EnvironmentView[]): DaemonState => ({
  daemon: { pid: 1, version: '0.1.0', protocolVersion: 1, repo: '/r', socket: '/s', tokenFile: '/t', listen: null, startedAt: 't' },
  config: { file: 'axum.yml', valid: true, errors: [], loadedAt: 't' }, environments, runs: [], warnings: [], clients: 1, attached: [], activity: [], backups: [],
});
const incidentKey = KEYMAP.find((b) => b.label === 'i')!;
const whyNot = (env: EnvironmentView) => incidentKey.disabledReason?.(reduce(initialTuiState, { type: 'connection.connected', clientId: 'c', state: daemon([env]) }));

describe('an open incident', () => {
  it('leads HEALTH, before a passing check and the metric; without one HEALTH is as before', () => {
    expect(healthCell({ ...staging, incident: FSCK })).toBe('! ✓ accuracy 0.93');
    expect(healthCell({ ...staging, incident: FSCK, lastCheck: null, liveMetric: null })).toBe('! incident');
    expect(healthCell(staging)).toBe('✓ accuracy 0.93');
  });
  it('shows in the HEALTH of axum status at 80 columns, with the incident\'s own line below', () => {
    const row = statusLines(daemon([{ ...staging, incident: FSCK }]), 80).find((line) => line.startsWith('staging '));
    expect(statusLines(daemon([{ ...staging, incident: FSCK }]), 80)).toContain(`incident     staging: ${FSCK}`);
    expect(row).toMatch(/ #2 +! ✓ accuracy 0\.93 +—$/);
  });
  it("i with no output to open names axum fsck when the incident is about the release folder; else it says there is no output", () => {
    // The fsck that puts it right is the one the incident names; --repair mends neither of the last two.
    expect(whyNot({ ...staging, incident: FSCK })).toBe('no output behind the incident of staging: it is about what its current link names (axum fsck --repair materializes it again from the store)');
    expect(whyNot({ ...staging, incident: 'current names rel-9, which no recorded release is (axum fsck --rebuild)' })).toBe('no output behind the incident of staging: it is about what its current link names (axum fsck --rebuild)');
    expect(whyNot({ ...staging, incident: 'current names nothing, while #2 (rel-2) is live' })).toBe('no output behind the incident of staging: it is about what its current link names (axum fsck checks it)');
    expect(whyNot({ ...staging, incident: 'rollback #4 interrupted by a daemon restart; finished by #5 (rollback to #2)' })).toBe('no incident with an output here');
    expect(whyNot({ ...staging, incident: '#3 failed verification: gate accuracy (axum logs staging#3 --step eval)' })).toBeNull();
  });
});

// The pause (ARCHITECTURE.md, glossary: Inconclusive): a paused environment is marked on its row, a
// notice says how to decide, `axum status` says it in text and JSON, and `a` approves it.
import { render } from 'ink-testing-library';
import { describe, expect, it } from 'vitest';
import type { DaemonState, EnvironmentView } from '@axum/protocol';
import { statusJson, statusLines } from '../commands/status.js';
import { KEYMAP } from '../keymap.js';
import { confirmationFor } from '../state/actions.js';
import { deployBadge, environmentCells, healthCell, pauseLine } from '../state/selectors.js';
import { initialTuiState, reduce } from '../state/tui-state.js';
import { EnvironmentsTable } from './EnvironmentsTable.js';

const paused: EnvironmentView = {
  name: 'staging', branch: 'main', path: '/r/.axum/envs/staging', protected: false, approval: 'auto', inConfig: true, pinned: false, awaitingApproval: false,
  live: null, serving: { revision: 3, releaseId: 'rel-3', commit: 'd'.repeat(40), failed: true },
  lastKnownGood: { revision: 2, releaseId: 'rel-2', commit: 'c'.repeat(40) }, rollbackTarget: { revision: 2, releaseId: 'rel-2', commit: 'c'.repeat(40) }, heldReleaseId: 'rel-4', pendingReleaseId: null, operation: null,
  paused: { since: '2026-12-04T07:00:00.000Z', revision: 3, reason: 'inconclusive: check error_rate: 1 measurement inconclusive (more than 0); the last: connection refused' },
  incident: null, liveMetric: null, lastCheck: null,
};
const daemon = (environments: EnvironmentView[]): DaemonState => ({
  daemon: { pid: 1, version: '0.1.0', protocolVersion: 1, repo: '/r', socket: '/s', tokenFile: '/t', listen: null, startedAt: 't' },
  config: { file: 'axum.yml', valid: true, errors: [], loadedAt: 't' }, environments, runs: [], warnings: [], clients: 1, attached: [], activity: [], backups: [],
});
const connected = (environments: EnvironmentView[]) => reduce(initialTuiState, { type: 'connection.connected', clientId: 'c', state: daemon(environments) });

describe('HEALTH', () => {
  it('marks the newest check ✓, ✗ or ? (inconclusive: Prometheus measured nothing), then the metric', () => {
    const check = (passed: boolean, inconclusive: boolean) => ({ ...paused, liveMetric: null, lastCheck: { passed, inconclusive, at: 't', step: 'check-9' } });
    expect(healthCell(check(true, false))).toBe('✓');
    expect(healthCell(check(false, false))).toBe('✗');
    expect(healthCell(check(false, true))).toBe('?');
  });
});

describe('a paused environment', () => {
  it('is flagged first on its row, and one line says why and how to decide', () => {
    expect(environmentCells(paused).flags).toBe('PAUSED (#3 inconclusive)');
    expect(pauseLine(paused)).toBe(
      'staging paused since 2026-12-04 07:00 UTC over #3: inconclusive: check error_rate: 1 measurement inconclusive (more than 0); the last: connection refused; rel-4 is held back — axum approve staging keeps #3, axum rollback staging goes back to #2 (rel-2)',
    );
    expect(pauseLine({ ...paused, rollbackTarget: { revision: 2, releaseId: 'rel-2', commit: 'c' } })).toMatch(/— axum approve staging keeps #3, axum rollback staging goes back to #2 \(rel-2\)$/);
    expect(pauseLine({ ...paused, rollbackTarget: null })).toMatch(/— axum approve staging keeps #3, nothing verified to roll back to \(axum deploy staging --release ID replaces it\)$/);
    expect(pauseLine({ ...paused, rollbackTarget: null }, true)).toMatch(/^staging paused over #3 — a keeps it; rel-4 is held back: /);
    expect(pauseLine({ ...paused, paused: null })).toBeNull();
  });

  it('axum status says it in text and in JSON', () => {
    const lines = statusLines(daemon([paused]));
    expect(lines.find((l) => l.startsWith('staging'))).toMatch(/PAUSED \(#3 inconclusive\)/);
    expect(lines).toContain(`paused       ${pauseLine(paused)}`);
    const json = statusJson(daemon([paused])) as { environments: { paused: unknown }[] };
    expect(json.environments[0]!.paused).toEqual(paused.paused);
  });

  it('the dashboard marks the row and shows the notice with the keys that decide', () => {
    const { lastFrame } = render(<EnvironmentsTable state={connected([paused])} environments={[paused]} />);
    const frame = lastFrame()!;
    expect(frame.split('\n').find((line) => line.slice(2).startsWith('staging'))).toContain('PAUSED');
    expect(frame).toContain('⏸ staging paused over #3 — a keeps it, r rolls back to #2; rel-4 is held back: inconclusive');
  });

  it('`a` is enabled, and its confirmation says it keeps what serves and deploys what was held', () => {
    const state = connected([paused]);
    const approve = KEYMAP.find((b) => b.label === 'a')!;
    expect(approve.disabledReason?.(state)).toBeNull();
    expect(approve.disabledReason?.(connected([{ ...paused, paused: null }]))).toBe('nothing is waiting for approval here');
    const confirmation = confirmationFor({ kind: 'approve', env: 'staging' }, state) as { title: string; details: string[] };
    expect(confirmation.title).toBe('keep #3 in staging as live and verified, and lift the pause?');
    expect(confirmation.details).toContain('then rel-4, held back by the pause, deploys');
    // Said before it is confirmed: the approval does not carry to the next environment.
    expect(confirmation.details).toContain("the approval holds for staging only: the next environment's gate is judged on its own");
  });

  it("a run held by the pause says so in the runs table", () => {
    const run = { id: 'run-4', number: 4, status: 'succeeded', commit: 'e'.repeat(40), branch: 'main', env: 'staging', trigger: 'push', reused: false, createdAt: 't', startedAt: 't', finishedAt: 't', steps: [], subject: 's', releaseId: 'rel-4', message: null, warnings: [], deploy: { env: 'staging', revision: null, outcome: 'held-by-pause' } } as const;
    expect(deployBadge({ ...run, steps: [], warnings: [] })).toBe('staging ⏸ paused');
  });
});

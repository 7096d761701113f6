import { describe, expect, it } from 'vitest';
import type { RevisionView } from '@axum/protocol';
import { autoRollbackIncident } from './incidents.js';

const revision = (n: number, steps: { name: string; status: RevisionView['steps'][number]['status'] }[]) =>
  ({ revision: n, steps: steps.map((s) => ({ stage: 'verify', exitCode: null, durationMs: null, startedAt: null, logBytes: 0, ...s })) }) as RevisionView;

describe('the incident of an automatic rollback', () => {
  it("points at the failed revision's output: its failed step, else all of it", () => {
    expect(autoRollbackIncident('staging', 'auto: #3 failed verification', 2, [revision(3, [{ name: 'eval', status: 'failed' }])])).toBe('#3 failed verification (axum logs staging#3 --step eval); rolled back to #2');
    expect(autoRollbackIncident('staging', 'auto: #3 failed verification', 2, [revision(3, [{ name: 'eval', status: 'succeeded' }])])).toBe('#3 failed verification (axum logs staging#3); rolled back to #2');
    expect(autoRollbackIncident('staging', 'auto: #3 failed verification', 2, [revision(3, [])])).toBe('#3 failed verification; rolled back to #2');
  });
  it('keeps a pointer the cause already has (a monitor incident names its check)', () => {
    const cause = 'auto: monitor failed 2 times in a row on #2 (checks 4–5; the last exited 1: axum logs staging#2 --step check-5)';
    expect(autoRollbackIncident('staging', cause, 1, [])).toBe(`${cause.slice('auto: '.length)}; rolled back to #1`);
  });
});

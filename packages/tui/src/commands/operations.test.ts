import { describe, expect, it } from 'vitest';
import type { RevisionView, RunView } from '@axum/protocol';
import { deployCell, gatesCell, interruptedLines, revisionAddress, silentStepsLine } from './operations.js';

const revision = (gates: RevisionView['gates'], metrics: Record<string, number> = {}) => ({ gates, metrics }) as RevisionView;
const gate = (metric: string, value: number | null, verdict: 'pass' | 'fail', lkgValue: number | null = null) => ({ metric, op: '>=', threshold: 0.85, value, lkgValue, verdict, reason: null, expression: '>= 0.85' });

describe('how operations read on the command line', () => {
  it('shows the failed gates with the LKG value, or the first gate, and counts the rest', () => {
    expect(gatesCell(revision([gate('accuracy', 0.035, 'fail', 0.91), gate('p95_ms', 10, 'pass')]))).toBe('accuracy 0.035 ✗ >= 0.85 (LKG 0.91) +1');
    expect(gatesCell(revision([gate('accuracy', 0.93, 'pass'), gate('p95_ms', 10, 'pass')]))).toBe('accuracy 0.93 ✓ >= 0.85 +1');
    expect(gatesCell(revision([gate('accuracy', null, 'fail')]))).toBe('accuracy missing ✗ >= 0.85');
    expect(gatesCell(revision([], { loss: 0.1234567891 }))).toBe('loss 0.123457');
    expect(gatesCell(revision([]))).toBe('—');
    expect(gatesCell(revision([{ ...gate('train_accuracy', 0.9575, 'pass'), from: 'build' }]))).toBe('train_accuracy 0.9575 (from the build) ✓ >= 0.85');
  });
  it('shows a relative gate with the LKG value and the threshold computed from it, and an inconclusive one with why', () => {
    const relative = { metric: 'accuracy', op: '>=', threshold: 0.91, value: 0.905, lkgValue: 0.92, verdict: 'fail' as const, reason: null, expression: '>= lkg - 0.01' };
    expect(gatesCell(revision([relative]))).toBe('accuracy 0.905 ✗ >= 0.91 (lkg 0.92 - 0.01)');
    const unsure = { ...relative, threshold: null, lkgValue: null, verdict: 'inconclusive' as const, reason: 'no last known good value of accuracy to compare with' };
    expect(gatesCell(revision([unsure, gate('p95_ms', 10, 'pass')]))).toBe('accuracy 0.905 ? >= lkg - 0.01: inconclusive, no last known good value of accuracy to compare with +1');
  });
  it('says what silent steps came to: each exit, the gates, the message (never nothing at all)', () => {
    const failed = {
      ...revision([gate('accuracy', 0.5, 'fail', 0.91)]),
      message: 'verify failed: gate accuracy',
      steps: [{ stage: 'verify', name: 'eval', status: 'succeeded', exitCode: 0 }, { stage: 'verify', name: 'smoke', status: 'succeeded', exitCode: 0 }],
    } as unknown as RevisionView;
    expect(silentStepsLine('dev#4', failed, ['eval', 'smoke'])).toBe('dev#4: no step output (eval succeeded (exit 0), smoke succeeded (exit 0)); gates: accuracy 0.5 ✗ >= 0.85 (LKG 0.91); verify failed: gate accuracy');
    expect(silentStepsLine('dev#4', { ...failed, gates: [], message: null }, ['eval'])).toBe('dev#4: no step output (eval succeeded (exit 0))');
  });
  it('says the output above is what a step cut short by a restart printed only when it printed something', () => {
    const cut = { steps: [{ stage: 'deploy', name: 'hook', status: 'succeeded' }, { stage: 'verify', name: 'eval', status: 'interrupted' }] } as unknown as RevisionView;
    expect(interruptedLines(cut, ['hook', 'eval'], new Set(['eval']))).toEqual(['eval: interrupted by a daemon restart (the output above is what it printed until then)']);
    // Nothing printed at all: the silent steps' line (`no step output (eval interrupted)`) says it; no "above".
    expect(interruptedLines(cut, ['hook', 'eval'], new Set())).toEqual([]);
    expect(interruptedLines(cut, ['hook', 'eval'], new Set(['hook']))).toEqual(['eval: interrupted by a daemon restart before it printed anything']);
  });
  it("names a run's deploy by ENV#N, and parses ENV#N", () => {
    expect(deployCell({ deploy: { env: 'staging', revision: 3, outcome: 'failed' } } as RunView)).toBe('staging#3 failed');
    expect(deployCell({ deploy: { env: 'production', revision: null, outcome: 'awaiting-approval' } } as RunView)).toBe('production awaiting-approval');
    expect(deployCell({ deploy: null } as RunView)).toBe('—');
    expect(revisionAddress('production#7')).toEqual({ env: 'production', revision: 7 });
    expect(revisionAddress('run-7')).toBeNull();
    // As `axum history` and the event log print it.
    expect(revisionAddress('dev #3')).toEqual({ env: 'dev', revision: 3 });
    expect(revisionAddress('a b#3')).toBeNull();
  });
});

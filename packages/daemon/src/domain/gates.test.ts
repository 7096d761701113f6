import { describe, expect, it } from 'vitest';
import { describeFailedGates, gateVerdicts, parseMetrics, parseMetricsFile } from './gates.js';

describe('metrics', () => {
  it('parses name=value lines, last value wins, ignores noise', () => {
    expect(parseMetrics('accuracy=0.91\nnoise\np95_ms = 120\naccuracy=0.93\nbad=abc\n')).toEqual({ accuracy: 0.93, p95_ms: 120 });
  });
  it('remembers values that are not numbers, and forgets them when a number follows', () => {
    expect(parseMetricsFile('accuracy=high\nloss=oops\nloss=0.2\n')).toEqual({ metrics: { loss: 0.2 }, notNumbers: { accuracy: 'high' } });
    expect(parseMetricsFile('accuracy=0.9\naccuracy=NaN\n')).toEqual({ metrics: {}, notNumbers: { accuracy: 'NaN' } });
  });
});

describe('gates', () => {
  it('judges each gate with the LKG value beside it', () => {
    const verdicts = gateVerdicts({ accuracy: '>= 0.90', p95_ms: '<= 250' }, { accuracy: 0.41, p95_ms: 120 }, { accuracy: 0.93 });
    expect(verdicts).toEqual([
      { metric: 'accuracy', op: '>=', threshold: 0.9, value: 0.41, lkgValue: 0.93, verdict: 'fail' },
      { metric: 'p95_ms', op: '<=', threshold: 250, value: 120, lkgValue: null, verdict: 'pass' },
    ]);
    expect(describeFailedGates(verdicts)).toEqual(['accuracy = 0.41, gate >= 0.9 (LKG 0.93)']);
  });
  it('fails a gate on a metric no step wrote, and names a value that is not a number', () => {
    const verdicts = gateVerdicts({ accuracy: '>= 0.90', p95_ms: '<= 250' }, {}, null);
    expect(verdicts.map((g) => [g.value, g.verdict])).toEqual([
      [null, 'fail'],
      [null, 'fail'],
    ]);
    expect(describeFailedGates(verdicts, { accuracy: 'high' })).toEqual([
      'accuracy: "high" is not a number (gate >= 0.9)',
      'p95_ms: no value (no verify step wrote p95_ms=… to $AXUM_METRICS; gate <= 250)',
    ]);
  });
  it('treats names of Object.prototype as unknown metrics', () => {
    expect(gateVerdicts({ constructor: '> 0' }, {}, {})[0]).toMatchObject({ value: null, lkgValue: null, verdict: 'fail' });
  });
});

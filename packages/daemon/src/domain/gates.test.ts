import { describe, expect, it } from 'vitest';
import { parseGate } from '@axum/protocol';
import { describeFailedGates, describeInconclusiveGates, fallbackHint, gateVerdicts, onlyUnwrittenMetricsFailed, parseMetrics, parseMetricsFile } from './gates.js';

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
      { metric: 'accuracy', op: '>=', threshold: 0.9, value: 0.41, lkgValue: 0.93, verdict: 'fail', reason: null, expression: '>= 0.90' },
      { metric: 'p95_ms', op: '<=', threshold: 250, value: 120, lkgValue: null, verdict: 'pass', reason: null, expression: '<= 250' },
    ]);
    expect(describeFailedGates(verdicts)).toEqual(['accuracy = 0.41, gate >= 0.9 (LKG 0.93)']);
  });
  it('says a float sum as the GATES column does (0.64), the verdict keeping the raw value', () => {
    const raw = 0.8 * 0.8; // 0.6400000000000001
    const verdicts = gateVerdicts({ accuracy: '>= 0.8' }, { accuracy: raw }, { accuracy: 0.7 + 0.1 + 0.12 }); // LKG 0.9199999999999999
    expect(verdicts[0]?.value).toBe(raw);
    expect(describeFailedGates(verdicts)).toEqual(['accuracy = 0.64, gate >= 0.8 (LKG 0.92)']);
    const unsure = gateVerdicts({ accuracy: '>= lkg - 0.01' }, { accuracy: raw }, null);
    expect(describeInconclusiveGates(unsure)[0]).toMatch(/^accuracy = 0\.64, gate >= lkg - 0\.01: /);
  });
  it('fails a gate on a metric no step wrote, and names a value that is not a number', () => {
    const verdicts = gateVerdicts({ accuracy: '>= 0.90', p95_ms: '<= 250' }, {}, null);
    expect(verdicts.map((g) => [g.value, g.verdict])).toEqual([
      [null, 'fail'],
      [null, 'fail'],
    ]);
    expect(describeFailedGates(verdicts, { accuracy: 'high' })).toEqual([
      'accuracy: "high" is not a number (gate >= 0.9)',
      "no step wrote metric 'p95_ms' (gates in axum.yml name metrics the steps write)",
    ]);
    // Only the unwritten metric failed: axum.yml's gate is to blame, not the release; a value that is not a number is the release's.
    expect(onlyUnwrittenMetricsFailed(verdicts)).toBe(true);
    expect(onlyUnwrittenMetricsFailed(verdicts, { accuracy: 'high' })).toBe(false);
    expect(onlyUnwrittenMetricsFailed(gateVerdicts({ accuracy: '>= 0.9', p95_ms: '<= 250' }, { accuracy: 0.5 }, null))).toBe(false);
    expect(onlyUnwrittenMetricsFailed(gateVerdicts({ accuracy: '>= 0.9' }, { accuracy: 0.95 }, null))).toBe(false);
  });
  it("judges a metric no verify step wrote on the build's value, and says so; a verify value comes first", () => {
    const verdicts = gateVerdicts({ train_accuracy: '>= 0.9', accuracy: '>= 0.8', loss: '<= 0.1' }, { accuracy: 0.85 }, { train_accuracy: 0.95 }, { train_accuracy: 0.9575, accuracy: 0.1, loss: 0.3 });
    expect(verdicts.map((g) => [g.metric, g.value, g.verdict, g.from])).toEqual([
      ['train_accuracy', 0.9575, 'pass', 'build'],
      ['accuracy', 0.85, 'pass', undefined],
      ['loss', 0.3, 'fail', 'build'],
    ]);
    expect(describeFailedGates(verdicts)).toEqual(['loss = 0.3 (from the build), gate <= 0.1']);
    const [relative] = gateVerdicts({ train_accuracy: '>= lkg - 0.01' }, {}, null, { train_accuracy: 0.9 });
    expect(describeInconclusiveGates([relative!])[0]).toMatch(/^train_accuracy = 0\.9 \(from the build\), gate >= lkg - 0\.01: /);
  });
  it('treats names of Object.prototype as unknown metrics', () => {
    expect(gateVerdicts({ constructor: '> 0' }, {}, {})[0]).toMatchObject({ value: null, lkgValue: null, verdict: 'fail' });
  });
});

describe('gates relative to the last known good', () => {
  // [gate, value, LKG value (undefined: no LKG at all), verdict, threshold used]
  const table: [string, number | null, number | null | undefined, 'pass' | 'fail' | 'inconclusive', number | null][] = [
    ['>= 0.90', 0.91, undefined, 'pass', 0.9],
    ['>= 0.90', 0.89, 0.95, 'fail', 0.9],
    ['>= lkg - 0.01', 0.915, 0.92, 'pass', 0.91],
    ['>= lkg - 0.01', 0.91, 0.92, 'pass', 0.91],
    ['>= lkg - 0.01', 0.9, 0.92, 'fail', 0.91],
    ['<= lkg * 1.10', 109, 100, 'pass', 110],
    ['<= lkg * 1.10', 111, 100, 'fail', 110],
    ['<= lkg + 5', 125, 120, 'pass', 125],
    ['<= lkg + 5', 126, 120, 'fail', 125],
    ['>= lkg', 0.92, 0.92, 'pass', 0.92],
    ['>= lkg - 0.01', 0.95, undefined, 'inconclusive', null],
    ['>= lkg - 0.01', 0.95, null, 'inconclusive', null],
    ['>= lkg - 0.01', null, undefined, 'fail', null],
    ['>= lkg - 0.01 or >= 0.85', 0.86, undefined, 'pass', 0.85],
    ['>= lkg - 0.01 or >= 0.85', 0.84, null, 'fail', 0.85],
    ['>= lkg - 0.01 or >= 0.85', 0.9, 0.92, 'fail', 0.91],
  ];
  it.each(table)('%s with value %s and LKG %s is %s (threshold %s)', (gate, value, lkg, verdict, threshold) => {
    const metrics: Record<string, number> = value === null ? {} : { accuracy: value };
    const lkgMetrics: Record<string, number> | null = lkg === undefined ? null : lkg === null ? { other: 1 } : { accuracy: lkg };
    const [g] = gateVerdicts({ accuracy: gate }, metrics, lkgMetrics);
    expect(g).toMatchObject({ verdict, threshold, expression: gate });
  });
  it('says why a relative gate with no LKG is inconclusive, and when its fallback applied', () => {
    const verdicts = gateVerdicts({ accuracy: '>= lkg - 0.01', p95_ms: '<= lkg * 1.1 or <= 300' }, { accuracy: 0.9, p95_ms: 120 }, null);
    expect(verdicts.map((g) => g.reason)).toEqual(['no last known good value of accuracy to compare with', 'no last known good value of p95_ms to compare with: the fallback applies']);
    expect(describeInconclusiveGates(verdicts)).toEqual(['accuracy = 0.9, gate >= lkg - 0.01: no last known good value of accuracy to compare with (a fixed fallback decides when there is none: ">= lkg - 0.01 or >= 0.89")']);
  });
  it('suggests a round fallback on the side that passes the measured value, at least the gate\'s margin from it, never the value itself (a tie)', () => {
    const cases: [string, string, number, string][] = [
      // Measured values as a model writes them: two significant digits, not a copy of the value.
      ['>= lkg - 0.001', '>=', 0.9682084800574918, '>= lkg - 0.001 or >= 0.96'],
      ['>= lkg - 0.01', '>=', 0.9682084800574918, '>= lkg - 0.01 or >= 0.95'], // 0.96 is only 0.008 below
      ['>= lkg', '>=', 0.9682084800574918, '>= lkg or >= 0.96'],
      ['>= lkg * 0.9', '>=', 0.8765432101234567, '>= lkg * 0.9 or >= 0.78'],
      ['<= lkg * 1.1', '<=', 123.45678901234, '<= lkg * 1.1 or <= 140'],
      ['>= lkg - 10', '>=', 0.0123, '>= lkg - 10 or >= -10'], // the margin, larger than the value, sets the digits
      ['>= lkg + 0.01', '>=', 0.8765, '>= lkg + 0.01 or >= 0.87'], // stricter than the LKG: no margin
      ['>= lkg - 0.01', '>=', 0.9, '>= lkg - 0.01 or >= 0.89'],
      ['> lkg', '>', 0.93, '> lkg or > 0.92'],
      ['<= lkg * 1.1', '<=', 120, '<= lkg * 1.1 or <= 140'],
      ['< lkg', '<', 0.3, '< lkg or < 0.31'],
      ['>= lkg', '>=', 0, '>= lkg or >= -1'],
      ['<= lkg + 0.05', '<=', 0.1 + 0.2, '<= lkg + 0.05 or <= 0.35'], // 0.30000000000000004 is read as 0.3
      ['>= lkg - 0.01', '>=', 0.1 + 0.2 + 0.01, '>= lkg - 0.01 or >= 0.3'], // 0.31000000000000005
      // Written in plain decimals: the gate grammar takes no exponent.
      ['>= lkg', '>=', 1e-7, '>= lkg or >= 0.00000009'],
      ['<= lkg', '<=', 1.25e-7, '<= lkg or <= 0.00000013'],
      ['<= lkg', '<=', 1e21, '<= lkg or <= 1100000000000000000000'],
      ['>= lkg', '>=', 1.5e21, '>= lkg or >= 1400000000000000000000'],
      ['<= lkg', '<=', 0, '<= lkg or <= 1'],
      ['>= lkg', '>=', -0.5, '>= lkg or >= -0.51'],
      ['< lkg', '<', -0.5, '< lkg or < -0.49'],
      ['<= lkg', '<=', -1, '<= lkg or <= -0.9'],
      ['> lkg', '>', -120, '> lkg or > -130'],
      ['<= lkg', '<=', 99999999999, '<= lkg or <= 100000000000'],
      ['>= lkg', '>=', 9007199254740992, '>= lkg or >= 9000000000000000'],
    ];
    for (const [expression, op, value, suggested] of cases) {
      expect(fallbackHint(expression, op, value)).toBe(`a fixed fallback decides when there is none: "${suggested}"`);
      expect(parseGate(suggested)?.fallback).toBeTruthy();
      const n = Number(suggested.split(' ').at(-1));
      const passes = { '>=': value >= n, '>': value > n, '<=': value <= n, '<': value < n }[op as '>=' | '>' | '<=' | '<'];
      expect(passes && n !== value).toBe(true);
      expect(Number(n.toPrecision(2))).toBe(n); // two significant digits at most
    }
    // No side to be on: said in words, with no number.
    expect(fallbackHint('== lkg', '==', 3)).toBe('a fixed fallback decides when there is none: "== lkg or == N", with the N you expect of this metric');
    expect(fallbackHint('!= lkg', '!=', 3)).not.toMatch(/\d/);
  });
  it('names the computed threshold and how it was computed in a failure', () => {
    const verdicts = gateVerdicts({ accuracy: '>= lkg - 0.01' }, { accuracy: 0.5 }, { accuracy: 0.92 });
    expect(describeFailedGates(verdicts)).toEqual(['accuracy = 0.5, gate >= 0.91 (lkg 0.92 - 0.01)']);
  });
});

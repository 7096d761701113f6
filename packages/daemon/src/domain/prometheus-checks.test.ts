import { describe, expect, it } from 'vitest';
import { measuredText, measurementLine } from './prometheus-checks.js';

describe('measured values as people read them', () => {
  it('keeps six significant digits at most, and short values as they are', () => {
    expect(measuredText(0.14818365825077237)).toBe('0.148184');
    expect(measuredText(0.5)).toBe('0.5');
    expect(measuredText(1234.5)).toBe('1234.5');
    expect(measuredText(0.000012345678)).toBe('0.0000123457');
    expect(measuredText(Number.POSITIVE_INFINITY)).toBe('Infinity');
  });
  it('in the check log line', () => {
    expect(measurementLine('error_rate', { verdict: 'fail', value: 0.14818365825077237, reason: 'fail: > 0.05' })).toBe('error_rate = 0.148184 ✗ (fail: > 0.05)');
    expect(measurementLine('error_rate', { verdict: 'inconclusive', value: null, reason: 'no result' })).toBe('error_rate ? inconclusive: no result');
  });
});

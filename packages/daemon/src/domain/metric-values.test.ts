import { describe, expect, it } from 'vitest';
import { metricValue, metricValues } from './metric-values.js';

describe('which value of a metric counts', () => {
  const verify = { accuracy: 0.93, latency_ms: 40 };
  const build = { accuracy: 0.9, loss: 0.12 };

  it("is the verify steps', else the build's (said so), else none", () => {
    expect(metricValue('accuracy', verify, build)).toEqual({ value: 0.93 });
    expect(metricValue('loss', verify, build)).toEqual({ value: 0.12, from: 'build' });
    expect(metricValue('recall', verify, build)).toBeNull();
  });

  it('is read from own keys only: a metric named after an Object method is no value', () => {
    expect(metricValue('toString', {}, {})).toBeNull();
  });

  it('as a map: every metric either wrote, the verify value winning', () => {
    expect(metricValues(verify, build)).toEqual({ accuracy: 0.93, loss: 0.12, latency_ms: 40 });
    expect(metricValues({}, {})).toEqual({});
  });
});

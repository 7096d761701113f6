import { describe, expect, it } from 'vitest';
import { acrossHosts, answerValue, checkVerdict, measure, perHost, scrapeIntervalOf, substituteQuery, type Measurement, type PrometheusAnswer } from './prometheus-checks.js';

const vector = (...values: string[]): PrometheusAnswer => ({
  kind: 'http',
  status: 200,
  body: { status: 'success', data: { resultType: 'vector', result: values.map((v, i) => ({ metric: { __name__: 'model_error_ratio', release: `rel-${i + 1}` }, value: [1700000000.5, v] })) } },
});

describe('a Prometheus answer as one measurement', () => {
  it('substitutes $REVISION, $RELEASE and $ENV, and nothing else', () => {
    expect(substituteQuery('sum(rate(errors{release="$RELEASE",env="$ENV",rev="$REVISION"}[1m])) / $RELEASES', { revision: 7, release: 'rel-12', env: 'staging' })).toBe(
      'sum(rate(errors{release="rel-12",env="staging",rev="7"}[1m])) / $RELEASES',
    );
  });

  it('substitutes $HOST by the host measured, localhost where none is; a query that says $HOST is measured per host', () => {
    const at = { revision: 7, release: 'rel-12', env: 'production' };
    expect(substituteQuery('up{instance=~"$HOST:.*",release="$RELEASE"} $HOSTS', { ...at, host: 'model-a' })).toBe('up{instance=~"model-a:.*",release="rel-12"} $HOSTS');
    expect(substituteQuery('up{instance=~"$HOST:.*"}', at)).toBe('up{instance=~"localhost:.*"}');
    expect([perHost('up{instance="$HOST"}'), perHost('up{instance="$HOSTS"}'), perHost('up')]).toEqual([true, false, false]);
  });

  it('one tick on several hosts: the first failing host decides, named; then an inconclusive one; else a pass', () => {
    const pass = { verdict: 'pass', value: 0.01, reason: 'fail: > 0.02' } as const;
    const fail = { verdict: 'fail', value: 0.5, reason: 'fail: > 0.02' } as const;
    const unsure = { verdict: 'inconclusive', value: null, reason: 'no series' } as const;
    expect(acrossHosts([{ host: 'a', m: pass }, { host: 'b', m: unsure }, { host: 'c', m: fail }])).toEqual({ ...fail, reason: 'on c: fail: > 0.02' });
    expect(acrossHosts([{ host: 'a', m: pass }, { host: 'b', m: unsure }])).toEqual({ ...unsure, reason: 'on b: no series' });
    expect(acrossHosts([{ host: 'a', m: pass }, { host: 'b', m: { ...pass, value: 0.02 } }]).verdict).toBe('pass');
    expect(acrossHosts([{ host: '', m: fail }])).toEqual(fail);
  });

  const table: [string, PrometheusAnswer, { value: number } | RegExp][] = [
    ['one series', vector('0.013'), { value: 0.013 }],
    ['a scalar', { kind: 'http', status: 200, body: { status: 'success', data: { resultType: 'scalar', result: [1, '42'] } } }, { value: 42 }],
    ['no series', vector(), /no series/],
    ['several series', vector('0.1', '0.2'), /2 series, one expected \(model_error_ratio\{release="rel-1"\}, model_error_ratio\{release="rel-2"\}\)/],
    ['NaN', vector('NaN'), /returned NaN, not a finite number/],
    ['+Inf', vector('+Inf'), /returned \+Inf/],
    ['-Inf', vector('-Inf'), /returned -Inf/],
    ['a string', { kind: 'http', status: 200, body: { status: 'success', data: { resultType: 'string', result: [1, 'hello'] } } }, /a string \("hello"\)/],
    ['a matrix', { kind: 'http', status: 200, body: { status: 'success', data: { resultType: 'matrix', result: [] } } }, /range vector/],
    ['HTTP 500 with no JSON', { kind: 'http', status: 500, body: null }, /HTTP 500/],
    ['malformed PromQL', { kind: 'http', status: 400, body: { status: 'error', errorType: 'bad_data', error: 'invalid parameter "query": 1:5: parse error: unexpected "}"' } }, /refused the query \(HTTP 400\): invalid parameter "query": 1:5: parse error/],
    ['not Prometheus', { kind: 'http', status: 200, body: { hello: 'world' } }, /not a query result/],
    ['connection refused', { kind: 'unreachable', reason: 'connection refused' }, /did not answer: connection refused/],
    ['a timeout', { kind: 'unreachable', reason: 'timed out after 1000 ms' }, /timed out/],
  ];
  it.each(table)('%s', (_, answer, expected) => {
    const got = answerValue(answer);
    if (expected instanceof RegExp) {
      expect('reason' in got && got.reason).toMatch(expected);
      // Never a pass, whatever the condition.
      expect(measure(answer, { fail: '> 0.02' }).verdict).toBe('inconclusive');
      expect(measure(answer, { pass: '<= 0.02' }).verdict).toBe('inconclusive');
    } else expect(got).toEqual(expected);
  });

  it('judges a value by fail: or pass:', () => {
    expect(measure(vector('0.01'), { fail: '> 0.02' })).toEqual({ verdict: 'pass', value: 0.01, reason: 'fail: > 0.02' });
    expect(measure(vector('0.03'), { fail: '> 0.02' })).toMatchObject({ verdict: 'fail', value: 0.03 });
    expect(measure(vector('0.02'), { pass: '<= 0.02' })).toMatchObject({ verdict: 'pass' });
    expect(measure(vector('0.021'), { pass: '<= 0.02' })).toMatchObject({ verdict: 'fail' });
  });
});

describe("a check's verdict from its measurements (Argo Rollouts' AnalysisTemplate)", () => {
  const m = (verdict: Measurement['verdict']): Measurement => ({ verdict, value: verdict === 'inconclusive' ? null : 1, reason: 'r' });
  const check = { name: 'error_rate', count: 4, failures: 1, inconclusive: 1 };
  const table: [Measurement['verdict'][], string][] = [
    [['pass'], 'running'],
    [['pass', 'pass', 'pass', 'pass'], 'pass'],
    [['fail', 'pass', 'pass', 'pass'], 'pass'],
    [['fail', 'fail'], 'fail'],
    [['inconclusive', 'pass', 'pass', 'pass'], 'pass'],
    [['inconclusive', 'inconclusive'], 'inconclusive'],
    [['fail', 'inconclusive', 'fail'], 'fail'],
    [['inconclusive', 'fail', 'pass', 'pass'], 'pass'],
  ];
  it.each(table)('%j → %s', (verdicts, expected) => {
    expect(checkVerdict(verdicts.map(m), check).verdict).toBe(expected);
  });
  it('with the default limits (0), one failure fails and one inconclusive is inconclusive', () => {
    expect(checkVerdict([m('fail')], { name: 'e', count: 8, failures: 0, inconclusive: 0 }).verdict).toBe('fail');
    expect(checkVerdict([m('inconclusive')], { name: 'e', count: 8, failures: 0, inconclusive: 0 })).toEqual({ verdict: 'inconclusive', summary: 'check e: 1 measurement inconclusive (more than 0); the last: r' });
  });
});

describe("Prometheus's scrape interval", () => {
  it('reads global.scrape_interval, not a job\'s', () => {
    expect(scrapeIntervalOf('global:\n  scrape_interval: 15s\n  scrape_timeout: 10s\nscrape_configs:\n- job_name: m\n  scrape_interval: 1s\n')).toBe(15_000);
    expect(scrapeIntervalOf('global:\n  scrape_interval: 1m\n')).toBe(60_000);
    expect(scrapeIntervalOf('scrape_configs: []\n')).toBeNull();
  });
});

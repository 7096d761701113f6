import type { CheckSpec } from '@axum/protocol';
import { describe, expect, it } from 'vitest';
import type { PrometheusAnswer } from '../domain/prometheus-checks.js';
import type { LogSink, PrometheusPort } from './ports.js';
import { runVerifyCheck } from './prometheus-check.js';

const check = (extra: Partial<CheckSpec> = {}): CheckSpec => ({ name: 'error_rate', prometheus: { url: 'http://prom:9090/', query: 'ratio{release="$RELEASE",env="$ENV"}' }, fail: '> 0.02', every: 1, count: 4, failures: 1, inconclusive: 1, ...extra });
const value = (v: string): PrometheusAnswer => ({ kind: 'http', status: 200, body: { status: 'success', data: { resultType: 'vector', result: [{ metric: {}, value: [1, v] }] } } });

/** A Prometheus that answers from a script, and records what it was asked. */
function fakePrometheus(answers: PrometheusAnswer[], configYaml: string | null = null) {
  const asked: string[] = [];
  const port: PrometheusPort = {
    query: async (url, promql) => {
      asked.push(`${url} ${promql}`);
      return answers.shift() ?? { kind: 'unreachable', reason: 'script ended' };
    },
    config: async () => configYaml,
  };
  return { port, asked };
}
function memoryLog() {
  let text = '';
  const sink: LogSink = { write: (chunk) => void (text += chunk.toString()), close: async () => text.length, size: () => text.length, failure: () => null };
  return { sink, text: () => text };
}
const deps = (prometheus?: PrometheusPort, warnings: string[] = [], told: string[] = []) => ({
  prometheus,
  clock: { now: () => Date.UTC(2026, 11, 4, 14, 3, 5) },
  logger: { info: () => undefined, warn: (m: string) => void warnings.push(m), error: () => undefined },
  warn: (m: string) => void told.push(m),
});
const at = { env: 'staging', revision: 7, release: 'rel-12' };

describe('a verify check against Prometheus', () => {
  it('takes count measurements with the query substituted, logs each, and passes within the limits', async () => {
    const { port, asked } = fakePrometheus([value('0.01'), value('0.5'), value('0.01'), value('0.01')]);
    const log = memoryLog();
    const outcome = await runVerifyCheck(check(), at, deps(port), log.sink, new AbortController().signal);
    expect(outcome).toEqual({ verdict: 'pass', summary: 'check error_rate passed: 1 failed, 0 inconclusive of 4', values: [0.01, 0.5, 0.01, 0.01] });
    expect(asked).toEqual(Array(4).fill('http://prom:9090/ ratio{release="rel-12",env="staging"}'));
    expect(log.text().split('\n')).toEqual([
      'http://prom:9090/: ratio{release="rel-12",env="staging"} (4 × every 1 ms; fail: > 0.02)',
      '14:03:05 error_rate = 0.01 ✓ (fail: > 0.02)',
      '14:03:05 error_rate = 0.5 ✗ (fail: > 0.02)',
      '14:03:05 error_rate = 0.01 ✓ (fail: > 0.02)',
      '14:03:05 error_rate = 0.01 ✓ (fail: > 0.02)',
      'check error_rate passed: 1 failed, 0 inconclusive of 4',
      '',
    ]);
  });

  it('ends as soon as it failed or is inconclusive beyond its limits', async () => {
    const failing = fakePrometheus([value('0.5'), value('0.5'), value('0.01'), value('0.01')]);
    expect(await runVerifyCheck(check(), at, deps(failing.port), memoryLog().sink, new AbortController().signal)).toMatchObject({ verdict: 'fail', values: [0.5, 0.5] });
    expect(failing.asked).toHaveLength(2);
    const unsure = fakePrometheus([value('NaN'), { kind: 'http', status: 500, body: null }]);
    const outcome = await runVerifyCheck(check(), at, deps(unsure.port), memoryLog().sink, new AbortController().signal);
    expect(outcome).toEqual({ verdict: 'inconclusive', summary: 'check error_rate: 2 measurements inconclusive (more than 1); the last: Prometheus answered HTTP 500', values: [] });
  });

  it('is inconclusive, never a pass, without a Prometheus client', async () => {
    const outcome = await runVerifyCheck(check({ count: 1, inconclusive: 0 }), at, deps(undefined), memoryLog().sink, new AbortController().signal);
    expect(outcome).toMatchObject({ verdict: 'inconclusive', summary: expect.stringContaining('this daemon has no Prometheus client') });
  });

  it("warns when every is below Prometheus's scrape interval", async () => {
    const { port } = fakePrometheus([value('0'), value('0'), value('0'), value('0')], 'global:\n  scrape_interval: 15s\n');
    const log = memoryLog();
    const warnings: string[] = [];
    const told: string[] = [];
    await runVerifyCheck(check({ every: 5 }), at, deps(port, warnings, told), log.sink, new AbortController().signal);
    const text = "check error_rate measures every 5 ms, below Prometheus's scrape interval of 15000 ms: measurements will repeat the same sample";
    // In the daemon's log, in the check's own log, and to every client (status, TUI): a check's log rotates out.
    expect(warnings).toEqual([text]);
    expect(told).toEqual([text]);
    expect(log.text()).toContain(`warning: ${text}`);
  });

  it('a query that says $HOST is measured on every host each time; the failing host fails the check, named', async () => {
    const asked: string[] = [];
    const port: PrometheusPort = {
      query: async (_url, promql) => {
        asked.push(promql);
        return value(promql.includes('"beta"') && asked.length > 3 ? '0.5' : '0.01');
      },
      config: async () => null,
    };
    const hosts = [{ name: 'alpha', spec: 'deploy@alpha:/srv/m' }, { name: 'beta', spec: 'deploy@beta:/srv/m' }, { name: 'gamma', spec: 'deploy@gamma:2222:/srv/m' }];
    const log = memoryLog();
    const outcome = await runVerifyCheck(check({ count: 3, failures: 0, prometheus: { url: 'http://prom:9090/', query: 'ratio{instance="$HOST",release="$RELEASE"}' } }), at, deps(port), log.sink, new AbortController().signal, hosts);
    expect(outcome).toEqual({ verdict: 'fail', summary: 'check error_rate on deploy@beta:/srv/m failed: 1 failed (more than 0) after 2 of 3 measurements', values: [0.01, 0.01, 0.01, 0.01, 0.5, 0.01] });
    expect(asked.slice(0, 3)).toEqual(['ratio{instance="alpha",release="rel-12"}', 'ratio{instance="beta",release="rel-12"}', 'ratio{instance="gamma",release="rel-12"}']);
    expect(log.text()).toContain('14:03:05 [deploy@beta:/srv/m] error_rate = 0.5 ✗ (fail: > 0.02)');
    expect(log.text()).toContain('14:03:05 [deploy@alpha:/srv/m] error_rate = 0.01 ✓ (fail: > 0.02)');
  });

  it('passes on every host, said so; a query without $HOST is measured once even with hosts', async () => {
    const all = fakePrometheus(Array.from({ length: 6 }, () => value('0.01')));
    const hosts = [{ name: 'alpha', spec: 'deploy@alpha:/srv/m' }, { name: 'beta', spec: 'deploy@beta:/srv/m' }];
    const perHost = await runVerifyCheck(check({ count: 3, prometheus: { url: 'http://p/', query: 'ratio{instance="$HOST"}' } }), at, deps(all.port), memoryLog().sink, new AbortController().signal, hosts);
    expect(perHost).toMatchObject({ verdict: 'pass', summary: 'check error_rate passed: 0 failed, 0 inconclusive of 3 on each of 2 hosts' });
    expect(all.asked).toHaveLength(6);
    const once = fakePrometheus(Array.from({ length: 4 }, () => value('0.01')));
    await runVerifyCheck(check(), at, deps(once.port), memoryLog().sink, new AbortController().signal, hosts);
    expect(once.asked).toHaveLength(4);
  });

  it('stops when the operation is cancelled', async () => {
    const abort = new AbortController();
    const { port } = fakePrometheus([value('0'), value('0'), value('0'), value('0')]);
    port.query = async () => {
      abort.abort();
      return value('0');
    };
    const outcome = await runVerifyCheck(check({ every: 60_000 }), at, deps(port), memoryLog().sink, abort.signal);
    expect(outcome.verdict).toBe('cancelled');
  });
});

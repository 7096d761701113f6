// Prometheus checks on a remote environment (docs/gates-and-checks.md, "Checks that ask Prometheus"): a query that
// says `$HOST` is measured once per host, in verify and in the monitor; the failing host is named.
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { PrometheusAnswer } from '../domain/prometheus-checks.js';
import type { PrometheusPort, RemoteHosts } from './ports.js';
import { deployWorlds, testConfig } from './testing/deploy-world.js';

const world = deployWorlds(afterEach);
const HOSTS = ['deploy@alpha:/srv/m', 'deploy@beta:/srv/m'];
const value = (v: number): PrometheusAnswer => ({ kind: 'http', status: 200, body: { status: 'success', data: { resultType: 'vector', result: [{ metric: {}, value: [1, String(v)] }] } } });
const check = { name: 'error_rate', prometheus: { url: 'http://prom:9090/', query: 'errors{instance="$HOST",release="$RELEASE"}' }, fail: '> 0.5', every: '5ms', count: 2 };

/** Hosts that take everything: what each `current` names. */
function hosts(): RemoteHosts {
  const current = new Map<string, string | null>();
  const folders = new Set<string>();
  return {
    inspect: async (host, release) => ({ current: current.get(host.spec) ?? null, present: folders.has(`${host.spec} ${release.id}`) }),
    prepare: async (host, release) => ({
      current: current.get(host.spec) ?? null,
      present: folders.has(`${host.spec} ${release.id}`),
      commit: async () => void current.set(host.spec, release.id),
      abort: async () => undefined,
    }),
    push: async (host, release) => {
      folders.add(`${host.spec} ${release.id}`);
      return { bytesSent: 1 };
    },
    swap: async (host, releaseId) => void current.set(host.spec, releaseId),
    prune: async () => [],
  };
}
/** Prometheus where beta's error rate of `bad` is high, and records every query. */
function prometheus(bad: string) {
  const asked: string[] = [];
  const port: PrometheusPort = {
    query: async (_url, promql) => {
      asked.push(promql);
      return value(promql.includes('"beta"') && promql.includes(bad) ? 0.9 : 0.01);
    },
    config: async () => null,
  };
  return { port, asked };
}

describe('Prometheus checks with $HOST on a remote environment', () => {
  it('a verify check is measured on each host; the one failing on beta fails the revision naming beta', async () => {
    const prom = prometheus('rel-2');
    const w = world(testConfig({ environments: { staging: { branch: 'staging', hosts: HOSTS } }, verify: { checks: [check] } }), undefined, { remoteHosts: hosts(), prometheus: prom.port });
    await w.ship();
    expect(w.revision('staging', 1).status).toBe('live');
    expect(prom.asked.slice(0, 2)).toEqual(['errors{instance="alpha",release="rel-1"}', 'errors{instance="beta",release="rel-1"}']);
    await w.ship();
    expect(w.revision('staging', 2).status).toBe('failed');
    expect(w.revision('staging', 2).message).toContain('on deploy@beta:/srv/m');
  });

  it('a monitor check is measured on each host every tick; a failing host fails the tick, named', async () => {
    const prom = prometheus('rel-1');
    const config = testConfig({ environments: { staging: { branch: 'staging', hosts: HOSTS } }, monitor: { every: '5ms', failures: 2, checks: [{ ...check, count: 1 }] }, rollback: { auto: false } });
    const w = world(config, undefined, { remoteHosts: hosts(), prometheus: prom.port });
    await w.ship();
    await vi.waitFor(() => expect(w.deployments.state('staging').incident).toMatch(/monitor failed 2 times in a row on #1 .*error_rate = 0\.9 \(on deploy@beta:\/srv\/m: fail: > 0\.5\)/), { timeout: 5000 });
    expect(prom.asked.filter((q) => q.includes('"alpha"')).length).toBeGreaterThanOrEqual(2);
  });
});

// A monitor tick whose every Prometheus check was inconclusive measured nothing: it neither passes
// nor fails, so it does not reset the failures in a row (docs/gates-and-checks.md, "Checks that ask Prometheus").
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { PrometheusAnswer } from '../domain/prometheus-checks.js';
import type { PrometheusPort } from './ports.js';
import { deployWorlds, testConfig } from './testing/deploy-world.js';

const world = deployWorlds(afterEach);
const value = (v: number): PrometheusAnswer => ({ kind: 'http', status: 200, body: { status: 'success', data: { resultType: 'vector', result: [{ metric: {}, value: [1, String(v)] }] } } });
const check = { name: 'error_rate', prometheus: { url: 'http://prom:9090/', query: 'errors{release="$RELEASE"}' }, fail: '> 0.5', every: '5ms', count: 1, inconclusive: 1000 };
const monitored = testConfig({ monitor: { every: '5ms', failures: 2, checks: [check] }, rollback: { auto: true } });

describe('a monitor tick with only inconclusive checks', () => {
  it('does not reset the failures in a row: fail, gap, fail is an incident (rolled back to the last known good)', async () => {
    // rel-1 always answers well; rel-2 fails, then Prometheus has a gap, then it fails again, then nothing more.
    const rel2 = [value(0.9), { kind: 'unreachable', reason: 'connection refused' } as PrometheusAnswer, value(0.9)];
    const prometheus: PrometheusPort = {
      query: async (_url, promql) => (promql.includes('rel-2') ? (rel2.shift() ?? { kind: 'unreachable', reason: 'script ended' }) : value(0)),
      config: async () => null,
    };
    const w = world(monitored, undefined, { prometheus });
    await w.ship();
    await w.ship();
    await vi.waitFor(() => expect(w.release('rel-2').bad).toMatchObject({ why: expect.stringMatching(/^monitor failed 2 times in a row on #2 \(checks 1–3;/) }), { timeout: 5000 });
    await w.settle();
    expect(w.revisions('staging').map((r) => [r.revision, r.kind, r.status, r.releaseId])).toEqual([
      [1, 'deploy', 'superseded', 'rel-1'],
      [2, 'deploy', 'superseded', 'rel-2'],
      [3, 'auto-rollback', 'live', 'rel-1'],
    ]);
    // The tick that measured nothing reads as such, not as a check that passed.
    expect(w.revision('staging', 2).steps.filter((s) => s.stage === 'monitor').map((s) => s.status)).toEqual(['failed', 'inconclusive', 'failed']);
  });

  it('shows as the newest check: HEALTH says ? (inconclusive), not the ✓ of an older tick', async () => {
    let unreachable = false;
    const prometheus: PrometheusPort = {
      query: async () => (unreachable ? { kind: 'unreachable', reason: 'connection refused' } : value(0)),
      config: async () => null,
    };
    const w = world(monitored, undefined, { prometheus });
    await w.ship();
    await vi.waitFor(() => expect(w.deployments.state('staging').lastCheck).toMatchObject({ passed: true, inconclusive: false }), { timeout: 5000 });
    unreachable = true;
    await vi.waitFor(() => expect(w.deployments.state('staging').lastCheck).toMatchObject({ passed: false, inconclusive: true }), { timeout: 5000 });
  });
});

// Prometheus checks per host, end to end (docs/gates-and-checks.md, "Checks that ask Prometheus"): a remote
// environment on two real sshd hosts, a real `prometheus` scraping one metrics server per host
// (labelled `host`), and a verify check whose query says `$HOST`: measured on each host, the one
// whose error rate is high fails the revision, named, and every host goes back (rollback.auto).
import { readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commitFiles } from './support/axum.js';
import { PROMETHEUS_MISSING, startPrometheusLab, type PrometheusLab } from './support/prometheus-lab.js';
import { SSHD_MISSING } from './support/sshd.js';
import { remoteConfig, sshdHostsSuite } from './support/sshd-hosts.js';

const MISSING = PROMETHEUS_MISSING ?? SSHD_MISSING;

describe.skipIf(MISSING !== null)(`Prometheus checks per host: a real Prometheus and two real sshd hosts${MISSING ? ` (skipped: ${MISSING}; pnpm system-deps installs it)` : ''}`, () => {
  const hosts = sshdHostsSuite(['alpha', 'beta'], { prefix: 'axum-prometheus-hosts-' });
  let prometheus: PrometheusLab;

  beforeAll(async () => {
    prometheus = await startPrometheusLab({ targets: ['alpha', 'beta'], releases: 5, labelHosts: true });
  }, 120_000);
  afterAll(async () => {
    await prometheus?.stop();
  });

  it('a $HOST query is measured on each host; a high error rate on beta fails the revision naming beta, and every host goes back', { timeout: 400_000 }, async () => {
    const { lab } = hosts;
    const dir = await hosts.started(
      remoteConfig(lab.hosts, {
        extra: `verify:
  checks:
    - name: error_rate
      prometheus: { url: "${prometheus.url}", query: 'model_error_ratio{host="$HOST",release="$RELEASE"}' }
      fail: "> 0.02"
      every: 1s
      count: 2
rollback: { auto: true }
`,
      }),
    );
    const settled = (count: number) => hosts.settled(dir, count, { timeoutMs: 240_000 });
    commitFiles(dir, 'v1', { 'data.txt': '1\n' });
    const [first] = await settled(1);
    expect(first).toMatchObject({ revision: 1, status: 'live', releaseId: 'rel-1' });
    const log = await hosts.ok(['logs', 'production#1', '--step', 'error_rate', '--repo', dir]);
    for (const host of lab.hosts) expect(log.match(new RegExp(`\\[${host.spec.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}\\] error_rate = 0\\.001 ✓`, 'g'))).toHaveLength(2);

    prometheus.errorRatio.set('beta rel-2', 0.5);
    commitFiles(dir, 'v2', { 'data.txt': '2\n' });
    const after = await settled(3); // #2 failed, #3 the automatic rollback
    const failed = after.find((r) => r.revision === 2)!;
    expect(failed.status).toBe('failed');
    expect(failed.message).toContain(`check error_rate on ${lab.hosts[1]!.spec} failed`);
    expect(after[0]).toMatchObject({ status: 'live', releaseId: 'rel-1' });
    expect(lab.hosts.map((h) => readlinkSync(join(h.root, 'current')))).toEqual(['releases/rel-1', 'releases/rel-1']);
  });
});

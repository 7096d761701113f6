// Checks that ask Prometheus, end to end: a real `prometheus` process on loopback scraping a tiny
// HTTP server this test runs (a model server's metrics, labelled by release), real daemons, real
// commits (docs/gates-and-checks.md, "Checks that ask Prometheus"). Without `prometheus` on PATH the suite that
// needs it is skipped, and .ci/test-counts.mjs fails CI for it (`pnpm system-deps` installs it).
import { readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { axum, commitFiles, openClient, scratchRepos, startDaemon, waitFor, waitForRun } from './support/axum.js';
import { PROMETHEUS_MISSING, freePort, startPrometheusLab, type PrometheusLab } from './support/prometheus-lab.js';
import { tinyModel } from './support/tiny-model.js';

interface Revision {
  revision: number;
  status: string;
  kind: string;
  releaseId: string;
  message: string | null;
  metrics: Record<string, number>;
  steps: { stage: string; name: string; status: string }[];
}

const config = (checks: { verify?: string; monitor?: string }) =>
  tinyModel({ verify: null, checks: checks.verify, monitor: checks.monitor && `  every: 1s\n  failures: 2\n  checks:\n${checks.monitor}`, rollbackAuto: true });
const check = (url: string, extra = '', query = 'model_error_ratio{release="$RELEASE"}') => `    - name: error_rate
      prometheus: { url: "${url}", query: '${query}' }
      fail: "> 0.02"
${extra}`;

const newRepo = scratchRepos(afterEach);
async function started(text: string): Promise<string> {
  const dir = newRepo({ config: text });
  commitFiles(dir, 'data', { 'data.txt': '0\n' });
  await startDaemon(dir);
  return dir;
}
async function history(dir: string): Promise<Revision[]> {
  const result = await axum(['history', 'staging', '--json', '--repo', dir]);
  return result.code === 0 ? (JSON.parse(result.stdout) as Revision[]) : [];
}
async function settled(dir: string, count: number, timeoutMs = 45_000): Promise<Revision[]> {
  let revisions: Revision[] = [];
  await waitFor(async () => {
    revisions = await history(dir);
    return revisions.length >= count && revisions.every((r) => r.status !== 'deploying' && r.status !== 'verifying');
  }, timeoutMs, `${count} settled revisions`);
  return revisions;
}
const currentOf = (dir: string) => readlinkSync(join(dir, '.axum', 'envs', 'staging', 'current'));

describe('Prometheus checks', () => {
  it('an unreachable Prometheus URL makes verification inconclusive (never a pass): failed, not marked bad, still serving', async () => {
    // A port nothing listens on: the connection is refused (fetch refuses port 1 and such outright).
    const dir = await started(config({ verify: check(`http://127.0.0.1:${await freePort()}`, '      every: 1s\n      count: 3\n') }));
    commitFiles(dir, 'v1', { 'data.txt': '1\n' });
    const [first] = await settled(dir, 1);
    expect(first).toMatchObject({ status: 'failed', steps: [{ stage: 'verify', name: 'error_rate', status: 'inconclusive' }] });
    expect(first?.message).toMatch(/^inconclusive: check error_rate: 1 measurement inconclusive \(more than 0\); the last: Prometheus did not answer: connection refused \(axum logs staging#1 --step error_rate\)/);
    expect(currentOf(dir)).toContain(first!.releaseId);
    const client = await openClient(dir);
    client.ws.send(JSON.stringify({ type: 'request', id: 'r1', method: 'releases.list', params: {} }));
    const releases = (await client.next((m) => m.id === 'r1')).result as { id: string; bad: unknown }[];
    client.ws.close();
    expect(releases.find((r) => r.id === first!.releaseId)).toMatchObject({ bad: null });
    const log = await axum(['logs', 'staging#1', '--step', 'error_rate', '--repo', dir]);
    expect(log.stdout).toContain('error_rate ? inconclusive: Prometheus did not answer: connection refused');
  });

  it('an unreachable Prometheus pauses the environment: status says so, a new commit is held, axum approve keeps #1 and the held release goes', async () => {
    const dir = await started(config({ verify: check(`http://127.0.0.1:${await freePort()}`) }));
    commitFiles(dir, 'v1', { 'data.txt': '1\n' });
    const [first] = await settled(dir, 1);
    expect(first?.message).toMatch(/^inconclusive: check error_rate: .*connection refused.*; staging is paused: axum approve staging keeps it, axum rollback staging goes back$/);
    const status = await axum(['status', '--repo', dir]);
    expect(status.stdout).toMatch(/^staging .*#1 serving, inconclusive.*PAUSED \(#1 inconclusive\)/m);
    expect(status.stdout).toMatch(/^paused {7}staging paused since \d{4}-\d\d-\d\d \d\d:\d\d UTC over #1: inconclusive: check error_rate: .*connection refused.* — axum approve staging keeps #1, nothing verified to roll back to \(axum deploy staging --release ID replaces it\)$/m);
    const json = JSON.parse((await axum(['status', '--json', '--repo', dir])).stdout) as { environments: { name: string; paused: { revision: number; reason: string } | null }[] };
    expect(json.environments.find((e) => e.name === 'staging')?.paused).toMatchObject({ revision: 1, reason: expect.stringMatching(/^inconclusive: check error_rate/) });

    // A new commit builds and tests, but does not deploy: held by the pause (its config has no check, so once it goes it goes live).
    commitFiles(dir, 'v2', { 'data.txt': '2\n', 'axum.yml': config({}) });
    type Run = { subject?: string; releaseId?: string; deploy?: { outcome: string } | null };
    const held = (await waitForRun(dir, (r) => (r as Run).subject === 'v2' && (r as Run).deploy?.outcome === 'held-by-pause', 'the run held by the pause', 45_000)) as Run;
    expect(await history(dir)).toHaveLength(1);
    const historyPlain = await axum(['history', 'staging', '--repo', dir]);
    expect(historyPlain.stdout).toMatch(/^#1 +inconclusive, serving, paused /m); // inconclusive is not called failed
    expect(historyPlain.stdout).toContain('staging is paused over #1: its verification or monitor was inconclusive; commits build but do not deploy, nothing rolls back by itself (axum approve staging keeps it; nothing verified to roll back to (axum deploy staging --release ID replaces it))');

    // A restart keeps the pause (it was saved before anyone was told).
    expect((await axum(['daemon', 'stop', '--repo', dir])).code).toBe(0);
    expect((await axum(['daemon', 'start', '--repo', dir])).code).toBe(0);
    const again = JSON.parse((await axum(['status', '--json', '--repo', dir])).stdout) as { environments: { name: string; paused: unknown; heldReleaseId: string | null }[] };
    expect(again.environments.find((e) => e.name === 'staging')).toMatchObject({ paused: { revision: 1 }, heldReleaseId: held.releaseId });

    const approved = await axum(['approve', 'staging', '--repo', dir]);
    expect(approved.code).toBe(0);
    expect(approved.stdout).toMatch(/^staging #2: kept rel-\d+ \(\w{8}\), which serves, as live and verified — nothing was deployed$/m);
    expect(approved.stdout).toContain(`staging: pause lifted; ${held.releaseId}, held back by the pause, deploys next`);
    const revisions = await settled(dir, 3);
    expect(revisions.map((r) => [r.revision, r.status, r.releaseId])).toEqual([
      [3, 'live', held.releaseId],
      [2, 'superseded', first!.releaseId],
      [1, 'failed', first!.releaseId],
    ]);
    expect(currentOf(dir)).toContain(held.releaseId);
    const after = JSON.parse((await axum(['status', '--json', '--repo', dir])).stdout) as { environments: { name: string; paused: unknown; heldReleaseId: string | null }[] };
    expect(after.environments.find((e) => e.name === 'staging')).toMatchObject({ paused: null, heldReleaseId: null });
  });

  describe.skipIf(PROMETHEUS_MISSING !== null)(`checks against a real Prometheus on loopback${PROMETHEUS_MISSING ? ` (skipped: ${PROMETHEUS_MISSING}; pnpm system-deps installs it)` : ''}`, () => {
    let lab: PrometheusLab;
    let url = '';
    const errorRatio = { set: (release: string, ratio: number) => lab.errorRatio.set(release, ratio) };

    beforeAll(async () => {
      // The model server's metrics: an error ratio per release (rel-1…rel-30), 0.001 unless a test raises it.
      lab = await startPrometheusLab({ targets: ['model'], releases: 30, labelHosts: false, readyTimeoutMs: 30_000 });
      url = lab.url;
    }, 60_000);
    afterAll(async () => {
      await lab?.stop();
    });

    it('a verify check passes a low error rate: measurements in its log, the value a metric of the revision', async () => {
      const dir = await started(config({ verify: check(url, '      every: 1s\n      count: 3\n') }));
      commitFiles(dir, 'v1', { 'data.txt': '1\n' });
      const [first] = await settled(dir, 1);
      expect(first).toMatchObject({ status: 'live', metrics: { error_rate: 0.001 }, steps: [{ name: 'error_rate', status: 'succeeded' }] });
      const log = await axum(['logs', 'staging#1', '--step', 'error_rate', '--repo', dir]);
      expect(log.stdout).toContain(`model_error_ratio{release="${first!.releaseId}"}`);
      expect(log.stdout.match(/error_rate = 0\.001 ✓ \(fail: > 0\.02\)/g)).toHaveLength(3);
      expect(log.stdout).toContain('check error_rate passed: 0 failed, 0 inconclusive of 3');
    });

    it("a malformed query is inconclusive with Prometheus's own error, and several series too", async () => {
      const dir = await started(config({ verify: check(url, '', 'sum(model_error_ratio') }));
      commitFiles(dir, 'v1', { 'data.txt': '1\n' });
      const [first] = await settled(dir, 1);
      expect(first?.status).toBe('failed');
      expect(first?.message).toMatch(/^inconclusive: check error_rate: .* Prometheus refused the query \(HTTP 400\): .*parse error/);

      const several = await started(config({ verify: check(url, '', 'model_error_ratio') }));
      commitFiles(several, 'v1', { 'data.txt': '1\n' });
      const [only] = await settled(several, 1);
      expect(only?.message).toMatch(/^inconclusive: check error_rate: .* the query returned 30 series, one expected/);
    });

    it('a monitor check rolls back a release whose error rate rises (rollback.auto)', async () => {
      const dir = await started(config({ monitor: check(url) }));
      commitFiles(dir, 'v1', { 'data.txt': '1\n' });
      const [first] = await settled(dir, 1);
      expect(first?.status).toBe('live');
      commitFiles(dir, 'v2', { 'data.txt': '2\n' });
      const [second] = await settled(dir, 2);
      expect(second?.status).toBe('live');
      // Live traffic goes wrong for v2 only: the monitor sees it through Prometheus.
      errorRatio.set(second!.releaseId, 0.5);
      const revisions = await settled(dir, 3, 60_000);
      expect(revisions[0]).toMatchObject({ revision: 3, kind: 'auto-rollback', status: 'live', releaseId: first!.releaseId });
      expect(currentOf(dir)).toContain(first!.releaseId);
      const status = await axum(['history', 'staging', '--repo', dir]);
      expect(status.code).toBe(0);
      const monitorSteps = revisions[1]!.steps.filter((s) => s.stage === 'monitor' && s.status === 'failed');
      expect(monitorSteps.length).toBeGreaterThanOrEqual(2);
      const log = await axum(['logs', `staging#${revisions[1]!.revision}`, '--step', monitorSteps.at(-1)!.name, '--repo', dir]);
      expect(log.stdout).toContain('error_rate = 0.5 ✗ (fail: > 0.02)');
    });

    it('a monitor check inconclusive past its limit pauses the environment (no rollback); axum rollback goes back and lifts the pause', async () => {
      const dir = await started(config({ monitor: check(url, '      inconclusive: 1\n') }));
      commitFiles(dir, 'v1', { 'data.txt': '1\n' });
      const [first] = await settled(dir, 1);
      commitFiles(dir, 'v2', { 'data.txt': '2\n' });
      const [second] = await settled(dir, 2);
      expect(second?.status).toBe('live');
      // The model server stops giving a usable number for v2: neither healthy nor failing.
      errorRatio.set(second!.releaseId, Number.NaN);
      type Env = { name: string; paused: { revision: number; reason: string } | null; pinned: boolean };
      const staging = async () => (JSON.parse((await axum(['status', '--json', '--repo', dir])).stdout) as { environments: Env[] }).environments.find((e) => e.name === 'staging')!;
      await waitFor(async () => (await staging()).paused !== null, 30_000, 'the monitor to pause staging');
      expect((await staging()).paused).toMatchObject({ revision: 2, reason: expect.stringMatching(/^monitor check error_rate inconclusive 2 times in a row on #2 \(the last: .*NaN/) });
      expect((await axum(['status', '--repo', dir])).stdout).toMatch(/^staging .*#2 .*PAUSED \(#2 inconclusive\)/m);
      expect((await history(dir)).map((r) => [r.revision, r.status])).toEqual([[2, 'live'], [1, 'superseded']]);

      const back = await axum(['rollback', 'staging', '--repo', dir]);
      expect(back.code).toBe(0);
      expect(back.stdout).toMatch(/^staging #3: rolled back to #1 — rel-\d+ \(\w{8}\), live and verified/m);
      expect(await staging()).toMatchObject({ paused: null, pinned: true });
      expect(currentOf(dir)).toContain(first!.releaseId);
    });
  });
});

// Gates relative to the last known good, end to end: a real daemon, real commits, the LKG's
// recorded metrics as the base (docs/gates-and-checks.md, "Gates").
import { existsSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { axum, commitFiles, openClient, scratchRepos, startDaemon } from './support/axum.js';
import { settled } from './support/history.js';
import { tinyModel } from './support/tiny-model.js';

const config = (gate: string) => tinyModel({ gates: { accuracy: gate }, rollbackAuto: true });

const newRepo = scratchRepos(afterEach);
async function started(text: string, data: string): Promise<string> {
  const dir = newRepo({ config: text });
  commitFiles(dir, 'data', { 'data.txt': '0\n' });
  await startDaemon(dir);
  // The commit before the daemon started is its starting point, not a push: this one deploys.
  commitFiles(dir, 'v1', { 'data.txt': data });
  return dir;
}

describe('gates relative to the last known good', () => {
  it('with no last known good and no fallback, the first deploy is inconclusive: failed, not marked bad, still serving, nothing rolled back', async () => {
    const dir = await started(config('>= lkg - 0.05'), '0.9\n');
    const [first] = await settled(dir, 1);
    expect(first).toMatchObject({ revision: 1, status: 'failed' });
    expect(first?.message).toMatch(/^inconclusive: accuracy = 0\.9, gate >= lkg - 0\.05: no last known good value of accuracy to compare with \(a fixed fallback decides when there is none: ">= lkg - 0\.05 or >= 0\.85"\); .*axum rollback staging/);
    expect(first?.gates).toEqual([{ metric: 'accuracy', op: '>=', threshold: null, value: 0.9, lkgValue: null, verdict: 'inconclusive', reason: 'no last known good value of accuracy to compare with', expression: '>= lkg - 0.05' }]);
    // Not withdrawn (rollback.auto would withdraw a failed first deploy) and not marked bad.
    const current = join(dir, '.axum', 'envs', 'staging', 'current');
    expect(existsSync(current) && readlinkSync(current)).toContain(first!.releaseId);
    const client = await openClient(dir);
    client.ws.send(JSON.stringify({ type: 'request', id: 'r1', method: 'releases.list', params: {} }));
    const releases = (await client.next((m) => m.id === 'r1')).result as { id: string; bad: unknown }[];
    client.ws.close();
    expect(releases.find((r) => r.id === first!.releaseId)).toMatchObject({ bad: null });
    const status = await axum(['status', '--repo', dir]);
    expect(status.stdout).toContain('inconclusive');
    // The run's deploy is inconclusive, not failed: it serves, nothing was marked bad, a person decides.
    const runs = JSON.parse((await axum(['runs', '--json', '--repo', dir])).stdout) as { deploy: { env: string; revision: number | null; outcome: string } | null }[];
    expect(runs.find((r) => r.deploy?.revision === 1)?.deploy).toEqual({ env: 'staging', revision: 1, outcome: 'inconclusive' });
    expect((await axum(['runs', '--repo', dir])).stdout).toMatch(/staging#1 inconclusive/);
    const history = await axum(['history', 'staging', '--repo', dir]);
    expect(history.stdout).toMatch(/^#1 inconclusive: accuracy = 0\.9/m);
    expect(history.stdout).not.toMatch(/serving, failed/);
  });

  it('the fallback judges the first deploy; later ones are judged against the LKG value, and a drop below it rolls back', async () => {
    const dir = await started(config('>= lkg - 0.05 or >= 0.8'), '0.9\n');
    const [first] = await settled(dir, 1);
    expect(first).toMatchObject({ status: 'live', gates: [{ verdict: 'pass', threshold: 0.8, lkgValue: null, reason: 'no last known good value of accuracy to compare with: the fallback applies' }] });
    commitFiles(dir, 'slightly worse', { 'data.txt': '0.87\n' });
    const [second] = await settled(dir, 2);
    expect(second).toMatchObject({ status: 'live', gates: [{ verdict: 'pass', threshold: 0.85, lkgValue: 0.9, value: 0.87 }] });
    // 0.81 passes the fallback (>= 0.8), but the LKG is now 0.87: 0.81 < 0.87 - 0.05.
    commitFiles(dir, 'worse', { 'data.txt': '0.81\n' });
    const revisions = await settled(dir, 4);
    expect(revisions.map((r) => `#${r.revision} ${r.status}`)).toEqual(['#4 live', '#3 failed', '#2 superseded', '#1 superseded']);
    expect(revisions[1]?.message).toBe('gates failed: accuracy = 0.81, gate >= 0.82 (lkg 0.87 - 0.05)');
    const plain = await axum(['history', 'staging', '--repo', dir]);
    expect(plain.stdout).toContain('accuracy 0.81 ✗ >= 0.82 (lkg 0.87 - 0.05)');
  });
});

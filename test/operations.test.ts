// A revision's operations end to end: verify output by `ENV#N`, metrics and gates with the LKG's
// value, and `run --wait` as a CI gate that knows what became of the deploy (ARCHITECTURE.md, glossary).
import { afterEach, describe, expect, it } from 'vitest';
import { axum, commitFiles, openClient, scratchRepos, startDaemon, type RunJson } from './support/axum.js';
import { history, settled } from './support/history.js';
import { EVAL_ACCURACY, tinyModel } from './support/tiny-model.js';

type Run = RunJson & { deploy: { env: string; revision: number | null; outcome: string } | null };

const config = (verify: string, extra = '', gates?: Record<string, string>) => tinyModel({ verify: { run: verify }, gates, rollbackAuto: true, extra });
const EVAL = `echo evaluating $(cat $AXUM_CURRENT/model/weights.txt); ${EVAL_ACCURACY}`;

const newRepo = scratchRepos(afterEach);
async function started(text: string): Promise<string> {
  const dir = newRepo({ config: text });
  commitFiles(dir, 'data', { 'data.txt': '0.85\n' });
  await startDaemon(dir);
  return dir;
}
async function runsJson(dir: string): Promise<Run[]> {
  const result = await axum(['runs', '--json', '--repo', dir]);
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as Run[];
}

describe('operations', () => {
  it("a verify step's output is read as ENV#N (CLI and protocol, resumable); gates carry the LKG's value; run --wait exits by the deploy", async () => {
    const dir = await started(config(EVAL));
    commitFiles(dir, 'v1', { 'data.txt': '0.9\n' });
    await settled(dir, 1);

    // A manual run that goes live: exit 0, the run names its revision, the revision names the run.
    // Of the commit before v1 (0.85): a run of the release already live deploys nothing.
    const good = await axum(['run', '--wait', '--json', '--commit', 'HEAD~1', '--repo', dir], { timeoutMs: 60_000 });
    expect(good.code, good.stderr).toBe(0);
    const goodRun = JSON.parse(good.stdout) as Run;
    expect(goodRun).toMatchObject({ status: 'succeeded', trigger: 'manual', deploy: { env: 'staging', revision: 2, outcome: 'live' } });
    expect((await history(dir))[0]).toMatchObject({ revision: 2, status: 'live', by: expect.stringMatching(new RegExp(`^manual ${goodRun.id} by \\S+ via axum run$`)), runId: goodRun.id, metrics: { accuracy: 0.85 } });

    // A bad model pushed: its revision fails its gate, and the push run says so.
    commitFiles(dir, 'v2: labels inverted', { 'data.txt': '0.41\n' });
    const revisions = await settled(dir, 4);
    expect(revisions.map((r) => `#${r.revision} ${r.status}`)).toEqual(['#4 live', '#3 failed', '#2 superseded', '#1 superseded']);
    expect(revisions[1]?.gates).toEqual([{ metric: 'accuracy', op: '>=', threshold: 0.8, value: 0.41, lkgValue: 0.85, verdict: 'fail', reason: null, expression: '>= 0.8' }]);
    expect(revisions[1]?.steps).toMatchObject([{ stage: 'verify', name: 'eval', status: 'succeeded', exitCode: 0 }]);
    const pushed = (await runsJson(dir)).find((r) => r.deploy?.revision === 3);
    expect(pushed).toMatchObject({ status: 'succeeded', trigger: 'push', deploy: { env: 'staging', outcome: 'failed' } });
    expect(pushed?.message).toContain('staging #3 failed: gates failed: accuracy = 0.41, gate >= 0.8 (LKG 0.85)');
    const table = await axum(['runs', '--repo', dir]);
    expect(table.stdout).toMatch(new RegExp(`${pushed?.id} +succeeded +staging#3 failed`));
    const plainHistory = await axum(['history', 'staging', '--repo', dir]);
    expect(plainHistory.stdout).toContain('accuracy 0.41 ✗ >= 0.8 (LKG 0.85)');

    // `axum logs staging#3`: what the verify step printed.
    const logs = await axum(['logs', 'staging#3', '--repo', dir]);
    expect(logs.code, logs.stderr).toBe(0);
    expect(logs.stdout).toBe('eval | evaluating 0.41\n');

    // The same bytes over the protocol, read in two pieces, then followed from an offset.
    const client = await openClient(dir);
    client.ws.send(JSON.stringify({ type: 'request', id: 'r1', method: 'logs.read', params: { runId: 'staging#3', step: 'eval', offset: 0, limit: 5 } }));
    const first = (await client.next((m) => m.id === 'r1')).result as { data: string; nextOffset: number; complete: boolean };
    expect(first).toMatchObject({ data: 'evalu', nextOffset: 5, complete: false });
    client.ws.send(JSON.stringify({ type: 'request', id: 'r2', method: 'logs.follow', params: { runId: 'staging#3', step: 'eval', offset: 5 } }));
    expect((await client.next((m) => m.id === 'r2')).result).toEqual({ following: true });
    const rest = await client.next((m) => m.type === 'log.chunk' && m.runId === 'staging#3');
    expect(rest).toMatchObject({ offset: 5, data: 'ating 0.41\n', complete: true });
    client.ws.send(JSON.stringify({ type: 'request', id: 'r3', method: 'logs.read', params: { runId: 'staging#999', step: 'eval' } }));
    expect(await client.next((m) => m.id === 'r3')).toMatchObject({ type: 'error', code: 'not-found' });
    client.ws.close();

    // A manual run of the bad head is answered with the push run that built it (build once): exit 1 as for it.
    const answered = await axum(['run', '--wait', '--repo', dir], { timeoutMs: 60_000 });
    expect(answered.code, answered.stdout + answered.stderr).toBe(1);
    // Never a plain "succeeded" of a run whose deploy failed; a new build is what could do better.
    expect(answered.stderr).toMatch(new RegExp(`^${pushed?.id} already built [0-9a-f]{8} on main \\(succeeded; deploy staging#\\d+ failed\\); axum run --rebuild builds it anew \\(axum run --again would hand the same release on\\)`));
    // Asked for again, the new run reuses its release (build once), which failed: refused, nothing
    // deployed (no second failed revision), exit 1, and it says who marked it and why.
    const bad = await axum(['run', '--again', '--wait', '--repo', dir], { timeoutMs: 60_000 });
    expect(bad.code, bad.stdout + bad.stderr).toBe(1);
    expect(bad.stdout).toMatch(/succeeded {2}deploy .*refused-bad/);
    expect(bad.stdout).toContain(': refused, marked bad by verify of staging#3: gates failed: accuracy = 0.41');
    expect((await history(dir)).length).toBe(4);

    const missing = await axum(['logs', 'staging#999', '--repo', dir]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('no revision staging#999 (staging has #1–#4)');
  });

  it('a gate on a metric no step wrote, or one that is not a number, fails naming it; a failed deploy hook skips verify', async () => {
    const dir = await started(config('echo accuracy=high >> $AXUM_METRICS', 'deploy: { run: "test -f $AXUM_CURRENT/model/weights.txt" }\n', { accuracy: '>= 0.8', p95_ms: '<= 50' }));
    commitFiles(dir, 'v1', { 'data.txt': '0.9\n' });
    const [first] = await settled(dir, 1);
    expect(first).toMatchObject({ status: 'failed' });
    expect(first?.message).toBe(`gates failed: accuracy: "high" is not a number (gate >= 0.8); no step wrote metric 'p95_ms' (gates in axum.yml name metrics the steps write)`);
    expect(first?.gates.map((g) => [g.metric, g.value, g.verdict])).toEqual([
      ['accuracy', null, 'fail'],
      ['p95_ms', null, 'fail'],
    ]);
    expect(first?.steps.map((s) => `${s.stage}/${s.name} ${s.status}`)).toEqual(['deploy/deploy succeeded', 'verify/eval succeeded']);

    // The deploy hook of the next commit fails: verify never runs, and the run's deploy is failed.
    const text = config('echo accuracy=0.9 >> $AXUM_METRICS', 'deploy: { run: "echo cannot reach the model server >&2; exit 3" }\n');
    commitFiles(dir, 'v2: a broken deploy hook', { 'axum.yml': text });
    const revisions = await settled(dir, 2);
    expect(revisions[0]?.steps.map((s) => `${s.stage}/${s.name} ${s.status} ${s.exitCode}`)).toEqual(['deploy/deploy failed 3', 'verify/eval skipped null']);
    expect(revisions[0]?.message).toBe('deploy step deploy exited 3 (axum logs staging#2 --step deploy)');
    const logs = await axum(['logs', 'staging#2', '--step', 'deploy', '--repo', dir]);
    expect(logs.stdout).toBe('cannot reach the model server\n');
    const run = (await runsJson(dir)).find((r) => r.deploy?.revision === 2);
    expect(run?.deploy?.outcome).toBe('failed');
  });
  it('a gate on a metric no step wrote (a typo in axum.yml) fails verification and rolls back, says which metric and what to fix, and marks the release bad (a merge must not take it on)', async () => {
    const dir = await started(config(EVAL));
    commitFiles(dir, 'v1', { 'data.txt': '0.9\n' });
    const [first] = await settled(dir, 1);
    expect(first).toMatchObject({ status: 'live', verified: true });
    commitFiles(dir, 'v2: a typo in a gate', { 'axum.yml': config(EVAL, '', { acuracy: '>= 0.8' }) });
    const revisions = await settled(dir, 3);
    const failed = revisions.find((r) => r.revision === 2);
    const why = "no step wrote metric 'acuracy' (gates in axum.yml name metrics the steps write)";
    expect(failed).toMatchObject({ status: 'failed', verified: false, message: `gates failed: ${why}; ${failed?.releaseId}'s own axum.yml gates it, so it fails wherever it goes (a commit that fixes the gate makes a release that can pass)` });
    expect(revisions[0]).toMatchObject({ kind: 'auto-rollback', status: 'live', releaseId: first?.releaseId });
    const releases = JSON.parse((await axum(['releases', '--json', '--repo', dir])).stdout) as { id: string; bad: unknown }[];
    expect(releases.find((r) => r.id === failed?.releaseId)).toMatchObject({ bad: { why: expect.stringContaining(why) } });
    const status = JSON.parse((await axum(['status', '--json', '--repo', dir])).stdout) as { environments: { incident: string }[] };
    expect(status.environments[0]?.incident).toBe(`#2 failed verification: ${why}; ${failed?.releaseId}'s own axum.yml gates it, so it fails wherever it goes (a commit that fixes the gate makes a release that can pass) (axum logs staging#2); rolled back to #1`);
  });
  it("a gate on a metric only the build wrote judges the build's value, and the LKG's the same way", async () => {
    const train = ' && echo train_accuracy=$(cat data.txt) >> $AXUM_METRICS';
    const dir = await started(tinyModel({ train, gates: { train_accuracy: '>= lkg - 0.01 or >= 0.8' }, rollbackAuto: true }));
    commitFiles(dir, 'v1', { 'data.txt': '0.9\n' });
    const [first] = await settled(dir, 1);
    expect(first).toMatchObject({ status: 'live', verified: true, metrics: { accuracy: 0.9 } });
    expect(first?.gates).toMatchObject([{ metric: 'train_accuracy', value: 0.9, from: 'build', verdict: 'pass', threshold: 0.8 }]);
    const shown = await axum(['history', 'staging', '--repo', dir]);
    expect(shown.stdout).toContain('train_accuracy 0.9 (from the build) ✓ >= 0.8');

    // The next build writes less: judged against the LKG's build value, and failed saying where the value came from.
    commitFiles(dir, 'v2', { 'data.txt': '0.5\n' });
    const revisions = await settled(dir, 3);
    const failed = revisions.find((r) => r.revision === 2);
    expect(failed?.message).toBe('gates failed: train_accuracy = 0.5 (from the build), gate >= 0.89 (lkg 0.9 - 0.01)');
    expect(revisions[0]).toMatchObject({ kind: 'auto-rollback', status: 'live', releaseId: first?.releaseId });
  });
});

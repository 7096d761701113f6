import { chmodSync, readFileSync, readdirSync, readlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { axum, cleanupRepo, commitFiles, isAlive, makeRepo, openClient, processesMatching, readDaemonJson, startDaemon, waitFor, waitForRun } from './support/axum.js';
import { history, settled, type Revision } from './support/history.js';
import { tinyModelConfig } from './support/tiny-model.js';

/** The tiny model with `env` its one environment line; `verifyExtra` runs before eval's command. */
const config = (env: string, extra = '', verifyExtra = '') => tinyModelConfig(extra, verifyExtra, `  ${env}`);


const repos: string[] = [];
async function started(text: string): Promise<string> {
  const dir = makeRepo({ config: text });
  repos.push(dir);
  commitFiles(dir, 'data', { 'data.txt': '0.85\n' });
  await startDaemon(dir);
  return dir;
}
afterEach(async () => {
  await Promise.all(repos.splice(0).map(cleanupRepo));
});

const currentModel = (dir: string, env: string) => readFileSync(join(dir, '.axum', 'envs', env, 'current', 'model', 'weights.txt'), 'utf8').trim();
const model = (dir: string, value: string, message: string) => commitFiles(dir, message, { 'data.txt': `${value}\n` });
/** v1 (0.86) then v2 (0.9) deployed to staging and settled: #1 superseded, #2 live. */
async function twoDeploys(dir: string): Promise<void> {
  model(dir, '0.86', 'v1');
  await settled(dir, 1);
  model(dir, '0.9', 'v2');
  await settled(dir, 2);
}

describe('deploy, verify, auto-rollback', () => {
  it('three good deploys, then a bad model fails verify and goes back to the last known good', async () => {
    const dir = await started(config('staging: { branch: main }', 'rollback: { auto: true }\n'));
    for (const [i, value] of ['0.86', '0.88', '0.9'].entries()) {
      model(dir, value, `model v${i + 1}`);
      await settled(dir, i + 1);
    }
    expect(currentModel(dir, 'staging')).toBe('0.9');
    const bad = model(dir, '0.41', 'model v4: a bug in the training data');
    const revisions = await settled(dir, 5);
    expect(revisions.map((r) => `#${r.revision} ${r.status} ${r.kind}${r.rollbackTo ? ` ${r.rollbackTo}` : ''}`)).toEqual([
      '#5 live auto-rollback 3',
      '#4 failed deploy',
      '#3 superseded deploy',
      '#2 superseded deploy',
      '#1 superseded deploy',
    ]);
    expect(revisions[1]).toMatchObject({ commit: bad, verified: false, message: 'gates failed: accuracy = 0.41, gate >= 0.8 (LKG 0.9)' });
    expect(currentModel(dir, 'staging')).toBe('0.9');
    const status = JSON.parse((await axum(['status', '--json', '--repo', dir])).stdout) as { environments: { live: { revision: number }; lastKnownGood: { revision: number }; rollbackTarget: unknown; incident: string }[] };
    // The auto-rollback's revision is verified: it is the last known good, and no rollback target is offered from it.
    expect(status.environments[0]).toMatchObject({ live: { revision: 5 }, lastKnownGood: { revision: 5 }, rollbackTarget: null });
    expect(status.environments[0]?.incident).toBe('#4 failed verification (axum logs staging#4); rolled back to #3');
    // The bad release is refused as a rollback target without --force.
    const refused = await axum(['rollback', 'staging', '--to', '4', '--repo', dir]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('is marked bad');
  });

  it('identical model files are stored once', async () => {
    const dir = await started(config('staging: { branch: main }'));
    model(dir, '0.9', 'same model');
    await settled(dir, 1);
    commitFiles(dir, 'docs only', { 'README.md': 'more words\n' });
    await settled(dir, 2);
    const blobs = readdirSync(join(dir, '.axum', 'store', 'sha256')).filter((f) => !f.startsWith('.'));
    expect(blobs).toHaveLength(1);
  });
});

describe('manual rollback, pin, approval', () => {
  it('rollback --to 1 appends a rollback revision and pins; a commit while pinned builds but does not deploy; unpin deploys it, and the next one deploys', async () => {
    const dir = await started(config('staging: { branch: main }'));
    await twoDeploys(dir);
    const rollback = await axum(['rollback', 'staging', '--to', '1', '--json', '--repo', dir]);
    expect(rollback.code, rollback.stderr).toBe(0);
    expect(JSON.parse(rollback.stdout)).toMatchObject({ revision: 3, kind: 'rollback', rollbackTo: 1, status: 'live', verified: true });
    expect(currentModel(dir, 'staging')).toBe('0.86');
    const pinnedSha = model(dir, '0.95', 'v3 while pinned');
    const pinnedRun = await waitForRun(dir, (r) => r.commit === pinnedSha && r.status === 'succeeded', 'the pinned run to build');
    expect(pinnedRun.message).toContain('not deployed: staging is pinned');
    expect((await history(dir)).length).toBe(3);
    expect(currentModel(dir, 'staging')).toBe('0.86');
    expect((await axum(['unpin', 'staging', '--repo', dir])).code).toBe(0);
    // The release the pin held back deploys.
    const unpinned = await settled(dir, 4);
    expect(unpinned[0]).toMatchObject({ revision: 4, kind: 'deploy', status: 'live', commit: pinnedSha });
    expect(currentModel(dir, 'staging')).toBe('0.95');
    model(dir, '0.96', 'v4 after unpin');
    const after = await settled(dir, 5);
    expect(after[0]).toMatchObject({ revision: 5, kind: 'deploy', status: 'live' });
    expect(currentModel(dir, 'staging')).toBe('0.96');
  });

  it('the diff shown before a rollback says which way it goes and names the commits it crosses', async () => {
    const dir = await started(config('staging: { branch: main }'));
    await twoDeploys(dir);
    const [v2, v1] = await history(dir);
    const client = await openClient(dir);
    const diff = async (id: string, from: string, to: string) => {
      client.ws.send(JSON.stringify({ type: 'request', id, method: 'releases.diff', params: { from, to } }));
      return (await client.next((m) => m.id === id)).result as { direction: string; commits: string[]; metrics: unknown[] };
    };
    const back = await diff('d1', v2!.releaseId, v1!.releaseId);
    expect(back.direction).toBe('back');
    expect(back.commits).toEqual([expect.stringMatching(/^[0-9a-f]{7,} v2$/)]);
    const forward = await diff('d2', v1!.releaseId, v2!.releaseId);
    expect(forward.direction).toBe('forward');
    expect(forward.commits).toEqual([expect.stringMatching(/^[0-9a-f]{7,} v2$/)]);
    expect((await diff('d3', v1!.releaseId, v1!.releaseId)).direction).toBe('same');
    // The build wrote no metric: the gated accuracy is what each release's verify wrote in the environment named.
    client.ws.send(JSON.stringify({ type: 'request', id: 'd4', method: 'releases.diff', params: { from: v2!.releaseId, to: v1!.releaseId, env: 'staging' } }));
    expect(((await client.next((m) => m.id === 'd4')).result as { metrics: unknown[] }).metrics).toEqual([{ name: 'accuracy', from: 0.9, to: 0.86, gated: true }]);
    client.ws.close();
  });

  it('the diff names the config keys that differ as the user wrote them, not as schema paths', async () => {
    const dir = await started(config('staging: { branch: main }'));
    model(dir, '0.86', 'v1');
    await settled(dir, 1);
    const text = config('staging: { branch: main }').replace('cp data.txt model/weights.txt"', 'cp data.txt model/weights.txt", timeout: 5m').replace('">= 0.8"', '">= 0.85"');
    commitFiles(dir, 'v2 with a timeout and a stricter gate', { 'data.txt': '0.9\n', 'axum.yml': text });
    await settled(dir, 2);
    const [v2, v1] = await history(dir);
    const client = await openClient(dir);
    client.ws.send(JSON.stringify({ type: 'request', id: 'c1', method: 'releases.diff', params: { from: v2!.releaseId, to: v1!.releaseId } }));
    const diff = (await client.next((m) => m.id === 'c1')).result as { configKeys: string[]; configChanges: { key: string; change: string }[] };
    client.ws.close();
    expect(diff.configChanges).toEqual([
      { key: 'stage "build", step "train", timeout', change: 'removed' },
      { key: 'verify gate "accuracy"', change: 'changed' },
    ]);
    expect(diff.configKeys).toEqual(['stage "build", step "train", timeout', 'verify gate "accuracy"']);
  });

  it('a releases history that cannot be read is moved aside and the release store is left alone (current keeps its files)', async () => {
    const dir = await started(config('staging: { branch: main }'));
    await twoDeploys(dir);
    expect((await axum(['daemon', 'stop', '--repo', dir])).code).toBe(0);
    const blobs = readdirSync(join(dir, '.axum', 'store', 'sha256')).sort();
    const file = join(dir, '.axum', 'history', 'releases.json');
    truncateSync(file, Math.floor(readFileSync(file).length / 2));
    const status = await axum(['status', '--json', '--repo', dir]);
    expect(status.code, status.stderr).toBe(0);
    expect((JSON.parse(status.stdout) as { warnings: string[] }).warnings.join('\n')).toMatch(/releases\.json could not be read/);
    expect(readFileSync(join(dir, '.axum', 'daemon.log'), 'utf8')).toContain('release store not swept');
    expect(currentModel(dir, 'staging')).toBe('0.9');
    expect(readdirSync(join(dir, '.axum', 'store', 'sha256')).sort()).toEqual(blobs);
  });

  it('a protected environment needs --yes without a terminal; approval: manual waits for approve', async () => {
    const dir = await started(config('production: { branch: main, approval: manual }'));
    model(dir, '0.9', 'v1');
    await waitFor(async () => JSON.parse((await axum(['status', '--json', '--repo', dir])).stdout).environments[0].awaitingApproval === true, 20_000, 'the release to await approval');
    expect(await history(dir, 'production')).toEqual([]);
    // The plain history says what waits and how to let it through, not "a run deploys one".
    expect((await axum(['history', 'production', '--repo', dir])).stdout).toMatch(/^no revisions in production yet: rel-\d+ waits for approval \(axum approve production\)\n$/);
    const noYes = await axum(['approve', 'production', '--repo', dir]);
    expect(noYes.code).toBe(2);
    expect(noYes.stderr).toMatch(/^axum: production is protected and there is no terminal to ask: add --yes to deploy rel-\d+ to production\n$/);
    // Nothing to go back to: nothing is asked, the daemon's refusal says why (exit 1, not a missing --yes).
    const rollbackNoYes = await axum(['rollback', 'production', '--repo', dir]);
    expect(rollbackNoYes).toMatchObject({ code: 1, stderr: expect.stringContaining('no last known good revision') });
    // Without $USER (cron, env -i) the revision's `by` still names the account.
    const approved = await axum(['approve', 'production', '--yes', '--json', '--repo', dir], { env: { USER: '' } });
    expect(approved.code, approved.stderr).toBe(0);
    expect(JSON.parse(approved.stdout)).toMatchObject({ revision: 1, status: 'live', by: expect.stringMatching(new RegExp(`^${userInfo().username} via axum approve$`)) });
    const nothing = await axum(['approve', 'production', '--yes', '--repo', dir]);
    expect(nothing.code).toBe(1);
    expect(nothing.stderr).toContain('nothing is waiting for approval');
    expect((await axum(['rollback', 'production', '--repo', dir])).code).toBe(1);
    const noLkg = await axum(['rollback', 'production', '--yes', '--repo', dir]);
    expect(noLkg.code).toBe(1);
    expect(noLkg.stderr).toContain('no last known good revision');
  });
});

describe('bad input and crashes', () => {
  it('a corrupted blob refuses the rollback and keeps the live revision', async () => {
    const dir = await started(config('staging: { branch: main }'));
    await twoDeploys(dir);
    const rel1 = JSON.parse(readFileSync(join(dir, '.axum', 'history', 'releases.json'), 'utf8')).releases[0] as { artifacts: { sha256: string }[] };
    const blob = join(dir, '.axum', 'store', 'sha256', rel1.artifacts[0]?.sha256 ?? '');
    chmodSync(blob, 0o644);
    truncateSync(blob, 1);
    chmodSync(blob, 0o444);
    // rel-1's folder already exists from its first deploy; the store copy is what is checked.
    const result = await axum(['rollback', 'staging', '--to', '1', '--json', '--repo', dir]);
    expect(result.code).toBe(1);
    const revision = JSON.parse(result.stdout) as Revision;
    expect(revision.status).toBe('failed');
    expect(revision.message).toMatch(/integrity check: model\/weights\.txt: its stored copy has 1 bytes, expected 5 \(corrupt\)/);
    expect(currentModel(dir, 'staging')).toBe('0.9');
    const status = JSON.parse((await axum(['status', '--json', '--repo', dir])).stdout) as { environments: { live: { revision: number } }[] };
    expect(status.environments[0]?.live.revision).toBe(2);
    // In words: refused, not `rolled back … failed` (nothing moved).
    const words = await axum(['rollback', 'staging', '--to', '1', '--yes', '--repo', dir]);
    expect(words.code).toBe(1);
    expect(words.stdout).toMatch(/^staging #4: refused the rollback to #1 — rel-1 \([0-9a-f]{8}\): it failed its integrity check, nothing moved$/m);
    expect(words.stderr).toContain('axum: #4 refused: release rel-1 failed its integrity check: model/weights.txt');
  });

  it('two rollbacks at once: one wins, the other is refused naming the holder', async () => {
    const dir = await started(config('staging: { branch: main }', '', 'sleep 2; '));
    await twoDeploys(dir);
    const [a, b] = await Promise.all([axum(['rollback', 'staging', '--to', '1', '--repo', dir]), axum(['rollback', 'staging', '--to', '1', '--repo', dir])]);
    const codes = [a.code, b.code].sort();
    expect(codes).toEqual([0, 1]);
    const loser = a.code === 1 ? a : b;
    expect(loser.stderr).toMatch(/staging is busy: ask again once #3 has ended \(rollback by \S+ via axum rollback since /);
    expect((await history(dir)).length).toBe(3);
  });

  it('kill -9 between the pointer swap and the end of verify: the revision fails with the reason and current goes back', async () => {
    const dir = await started(config('staging: { branch: main }', '', 'test -f $AXUM_CURRENT/model/weights.txt && grep -q 0.95 $AXUM_CURRENT/model/weights.txt && echo evaluating v2 && sleep 37; '));
    model(dir, '0.9', 'v1');
    await settled(dir, 1);
    model(dir, '0.95', 'v2 with a slow verify');
    await waitFor(async () => (await history(dir))[0]?.status === 'verifying', 20_000, 'v2 to be verifying');
    expect(currentModel(dir, 'staging')).toBe('0.95');
    await waitFor(async () => (await axum(['logs', 'staging#2', '--step', 'eval', '--repo', dir])).stdout.includes('evaluating v2'), 20_000, 'the verify step to print');
    const daemon = readDaemonJson(dir).pid;
    process.kill(daemon, 'SIGKILL');
    await waitFor(() => !isAlive(daemon), 10_000, 'the daemon to die');
    expect((await axum(['daemon', 'start', '--repo', dir])).code).toBe(0);
    const revisions = await history(dir);
    expect(revisions[0]).toMatchObject({ revision: 2, status: 'failed', message: 'interrupted by a daemon restart while verifying' });
    expect(revisions[1]).toMatchObject({ revision: 1, status: 'live' });
    // Not retried by itself: the incident says how, and the run's deploy says interrupted, not failed.
    const release = (revisions[0] as unknown as { releaseId: string }).releaseId;
    const status = JSON.parse((await axum(['status', '--json', '--repo', dir])).stdout) as { environments: { incident: string | null }[] };
    expect(status.environments[0]?.incident).toBe(`#2 interrupted by a daemon restart; current is back on #1; axum deploy staging --release ${release} deploys it again`);
    const table = (await axum(['runs', '--repo', dir])).stdout;
    expect(table).toMatch(/ staging#2 interrupted /);
    expect(table).not.toMatch(/staging#2 failed/);
    // The verify step cut short: interrupted, and its log is the prefix it wrote before the kill.
    expect((revisions[0] as unknown as { steps: { name: string; status: string }[] }).steps).toMatchObject([{ name: 'eval', status: 'interrupted' }]);
    const logs = await axum(['logs', 'staging#2', '--repo', dir]);
    expect(logs.code, logs.stderr).toBe(0);
    expect(logs.stdout).toBe('eval | evaluating v2\n');
    expect(logs.stderr).toContain('eval: interrupted by a daemon restart');
    expect(currentModel(dir, 'staging')).toBe('0.9');
    expect(readlinkSync(join(dir, '.axum', 'envs', 'staging', 'current'))).toContain(revisions[1]?.releaseId);
    // The verify step the dead daemon left running is reaped.
    await waitFor(() => processesMatching('sleep 37').length === 0, 5000, 'the orphaned verify step to be killed');
    // The environment is free: the next operation needs no manual step.
    model(dir, '0.97', 'v3');
    const after = await settled(dir, 3);
    expect(after[0]).toMatchObject({ revision: 3, status: 'live' });
  });
});

describe('monitor', () => {
  it('consecutive failed health checks open an incident, mark the release bad and roll back to LKG', async () => {
    const dir = await started(
      config('staging: { branch: main }', 'rollback: { auto: true }\nmonitor: { run: "echo serving $(cat $AXUM_CURRENT/model/weights.txt); grep -qv 0.91 $AXUM_CURRENT/model/weights.txt", every: 300ms, failures: 3 }\n'),
    );
    model(dir, '0.9', 'v1 healthy');
    await settled(dir, 1);
    model(dir, '0.91', 'v2 passes verify but is unhealthy in service');
    const revisions = await settled(dir, 3);
    expect(revisions.map((r) => `#${r.revision} ${r.status} ${r.kind}`)).toEqual(['#3 live auto-rollback', '#2 superseded deploy', '#1 superseded deploy']);
    expect(revisions[1]?.verified).toBe(true);
    expect(currentModel(dir, 'staging')).toBe('0.9');
    const status = JSON.parse((await axum(['status', '--json', '--repo', dir])).stdout) as { environments: { incident: string }[] };
    const incident = status.environments[0]?.incident ?? '';
    expect(incident).toMatch(/^monitor failed 3 times in a row on #2 \(checks (\d+)–(\d+); the last exited 1: axum logs staging#2 --step check-(\d+)\); rolled back to #1$/);
    // The incident names the check behind it; its output is one command away.
    const check = /--step (check-\d+)/.exec(incident)?.[1] ?? '';
    const logs = await axum(['logs', 'staging#2', '--step', check, '--repo', dir]);
    expect(logs.code, logs.stderr).toBe(0);
    expect(logs.stdout).toBe('serving 0.91\n');
    const checks = (await history(dir))[1] as unknown as { steps: { stage: string; name: string; status: string; exitCode: number | null }[]; checks: { total: number; failed: number } };
    expect(checks.steps.filter((s) => s.stage === 'monitor').slice(-3).map((s) => [s.status, s.exitCode])).toEqual([['failed', 1], ['failed', 1], ['failed', 1]]);
    expect(checks.checks.failed).toBe(3);
    const releases = JSON.parse(readFileSync(join(dir, '.axum', 'history', 'releases.json'), 'utf8')).releases as { id: string; bad: { why: string } | null }[];
    expect(releases.find((r) => r.id === revisions[1]?.releaseId)?.bad?.why).toContain('monitor failed 3 times');
  });
});

describe('history --at', () => {
  it('answers what was live at a given time', async () => {
    const dir = await started(config('staging: { branch: main }'));
    model(dir, '0.86', 'v1');
    const [first] = await settled(dir, 1);
    await new Promise((r) => setTimeout(r, 1100));
    const between = new Date().toISOString();
    await new Promise((r) => setTimeout(r, 1100));
    model(dir, '0.9', 'v2');
    await settled(dir, 2);
    const at = await axum(['history', 'staging', '--at', between, '--json', '--repo', dir]);
    expect(at.code).toBe(0);
    expect(JSON.parse(at.stdout)).toMatchObject({ revision: first?.revision, releaseId: first?.releaseId });
    const before = await axum(['history', 'staging', '--at', '2000-01-01T00:00:00Z', '--repo', dir]);
    expect(before.stdout).toContain('nothing was live in staging');
    expect((await axum(['history', 'staging', '--at', 'yesterday-ish', '--repo', dir])).code).toBe(2);
  });
});

describe('release retention', () => {
  it('keeps history.keepReleases releases plus live and LKG, and collects stored files no kept release uses', async () => {
    const dir = await started(config('staging: { branch: main }', 'history: { keepReleases: 2 }\n'));
    for (const [i, value] of ['0.81', '0.82', '0.83', '0.84'].entries()) {
      model(dir, value, `v${i + 1}`);
      await settled(dir, i + 1);
    }
    await waitFor(() => (JSON.parse(readFileSync(join(dir, '.axum', 'history', 'releases.json'), 'utf8')).releases as unknown[]).length === 2, 10_000, 'retention');
    const releases = JSON.parse(readFileSync(join(dir, '.axum', 'history', 'releases.json'), 'utf8')).releases as { id: string; artifacts: { sha256: string }[] }[];
    const revisions = await history(dir);
    expect(releases.map((r) => r.id).sort()).toEqual([revisions[0]?.releaseId, revisions[1]?.releaseId].sort());
    const blobs = readdirSync(join(dir, '.axum', 'store', 'sha256')).filter((f) => !f.startsWith('.')).sort();
    expect(blobs).toEqual(releases.map((r) => r.artifacts[0]?.sha256).sort());
    expect(readdirSync(join(dir, '.axum', 'releases')).sort()).toEqual(releases.map((r) => r.id).sort());
    expect(currentModel(dir, 'staging')).toBe('0.84');
  });
});

describe('release retention of the local release folders', () => {
  it('keepReleases 1 with a pinned rollback: the live (pinned) release and the one the pin holds back keep their folders, the others go', async () => {
    const dir = await started(config('staging: { branch: main }', 'history: { keepReleases: 1 }\n'));
    await twoDeploys(dir);
    const [, v1] = await history(dir);
    const rollback = await axum(['rollback', 'staging', '--to', '1', '--yes', '--json', '--repo', dir]);
    expect(rollback.code, rollback.stderr).toBe(0);
    for (const [value, message] of [['0.93', 'v3 while pinned'], ['0.94', 'v4 while pinned']] as const) {
      const sha = model(dir, value, message);
      await waitForRun(dir, (r) => r.commit === sha && r.status === 'succeeded', `${message} to build`);
    }
    const held = JSON.parse((await axum(['status', '--json', '--repo', dir])).stdout).environments[0].heldReleaseId as string;
    expect(held).toBeTruthy();
    const folders = () => readdirSync(join(dir, '.axum', 'releases')).sort();
    await waitFor(() => folders().length === 2, 10_000, 'retention to leave two release folders');
    expect(folders()).toEqual([v1!.releaseId, held].sort());
    expect(currentModel(dir, 'staging')).toBe('0.86'); // the pinned live release's folder serves
    expect((await axum(['fsck', '--repo', dir])).code).toBe(0);
  });
});

describe('crash during an automatic rollback', () => {
  it('kill -9 while the auto-rollback verifies: after restart current holds the last known good, not the bad release', async () => {
    const dir = await started(config('staging: { branch: main }', 'rollback: { auto: true }\n', '[ $AXUM_REVISION = 3 ] && sleep 30; '));
    model(dir, '0.9', 'v1');
    await settled(dir, 1);
    model(dir, '0.3', 'v2 bad');
    await waitFor(async () => (await history(dir))[0]?.status === 'verifying' && (await history(dir))[0]?.revision === 3, 20_000, 'the auto-rollback #3 to verify');
    const daemon = readDaemonJson(dir).pid;
    process.kill(daemon, 'SIGKILL');
    await waitFor(() => !isAlive(daemon), 10_000, 'the daemon to die');
    expect((await axum(['daemon', 'start', '--repo', dir])).code).toBe(0);
    const revisions = await history(dir);
    expect(revisions.map((r) => `#${r.revision} ${r.status}`)).toEqual(['#3 failed', '#2 failed', '#1 live']);
    expect(currentModel(dir, 'staging')).toBe('0.9');
    const status = JSON.parse((await axum(['status', '--json', '--repo', dir])).stdout) as { environments: { live: { revision: number }; incident: string }[] };
    expect(status.environments[0]?.live.revision).toBe(1);
    expect(status.environments[0]?.incident).toContain('current is back on #1');
  });
});

describe('hash checks', () => {
  it('a same-size corruption of a stored file: the rollback answers on its verify steps (no O(bytes) wait), the background re-hash marks the release bad, axum fsck finds it', async () => {
    const dir = await started(config('staging: { branch: main }'));
    model(dir, '0.86', 'v1');
    await settled(dir, 1);
    model(dir, '0.91', 'v2');
    await settled(dir, 2);
    const rel1 = JSON.parse(readFileSync(join(dir, '.axum', 'history', 'releases.json'), 'utf8')).releases[0] as { id: string; artifacts: { sha256: string }[] };
    const blob = join(dir, '.axum', 'store', 'sha256', rel1.artifacts[0]?.sha256 ?? '');
    chmodSync(blob, 0o644);
    writeFileSync(blob, '0.99\n'); // same size as "0.86\n", other bytes
    chmodSync(blob, 0o444);
    const result = await axum(['rollback', 'staging', '--to', '1', '--json', '--repo', dir]);
    // The folder current serves was materialized before the corruption and still matches: it serves.
    expect(result.code, result.stderr).toBe(0);
    expect((JSON.parse(result.stdout) as Revision).status).toBe('live');
    expect(currentModel(dir, 'staging')).toBe('0.86');
    // The full re-hash after the move found the stored copy corrupt: the release is marked bad.
    await waitFor(() => {
      const { releases } = JSON.parse(readFileSync(join(dir, '.axum', 'history', 'releases.json'), 'utf8')) as { releases: { id: string; bad: { why: string } | null }[] };
      return releases.find((r) => r.id === rel1.id)?.bad?.why.includes('model/weights.txt: its stored copy hashes to') === true;
    }, 20_000, 'the background re-hash to mark the release bad');
    const fsck = await axum(['fsck', '--repo', dir]);
    expect(fsck.code).toBe(1);
    expect(fsck.stdout).toContain(`${rel1.id}: model/weights.txt: its stored copy hashes to`);
  });
});

describe('auto deploys queue per environment', () => {
  it('a release built while a deploy verifies is queued, newest wins, and deploys after it', async () => {
    // #1's verify waits for the test's go-ahead (no sleep: a loaded machine builds v2 slowly).
    const go = join(tmpdir(), `axum-go-${process.pid}-${Date.now()}`);
    const dir = await started(config('staging: { branch: main }', '', `[ $AXUM_REVISION = 1 ] && while [ ! -f ${go} ]; do sleep 0.05; done; `));
    model(dir, '0.86', 'v1 (slow verify)');
    await waitFor(async () => (await history(dir))[0]?.status === 'verifying', 20_000, '#1 to verify');
    const v2 = model(dir, '0.9', 'v2');
    const queuedRun = await waitForRun(dir, (r) => r.commit === v2 && r.status === 'succeeded', 'v2 to build');
    writeFileSync(go, '');
    expect(queuedRun.message).toMatch(/queued to deploy to staging after the operation in progress/);
    const revisions = await settled(dir, 2);
    expect(revisions.map((r) => `#${r.revision} ${r.status} ${r.commit === v2 ? 'v2' : 'v1'}`)).toEqual(['#2 live v2', '#1 superseded v1']);
  });
});

// The rough edges a new user meets in the first hour with the command line: a mistyped folder,
// Ctrl-C on a waiting run, a run asked for twice, tables wider than the terminal.
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { axum, AXUM_BIN, commitFiles, scratchRepos, startDaemon, waitFor, waitForRun } from './support/axum.js';
import { tinyModelConfig } from './support/tiny-model.js';

const newRepo = scratchRepos(afterEach);

const SLOW_CONFIG = `version: 1
environments:
  dev: { branch: main }
stages:
  - name: test
    steps:
      - { name: slow, run: "sleep 60" }
`;

/** Waits until `env` has `count` revisions, none of them still deploying or verifying. */
async function settled(dir: string, env: string, count: number): Promise<{ revision: number; status: string; releaseId: string; commit: string }[]> {
  let revisions: { revision: number; status: string; releaseId: string; commit: string }[] = [];
  await waitFor(async () => {
    const result = await axum(['history', env, '--json', '--repo', dir]);
    revisions = result.code === 0 ? (JSON.parse(result.stdout) as typeof revisions) : [];
    return revisions.length >= count && revisions.every((r) => r.status !== 'deploying' && r.status !== 'verifying');
  }, 60_000, `${count} settled revisions in ${env}`);
  return revisions;
}

const widest = (text: string) => Math.max(...text.split('\n').map((line) => [...line].length));

describe('the first hour', () => {
  it('tables fit COLUMNS off a terminal, cutting free text with …, never ids, revisions or marks; without COLUMNS lines are whole', async () => {
    const dir = newRepo({ config: tinyModelConfig() });
    await startDaemon(dir);
    const subject = `a model trained on the whole corpus again, this time with the cleaned labels and a much longer subject than fits`;
    commitFiles(dir, subject, { 'data.txt': '0.9\n' });
    await settled(dir, 'staging', 1);
    commitFiles(dir, `${subject}, twice`, { 'data.txt': '0.91\n' });
    const [live] = await settled(dir, 'staging', 2);
    const narrow = { env: { COLUMNS: '80' } };
    for (const command of [['runs'], ['history', 'staging'], ['status'], ['releases']]) {
      const result = await axum([...command, '--repo', dir], narrow);
      expect(result.code, result.stderr).toBe(0);
      expect(widest(result.stdout), `axum ${command.join(' ')}:\n${result.stdout}`).toBeLessThanOrEqual(80);
    }
    const runs = (await axum(['runs', '--repo', dir], narrow)).stdout;
    expect(runs).toMatch(new RegExp(`^run-2 +succeeded +staging#2 live +.*${live!.commit.slice(0, 8)} .*…$`, 'm'));
    const history = (await axum(['history', 'staging', '--repo', dir], narrow)).stdout;
    expect(history).toMatch(new RegExp(`^#2 +live +deploy +${live!.releaseId} +${live!.commit.slice(0, 8)} `, 'm'));
    expect(history).toMatch(/^#1 +superseded +deploy /m);
    const status = (await axum(['status', '--repo', dir], narrow)).stdout;
    expect(status).toMatch(new RegExp(`^staging +main +#2 +${live!.releaseId} +${live!.commit.slice(0, 8)} +#2 `, 'm'));
    expect((await axum(['releases', '--repo', dir], narrow)).stdout).toMatch(new RegExp(`^${live!.releaseId} +${live!.commit.slice(0, 8)} a model.*… `, 'm'));
    // A pipe without COLUMNS gets whole lines.
    const whole = await axum(['runs', '--repo', dir], { env: { COLUMNS: '' } });
    expect(whole.stdout).toContain(`${subject}, twice`);
    expect(widest(whole.stdout)).toBeGreaterThan(80);
  }, 120_000);

  it('restore --from a folder that does not exist says so first, even beside a running daemon', async () => {
    const dir = newRepo();
    expect((await axum(['daemon', 'start', '--repo', dir])).code).toBe(0);
    const missing = join(dir, 'no-such-backup');
    expect(await axum(['restore', '--from', missing, '--repo', dir])).toEqual({ code: 2, stdout: '', stderr: `axum: --from ${missing}: no such folder\n` });
    const json = await axum(['restore', '--from', missing, '--repo', dir, '--json']);
    expect(json).toMatchObject({ code: 2, stderr: '' });
    expect(JSON.parse(json.stdout)).toEqual({ error: { message: `--from ${missing}: no such folder`, exitCode: 2 } });
  });

  it('the status that starts the daemon counts one client, itself: it connected once', async () => {
    const dir = newRepo();
    const first = await axum(['status', '--json', '--repo', dir]);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).toMatch(/^started the daemon for /);
    expect((JSON.parse(first.stdout) as { clients: number }).clients).toBe(1);
    // One connection, not a probe hung up and a second one: the probe may still be closing as the second attaches.
    const attached = readFileSync(join(dir, '.axum', 'daemon.log'), 'utf8').split('\n').filter((line) => / attached: /.test(line));
    expect(attached).toEqual([expect.stringMatching(/client c1 attached: axum-status /)]);
    const plain = await axum(['status', '--repo', dir]);
    expect(plain.stdout).toMatch(/^daemon {7}pid \d+ · v[\d.]+ · 1 client attached\n/);
  });

  it('run on a commit whose run is already queued or running answers with that run, also under --wait', async () => {
    const dir = newRepo({ config: SLOW_CONFIG.replace('sleep 60', `while [ ! -f ${'$'}{AXUM_E2E_GO:-/nonexistent} ]; do sleep 0.1; done`) });
    const go = join(dir, '..', 'go');
    const env = { env: { AXUM_E2E_GO: go } };
    // The daemon passes its own environment to steps: start it with the file the step waits for.
    expect((await axum(['daemon', 'start', '--repo', dir], env)).code).toBe(0);
    const first = await axum(['run', '--json', '--repo', dir]);
    expect(first.code, first.stderr).toBe(0);
    const run = JSON.parse(first.stdout) as { id: string; commit: string; existing: boolean };
    expect(run.existing).toBe(false);
    await waitForRun(dir, (r) => r.id === run.id && r.status === 'running', 'the run to start');
    const again = await axum(['run', '--repo', dir]);
    expect(again).toEqual({ code: 0, stdout: `${run.id} is already running for ${run.commit.slice(0, 8)}: nothing new queued (axum logs ${run.id} -f follows it)\n`, stderr: '' });
    expect(JSON.parse((await axum(['run', '--json', '--repo', dir])).stdout)).toMatchObject({ id: run.id, existing: true, status: 'running' });
    const waiting = axum(['run', '--wait', '--repo', dir], { timeoutMs: 60_000 });
    // Let the run end only once the waiting command has asked (the daemon's activity line says so).
    await waitFor(() => (readFileSync(join(dir, '.axum', 'daemon.log'), 'utf8').match(/is already running for it/g) ?? []).length >= 3, 30_000, 'the third ask');
    // --again asks for a second run all the same: queued behind the first.
    expect(JSON.parse((await axum(['run', '--again', '--json', '--repo', dir])).stdout)).toMatchObject({ id: 'run-2', existing: false, status: 'queued' });
    writeFileSync(go, '');
    const waited = await waiting;
    expect(waited.code, waited.stderr).toBe(0);
    expect(waited.stderr).toBe(`${run.id} is already running for ${run.commit.slice(0, 8)}; following it\n`);
    expect(waited.stdout).toMatch(new RegExp(`^${run.id}  succeeded  deploy dev#1 live `));
    expect((JSON.parse((await axum(['runs', '--json', '--repo', dir])).stdout) as { id: string }[]).map((r) => r.id)).toEqual(['run-2', 'run-1']);
  }, 120_000);

  it('unpin after a restart: the run that reused the held release reads live, the run that built it keeps its own deploy', async () => {
    const dir = newRepo({ config: tinyModelConfig('', '', '  staging: { branch: staging }\n  production: { branch: main }') });
    const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, encoding: 'utf8' }).trim();
    git('checkout', '-q', '-b', 'staging');
    commitFiles(dir, 'data', { 'data.txt': '0.85\n' });
    await startDaemon(dir, { branch: 'staging' });
    const promote = async (value: string, subject: string, count: number) => {
      commitFiles(dir, subject, { 'data.txt': `${value}\n` });
      await settled(dir, 'staging', count);
      git('checkout', '-q', 'main');
      git('merge', '-q', '--ff-only', 'staging');
      git('checkout', '-q', 'staging');
    };
    await promote('0.9', 'v1', 1);
    await settled(dir, 'production', 1);
    expect((await axum(['pin', 'production', '--repo', dir])).code).toBe(0);
    await promote('0.93', 'v2', 2);
    type Run = { id: string; branch: string; subject: string; deploy: { env: string; revision: number | null; outcome: string } | null };
    const held = (await waitForRun(dir, (r) => r.branch === 'main' && (r as unknown as Run).deploy?.outcome === 'held-by-pin', 'the production run held by the pin')) as unknown as Run;
    // A restart forgets what was only in memory: which run reused the held release.
    expect((await axum(['daemon', 'stop', '--repo', dir])).code).toBe(0);
    expect((await axum(['daemon', 'start', '--repo', dir])).code).toBe(0);
    const unpinned = await axum(['unpin', 'production', '--yes', '--repo', dir]);
    expect(unpinned.code, unpinned.stderr).toBe(0);
    expect(unpinned.stdout).toMatch(/^production unpinned; deployed rel-\d+ as #2 \(live, verified\)\n$/);
    let runs: Run[] = [];
    await waitFor(async () => {
      runs = JSON.parse((await axum(['runs', '--json', '--repo', dir])).stdout) as Run[];
      return runs.find((r) => r.id === held.id)?.deploy?.outcome === 'live';
    }, 30_000, `${held.id}'s deploy to follow`);
    expect(runs.find((r) => r.id === held.id)!.deploy).toEqual({ env: 'production', revision: 2, outcome: 'live' });
    expect(runs.find((r) => r.branch === 'staging' && r.subject === 'v2')!.deploy).toEqual({ env: 'staging', revision: 2, outcome: 'live' });
    expect((await axum(['logs', held.id, '--repo', dir])).stderr).toMatch(/; live in production #2\n/);
  }, 180_000);

  it('fsck marking the live release bad: status names the previous verified revision as LKG, as history reads', async () => {
    const dir = newRepo({ config: tinyModelConfig() });
    await startDaemon(dir);
    commitFiles(dir, 'v1', { 'data.txt': '0.9\n' });
    await settled(dir, 'staging', 1);
    commitFiles(dir, 'v2', { 'data.txt': '0.92\n' });
    const [live, before] = await settled(dir, 'staging', 2);
    // The live release's stored model changes on disk (read-only again, so only its bytes tell).
    const [release] = JSON.parse((await axum(['releases', '--json', '--repo', dir])).stdout) as { id: string; artifacts: { sha256: string }[] }[];
    expect(release!.id).toBe(live!.releaseId);
    const blob = join(dir, '.axum', 'store', 'sha256', release!.artifacts[0]!.sha256);
    chmodSync(blob, 0o644);
    writeFileSync(blob, '0.1\n');
    chmodSync(blob, 0o444);
    expect((await axum(['fsck', '--repo', dir])).code).toBe(1);
    const status = JSON.parse((await axum(['status', '--json', '--repo', dir])).stdout) as { environments: { live: { revision: number }; lastKnownGood: { revision: number } | null; servingBad: { releaseId: string } | null }[] };
    expect(status.environments[0]).toMatchObject({ live: { revision: 2 }, lastKnownGood: { revision: before!.revision }, servingBad: { releaseId: live!.releaseId } });
    const plain = (await axum(['status', '--repo', dir])).stdout;
    expect(plain).toMatch(new RegExp(`^staging +main +#2 +${live!.releaseId} +\\S+ +#1 +accuracy 0\\.92 \\(LKG 0\\.9\\) +${live!.releaseId} marked bad$`, 'm'));
    const history = (await axum(['history', 'staging', '--repo', dir])).stdout;
    expect(history).toMatch(/^#1 +superseded +deploy .* yes /m);
    expect(history).toContain(`marked bad:\n  ${live!.releaseId}  `);
  }, 120_000);

  it('Ctrl-C while a rollback is under way says it goes on in the daemon and where to see it, exit 130', async () => {
    // The verify step waits for a file the test writes, so the rollback is surely under way at the Ctrl-C.
    const gate = join(tmpdir(), `axum-gate-${process.pid}-${Date.now()}`);
    const dir = newRepo({ config: tinyModelConfig('', `if [ $AXUM_REVISION = 3 ]; then while [ ! -e ${gate} ]; do sleep 0.1; done; fi; `) });
    await startDaemon(dir);
    commitFiles(dir, 'v1', { 'data.txt': '0.9\n' });
    await settled(dir, 'staging', 1);
    commitFiles(dir, 'v2', { 'data.txt': '0.92\n' });
    await settled(dir, 'staging', 2);
    const child = spawn(process.execPath, [AXUM_BIN, 'rollback', 'staging', '--yes', '--repo', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (data: Buffer) => (stderr += data.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    await waitFor(async () => {
      const result = await axum(['history', 'staging', '--json', '--repo', dir]);
      return result.code === 0 && (JSON.parse(result.stdout) as { revision: number; status: string }[]).some((r) => r.revision === 3 && r.status === 'verifying');
    }, 30_000, 'the rollback to be verifying');
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    expect(stderr).toContain('axum: stopped waiting; the rollback of staging was asked of the daemon and goes on there (see how it ends: axum history staging)\n');
    writeFileSync(gate, '');
    const revisions = await settled(dir, 'staging', 3);
    expect(revisions[0]).toMatchObject({ revision: 3, status: 'live' });
    rmSync(gate, { force: true });
  }, 120_000);

  it('Ctrl-C on run --wait says the run goes on and how to follow it, exit 130', async () => {
    const dir = newRepo({ config: SLOW_CONFIG });
    const child = spawn(process.execPath, [AXUM_BIN, 'run', '--wait', '--repo', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (data: Buffer) => (stderr += data.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    await waitFor(() => /run-\d+ queued/.test(stderr), 30_000, 'the run to be queued');
    const runId = /(run-\d+) queued/.exec(stderr)![1]!;
    await waitForRun(dir, (r) => r.id === runId && r.status === 'running', 'the run to start');
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    expect(stderr).toContain(`axum: stopped waiting; ${runId} goes on in the daemon (follow it: axum logs ${runId} -f; stop it: axum cancel ${runId})\n`);
    // It does go on.
    await waitForRun(dir, (r) => r.id === runId && r.status === 'running', 'the run to be running still');
  }, 90_000);
});

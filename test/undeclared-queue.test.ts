// A build that finishes while the checked-out axum.yml does not declare its environment (another
// branch checked out during the run) waits in that environment's queue, and deploys once the
// environment is declared again (the branch checked out again).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { axum, commitFiles, openClient, scratchRepos, startDaemon, waitFor, waitForRun } from './support/axum.js';
import { settled } from './support/history.js';
import { tinyModel } from './support/tiny-model.js';

const newRepo = scratchRepos(afterEach);
const gates: string[] = [];
afterEach(() => {
  for (const dir of gates.splice(0)) rmSync(dir, { recursive: true, force: true });
});
const git = (dir: string, ...args: string[]) => execFileSync('git', args, { cwd: dir, stdio: 'ignore' });

describe('an environment axum.yml stops declaring while its build runs', () => {
  it('gets the release queued, and deployed once axum.yml declares it again', async () => {
    // The build waits for a file the test creates: the checkout happens while it runs, by construction.
    const gate = mkdtempSync(join(tmpdir(), 'axum-gate-'));
    gates.push(gate);
    const go = join(gate, 'go');
    const train = ` && while [ ! -f ${go} ]; do sleep 0.05; done`;
    const dir = newRepo({ config: tinyModel({ environments: '  dev: { branch: main }', train }) });
    commitFiles(dir, 'data', { 'data.txt': '0.85\n' });
    git(dir, 'checkout', '-q', '-b', 'experiment');
    commitFiles(dir, 'experiment: no dev', { 'axum.yml': tinyModel({ environments: '  exp: { branch: experiment }', train }) });
    git(dir, 'checkout', '-q', 'main');
    await startDaemon(dir);

    writeFileSync(go, '');
    commitFiles(dir, 'v1', { 'data.txt': '0.9\n' });
    await settled(dir, 1, { env: 'dev' });

    rmSync(go);
    const v2 = commitFiles(dir, 'v2', { 'data.txt': '0.95\n' });
    const run = await waitForRun(dir, (r) => r.commit === v2 && r.status === 'running', 'the run of v2 to start');
    git(dir, 'checkout', '-q', 'experiment');
    const declared = async () => (JSON.parse((await axum(['status', '--json', '--repo', dir])).stdout) as { environments: { name: string; inConfig: boolean }[] }).environments.find((e) => e.name === 'dev')?.inConfig;
    await waitFor(async () => (await declared()) === false, 20_000, "experiment's axum.yml to load");
    writeFileSync(go, '');
    const finished = await waitForRun(dir, (r) => r.id === run.id && r.status === 'succeeded', 'the run of v2 to finish');
    expect(finished.message).toMatch(/not deployed: dev is not in axum\.yml now \(queued: it deploys when axum\.yml declares dev again\)$/);
    // Said where a person looks, not only in the run's message: the runs table, the status.
    expect(finished.deploy).toEqual({ env: 'dev', revision: null, outcome: 'queued' });
    const table = await axum(['runs', '--repo', dir]);
    expect(table.stdout.split('\n').find((line) => line.startsWith(`${run.id} `))).toMatch(/^run-\d+\s+succeeded\s+dev queued\s/);
    const queued = finished.releaseId!;
    const status = await axum(['status', '--repo', dir]);
    expect(status.stdout).toContain(`queued       dev: ${queued} deploys when axum.yml declares dev again`);
    expect(status.stdout).toContain(`not in axum.yml, queued ${queued}`);
    const json = JSON.parse((await axum(['status', '--json', '--repo', dir])).stdout) as { environments: { name: string; queuedReleaseId: string | null }[] };
    expect(json.environments.find((e) => e.name === 'dev')?.queuedReleaseId).toBe(queued);

    git(dir, 'checkout', '-q', 'main');
    const revisions = await settled(dir, 2, { env: 'dev' });
    expect(revisions[0]).toMatchObject({ status: 'live', commit: v2, runId: run.id });
    expect((await waitForRun(dir, (r) => r.id === run.id && r.deploy?.outcome === 'live', 'the run to follow its deploy')).deploy).toEqual({ env: 'dev', revision: 2, outcome: 'live' });
    // Said in the event log every terminal sees.
    const client = await openClient(dir);
    const snapshot = client.messages.find((m) => (m as { type: string }).type === 'snapshot') as { state: { activity: { what: string }[] } };
    client.ws.close();
    expect(snapshot.state.activity.map((a) => a.what)).toContain(`dev is in axum.yml again: ${revisions[0]?.releaseId}, queued while it was not, deploys now`);
  }, 120_000);

  it('deploys it when the daemon starts on a config that declares the environment again', async () => {
    const gate = mkdtempSync(join(tmpdir(), 'axum-gate-'));
    gates.push(gate);
    const go = join(gate, 'go');
    const train = ` && while [ ! -f ${go} ]; do sleep 0.05; done`;
    const dir = newRepo({ config: tinyModel({ environments: '  dev: { branch: main }', train }) });
    git(dir, 'checkout', '-q', '-b', 'experiment');
    commitFiles(dir, 'experiment: no dev', { 'axum.yml': tinyModel({ environments: '  exp: { branch: experiment }', train }) });
    git(dir, 'checkout', '-q', 'main');
    await startDaemon(dir);
    const v1 = commitFiles(dir, 'v1', { 'data.txt': '0.9\n' });
    const run = await waitForRun(dir, (r) => r.commit === v1 && r.status === 'running', 'the run of v1 to start');
    git(dir, 'checkout', '-q', 'experiment');
    const declared = async () => (JSON.parse((await axum(['status', '--json', '--repo', dir])).stdout) as { environments: { name: string; inConfig: boolean }[] }).environments.filter((e) => e.inConfig).map((e) => e.name);
    await waitFor(async () => (await declared()).join() === 'exp', 20_000, "experiment's axum.yml to load");
    writeFileSync(go, '');
    const finished = await waitForRun(dir, (r) => r.id === run.id && r.status === 'succeeded', 'the run of v1 to finish');
    expect(finished.deploy).toEqual({ env: 'dev', revision: null, outcome: 'queued' });
    expect((await axum(['daemon', 'stop', '--repo', dir])).code).toBe(0);

    // The start hands the queued release on (is its commit still on main? one read through git's
    // cat-file): it must listen, then deploy it.
    git(dir, 'checkout', '-q', 'main');
    const started = await axum(['daemon', 'start', '--repo', dir]);
    expect(started.code, `${started.stderr}\n${readFileSync(join(dir, '.axum', 'daemon.log'), 'utf8')}`).toBe(0);
    const revisions = await settled(dir, 1, { env: 'dev' });
    expect(revisions[0]).toMatchObject({ status: 'live', commit: v1, runId: run.id });
  }, 120_000);
});

// Build once, promote: a run of a commit that already has a release with the same config snapshot
// runs no stage and hands that release on (docs/releases-and-rollback.md, "Build once, promote"). The run executor on
// fakes, with a deployments world behind it.
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { PipelineConfig } from '@axum/protocol';
import type { RunRecord } from '../domain/history.js';
import { createRunDeploys } from './run-deploys.js';
import { canonicalJson, reusableRelease } from './release-reuse.js';
import { executeRun } from './run-executor.js';
import { deployWorlds, type DeployWorld } from './testing/deploy-world.js';
import { createFakeExecutorDeps, parsedConfig as parsed } from './testing/fake-pipeline.js';

const COMMIT = 'c'.repeat(40);
const yaml = (extra = '') => `version: 1
environments:
  staging: { branch: staging }
  production: { branch: main }
stages:
  - name: build
    steps:
      - name: train
        run: train
      - name: eval
        run: eval
artifacts: ['model/**']
verify:
  steps:
    - name: smoke
      run: smoke
${extra}`;

const world = deployWorlds(afterEach);

/** A world with staging (branch staging) and production (branch main), and runs of one commit whose axum.yml is `text`. */
function setup(text = yaml()) {
  const w = world(parsed(yaml()));
  let axumYml = text;
  let number = 0;
  const deps = createFakeExecutorDeps(w, { ...w.git, showFile: async (_commit, file) => (file === 'axum.yml' ? axumYml : null) });
  /** Runs the commit for `env` to the end and waits for its environment to settle. */
  async function run(env: 'staging' | 'production', extra: Partial<RunRecord> = {}): Promise<RunRecord> {
    number += 1;
    const record: RunRecord = {
      ...{ id: `run-${number}`, number, status: 'queued', commit: COMMIT, branch: env === 'staging' ? 'staging' : 'main', env, trigger: 'push', reused: false },
      ...{ createdAt: '2025-01-01T00:00:00.000Z', startedAt: null, finishedAt: null, steps: [], subject: 'model v2', releaseId: null, message: null, warnings: [] },
      ...{ deploy: { env, revision: null, outcome: 'pending' }, pgids: [], worktree: null, stages: null },
      ...extra,
    };
    await executeRun(record, deps).done;
    await w.settle(env);
    return record;
  }
  return { w, run, setYaml: (next: string) => void (axumYml = next), trained: () => w.runner.ran('train').length };
}

const told = (w: DeployWorld, runId: string) => w.told.get(runId);

describe('build once, promote', () => {
  it('a second run of the same commit and config reuses the release: no stage runs, the same release goes live', async () => {
    const { w, run, trained } = setup();
    const first = await run('staging');
    expect(first).toMatchObject({ status: 'succeeded', releaseId: 'rel-1', reused: false });
    expect(trained()).toBe(1);
    const second = await run('production');
    expect(second).toMatchObject({ status: 'succeeded', releaseId: 'rel-1', reused: true, lead: 'reused rel-1, verified on staging #1' });
    expect(second.steps.map((s) => `${s.name} ${s.status}`)).toEqual(['train skipped', 'eval skipped']);
    expect(trained()).toBe(1);
    expect(w.current('production')).toBe('rel-1');
    expect(w.revision('production', 1)).toMatchObject({ releaseId: 'rel-1', runId: 'run-2', by: 'push run-2', status: 'live' });
    expect(told(w, 'run-2')).toMatchObject({ env: 'production', revision: 1, outcome: 'live' });
    expect(w.deployments.releases().map((r) => r.id)).toEqual(['rel-1']);
  });

  it('a run of the commit already live in its environment deploys nothing and asks no approval again', async () => {
    const { w, run } = setup();
    await run('staging');
    const again = await run('staging');
    expect(again).toMatchObject({ status: 'succeeded', releaseId: 'rel-1', reused: true });
    expect(w.revisions('staging').map((r) => [r.revision, r.releaseId, r.status])).toEqual([[1, 'rel-1', 'live']]);
    expect(told(w, again.id)).toMatchObject({ env: 'staging', revision: 1, outcome: 'live', message: 'reused rel-1, verified on staging #1; already live in staging (#1): nothing to deploy (axum deploy staging --release rel-1 --again deploys it again)' });
  });

  it('with manual approval, a run of the release production serves does not wait for approval again', async () => {
    const { w, run } = setup();
    w.deployments.setConfig(parsed(yaml().replace('production: { branch: main }', 'production: { branch: main, approval: manual }')));
    await run('staging');
    await run('production');
    expect(w.deployments.state('production')).toMatchObject({ awaitingApproval: true, pendingReleaseId: 'rel-1' });
    await w.deployments.approve('production', 'ana', false);
    await w.settle('production');
    const again = await run('production');
    expect(told(w, again.id)).toMatchObject({ env: 'production', revision: 1, outcome: 'live' });
    expect(w.deployments.state('production')).toMatchObject({ awaitingApproval: false, pendingReleaseId: null, live: { revision: 1, releaseId: 'rel-1' } });
  });

  it('a reused release older than the one live waits for approval saying that deploying it goes back', async () => {
    const { w, run } = setup();
    w.deployments.setConfig(parsed(yaml().replace('production: { branch: main }', 'production: { branch: main, approval: manual }')));
    await run('staging');
    await run('production');
    await w.deployments.approve('production', 'ana', false);
    await w.settle('production');
    // A newer release goes live in production (another commit, approved), then main's older commit runs again.
    await w.ship('production');
    await w.deployments.approve('production', 'ana', false);
    await w.settle('production');
    expect(w.deployments.state('production').live?.releaseId).toBe('rel-2');
    const older = await run('production');
    expect(w.deployments.state('production')).toMatchObject({ pendingReleaseId: 'rel-1' });
    expect(told(w, older.id)?.message).toBe('reused rel-1, verified on production #1; waiting for approval (axum approve production) — older than rel-2, live now: deploying it goes back');
  });

  it('a run that takes over a waiting release tells the earlier run only once that is saved: a full disk leaves the earlier one waiting', async () => {
    const { w, run } = setup();
    w.deployments.setConfig(parsed(yaml().replace('production: { branch: main }', 'production: { branch: main, approval: manual }')));
    await run('staging');
    const first = await run('production');
    expect(told(w, first.id)).toMatchObject({ outcome: 'awaiting-approval' });
    const store = w.envStore('production');
    const save = store.save;
    store.save = () => Promise.reject(Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' }));
    const second = await run('production');
    expect(told(w, second.id)).toMatchObject({ outcome: 'failed', message: expect.stringContaining('its wait for approval could not be recorded') });
    expect(told(w, first.id)).toMatchObject({ outcome: 'awaiting-approval' }); // it still waits, and approving it tells it
    expect(w.deployments.state('production')).toMatchObject({ pendingReleaseId: 'rel-1' });
    store.save = save; // room again: the next run takes its place, and then it is told
    const third = await run('production');
    expect(told(w, third.id)).toMatchObject({ outcome: 'awaiting-approval' });
    expect(told(w, first.id)).toMatchObject({ outcome: 'superseded', message: `rel-1: a newer run of it (${third.id}) follows its deploy to production instead` });
  });

  it('a run that takes over a waiting release and deploys it at once tells the earlier run when its revision is recorded, not after verify', async () => {
    const { w, run } = setup();
    w.deployments.setConfig(parsed(yaml().replace('production: { branch: main }', 'production: { branch: main, approval: manual }')));
    await run('staging');
    const first = await run('production');
    expect(told(w, first.id)).toMatchObject({ outcome: 'awaiting-approval' });
    // Approval made automatic while rel-1 waits: the next run of it deploys at once, and verify is held.
    w.deployments.setConfig(parsed(yaml()));
    let release!: () => void;
    w.runner.script('smoke', { until: new Promise<void>((resolve) => (release = resolve)) });
    const second = run('production');
    await vi.waitFor(() => expect(w.revisions('production').at(-1)).toMatchObject({ releaseId: 'rel-1', status: 'verifying' }));
    await vi.waitFor(() => expect(told(w, first.id)).toMatchObject({ outcome: 'superseded', message: 'rel-1: a newer run of it (run-3) follows its deploy to production instead' }));
    expect(w.deployments.state('production').operation).not.toBeNull(); // told while verify still runs
    release();
    await second;
    expect(told(w, 'run-3')).toMatchObject({ outcome: 'live' });
  });

  it("approval is the stricter of the config in use and the release's own: a checked-out axum.yml saying auto does not deploy a commit whose own says manual", async () => {
    const { w, run, setYaml } = setup();
    // The commit's own axum.yml asks for approval in production; the working tree's (another branch checked out) says auto.
    setYaml(yaml().replace('production: { branch: main }', 'production: { branch: main, approval: manual }'));
    const built = await run('production');
    expect(told(w, built.id)).toMatchObject({ outcome: 'awaiting-approval' });
    expect(w.deployments.state('production')).toMatchObject({ awaitingApproval: true, live: null });
  });

  it('a release not verified anywhere yet says so', async () => {
    const { w, run } = setup();
    await w.deployments.pin('staging', true, 'test');
    await run('staging'); // built, held by the pin: never verified
    const second = await run('production');
    expect(second).toMatchObject({ reused: true, releaseId: 'rel-1', lead: 'reused rel-1 (not verified anywhere yet)' });
    expect(w.current('production')).toBe('rel-1');
  });

  it('`promote: rebuild` builds again', async () => {
    const { w, run, trained } = setup(yaml('promote: rebuild\n'));
    await run('staging');
    const second = await run('production');
    expect(second).toMatchObject({ releaseId: 'rel-2', reused: false });
    expect(second.steps.map((s) => s.status)).toEqual(['succeeded', 'succeeded']);
    expect(trained()).toBe(2);
    expect(w.current('production')).toBe('rel-2');
  });

  it('a different config snapshot of the same commit builds again', async () => {
    const { w, run, setYaml, trained } = setup();
    await run('staging');
    // The same commit cannot change its axum.yml; a release recorded with another config (an older daemon's defaults) must not match.
    setYaml(yaml('history: { keepReleases: 20 }\n'));
    const second = await run('production');
    expect(second).toMatchObject({ releaseId: 'rel-2', reused: false });
    expect(trained()).toBe(2);
    expect(w.current('production')).toBe('rel-2');
  });

  it('stored files missing or corrupt: it rebuilds and says so', async () => {
    const { w, run, trained } = setup();
    await run('staging');
    w.releases.faults.hashMismatch.add('rel-1');
    const second = await run('production');
    expect(second).toMatchObject({ releaseId: 'rel-2', reused: false, status: 'succeeded' });
    expect(second.warnings).toEqual(["rel-1's stored files are missing or corrupt (model/weights.bin: sha256 does not match): rebuilding"]);
    expect(trained()).toBe(2);
  });

  it('a stored file that cannot be read at all rebuilds too', async () => {
    const { w, run } = setup();
    await run('staging');
    w.releases.faults.unreadable.add('rel-1');
    const second = await run('production');
    expect(second).toMatchObject({ releaseId: 'rel-2', reused: false });
    expect(second.warnings[0]).toMatch(/^rel-1's stored files are missing or corrupt \(model\/weights\.bin: its stored copy cannot be read .*\): rebuilding$/);
  });

  it('a reused release marked bad is refused for every environment; --force deploys it', async () => {
    const { w, run, trained } = setup();
    w.runner.script('smoke', { exitCode: 1 });
    await run('staging');
    const bad = w.release('rel-1').bad;
    expect(bad).not.toBeNull();
    w.runner.script('smoke', {});
    const refused = await run('production');
    expect(refused).toMatchObject({ status: 'succeeded', releaseId: 'rel-1', reused: true });
    expect(refused.message).toBe(`reused rel-1: refused, marked bad by ${bad?.by}: ${bad?.why} (axum run --force, axum run --rebuild to build it again, or axum mark rel-1 good)`);
    expect(told(w, 'run-2')).toMatchObject({ env: 'production', revision: null, outcome: 'refused-bad', message: refused.message });
    expect(w.current('production')).toBeNull();
    expect(w.revisions('production')).toEqual([]);
    expect(trained()).toBe(1);

    const forced = await run('production', { trigger: 'manual', force: true, by: 'ana via axum run' });
    expect(forced).toMatchObject({ status: 'succeeded', releaseId: 'rel-1', reused: true });
    expect(forced.lead).toBe(`reused rel-1 (not verified anywhere), marked bad by ${bad?.by} (forced)`);
    expect(w.current('production')).toBe('rel-1');
    expect(w.revision('production', 1)).toMatchObject({ runId: 'run-3', by: 'manual run-3 by ana via axum run', status: 'live' });
    expect(trained()).toBe(1);
  });

  it('a reused release queued behind an operation tells the run that reused it', async () => {
    const { w, run } = setup();
    await run('staging');
    let release!: () => void;
    w.runner.script('smoke', { until: new Promise<void>((resolve) => (release = resolve)) });
    // A build on production holds it; the reuse queues behind it.
    const holding = w.build('production');
    await new Promise((resolve) => setTimeout(resolve, 0));
    const reuse = run('production');
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(w.deployments.state('production').operation).not.toBeNull();
    release();
    await holding;
    const queued = await reuse;
    expect(queued).toMatchObject({ reused: true, releaseId: 'rel-1' });
    await w.settle('production');
    const revision = w.revisions('production').find((r) => r.releaseId === 'rel-1');
    expect(revision).toMatchObject({ runId: queued.id, by: `push ${queued.id}` });
    expect(told(w, queued.id)).toMatchObject({ outcome: 'live' });
  });

  it("a manual run's deploy names who asked", async () => {
    const { w, run } = setup(yaml('promote: rebuild\n'));
    await run('staging', { trigger: 'manual', by: 'ana via axum run' });
    expect(w.revision('staging', 1)).toMatchObject({ by: 'manual run-1 by ana via axum run', runId: 'run-1' });
  });
});

describe('reusableRelease', () => {
  it('matches the same commit and config whatever the key order, never a release without a snapshot', async () => {
    const config = parsed(yaml());
    const reordered = JSON.parse(canonicalJson(config)) as PipelineConfig;
    expect(Object.keys(reordered)).not.toEqual(Object.keys(config));
    const base = { runId: 'run-1', branch: 'staging', subject: 's', createdAt: '', artifacts: [], metrics: {}, bad: null, marks: [] };
    const releases = [
      { ...base, id: 'rel-1', commit: COMMIT, config: null },
      { ...base, id: 'rel-2', commit: COMMIT, config: reordered },
      { ...base, id: 'rel-3', commit: 'd'.repeat(40), config },
    ];
    expect(reusableRelease(releases, COMMIT, config)?.id).toBe('rel-2');
    expect(reusableRelease(releases.slice(0, 1), COMMIT, config)).toBeUndefined();
  });
});

describe("a reusing run's lines", () => {
  it("read `reused …` where the revision says `built …`", () => {
    const run = { id: 'run-2', lead: 'reused rel-1, verified on staging #1', deploy: null, message: null } as unknown as RunRecord;
    const deploys = createRunDeploys(() => [run], (id) => (id === 'run-2' ? run : undefined), async () => undefined, () => undefined);
    deploys.loaded();
    deploys.set('run-2', { env: 'production', revision: 1, outcome: 'live' }, 'built rel-1; live in production #1');
    expect(run.message).toBe('reused rel-1, verified on staging #1; live in production #1');
  });

  it('drop `not verified anywhere yet` once the revision is live (verified), also in what is told later', () => {
    const run = { id: 'run-2', lead: 'reused rel-1 (not verified anywhere yet)', deploy: null, message: null } as unknown as RunRecord;
    const deploys = createRunDeploys(() => [run], (id) => (id === 'run-2' ? run : undefined), async () => undefined, () => undefined);
    deploys.loaded();
    deploys.set('run-2', { env: 'staging', revision: 5, outcome: 'pending' }, 'built rel-1; verifying in staging #5');
    expect(run.message).toBe('reused rel-1 (not verified anywhere yet); verifying in staging #5');
    deploys.set('run-2', { env: 'staging', revision: 5, outcome: 'live' }, 'built rel-1; live in staging #5');
    expect(run.message).toBe('reused rel-1; live in staging #5');
    deploys.set('run-2', { env: 'staging', revision: 5, outcome: 'superseded' }, 'built rel-1; was live in staging #5 until a newer deploy replaced it');
    expect(run.message).toBe('reused rel-1; was live in staging #5 until a newer deploy replaced it');
  });

  it('every run pointing at a revision follows it, also when no run made it (a rollback), and only those', () => {
    const built = { id: 'run-1', deploy: { env: 'staging', revision: 1, outcome: 'live' }, message: null } as unknown as RunRecord;
    const found = { id: 'run-2', lead: 'reused rel-1, verified on staging #1', deploy: { env: 'staging', revision: 1, outcome: 'live' }, message: null } as unknown as RunRecord;
    const elsewhere = { id: 'run-3', deploy: { env: 'production', revision: 1, outcome: 'live' }, message: null } as unknown as RunRecord;
    const runs = [built, found, elsewhere];
    const deploys = createRunDeploys(() => runs, (id) => runs.find((r) => r.id === id), async () => undefined, () => undefined);
    deploys.set('run-1', { env: 'staging', revision: 1, outcome: 'superseded' }, 'built rel-1; was live in staging #1 until a newer deploy replaced it'); // before the runs are loaded
    deploys.loaded();
    expect(found.deploy).toEqual({ env: 'staging', revision: 1, outcome: 'superseded' });
    expect(found.message).toBe('reused rel-1, verified on staging #1; was live in staging #1 until a newer deploy replaced it');
    expect(elsewhere.deploy?.outcome).toBe('live');
    found.deploy = { env: 'staging', revision: 3, outcome: 'live' };
    deploys.set(null, { env: 'staging', revision: 3, outcome: 'rolled-back' }, 'built rel-1; was live in staging #3, then rolled back');
    expect(found.deploy.outcome).toBe('rolled-back');
    expect(built.deploy?.revision).toBe(1);
  });
});

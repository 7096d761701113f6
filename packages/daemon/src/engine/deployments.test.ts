// The deploy lifecycle through the Deployments interface, on in-memory ports (testing/): what each
// failure does to the revisions, the bad marks, the incident and `current`. The end-to-end tests
// (test/deploy-rollback.test.ts) run the same stories with real processes; these run in
// milliseconds and are the net under a rewrite of deployments.ts.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { mkdirNoFollow, type PipelineConfig } from '@axum/protocol';
import { releaseOf, type ScriptedStep } from './testing/fake-ports.js';
import { deployWorlds, testConfig, type DeployWorld } from './testing/deploy-world.js';

const world = deployWorlds(afterEach);
/** A step that behaves as `bad` for one release and as `good` for every other. */
const forRelease = (id: string, bad: ScriptedStep, good: ScriptedStep = {}) => (request: Parameters<typeof releaseOf>[0]) => (releaseOf(request) === id ? bad : good);

describe('a deploy that passes verification', () => {
  it('goes live and supersedes the previous live revision', async () => {
    const w = world();
    const first = await w.ship();
    expect(first).toMatchObject({ releaseId: 'rel-1', message: expect.stringContaining('deploying to staging') });
    await w.ship();
    expect(w.revisions('staging').map((r) => [r.revision, r.kind, r.status, r.releaseId, r.verified, r.rollbackTo])).toEqual([
      [1, 'deploy', 'superseded', 'rel-1', true, null],
      [2, 'deploy', 'live', 'rel-2', true, null],
    ]);
    expect(w.current()).toBe('rel-2');
    expect(w.deployments.state('staging')).toMatchObject({ live: { revision: 2, releaseId: 'rel-2' }, lastKnownGood: { revision: 2 }, rollbackTarget: { revision: 1 }, incident: null, pinned: false });
    expect(w.deployments.releases().map((r) => r.bad)).toEqual([null, null]);
    // Verify ran once per deploy, in a worktree that is gone afterwards.
    expect(w.runner.ran('smoke').map((r) => [r.env.AXUM_REVISION, releaseOf(r)])).toEqual([['1', 'rel-1'], ['2', 'rel-2']]);
    expect(w.git.worktrees.size).toBe(0);
    expect(w.disagreement()).toBeNull();
  });

  it('keeps the metrics the run wrote on its release', async () => {
    const w = world();
    await w.ship('staging', { metrics: { accuracy: 0.93, p95_ms: 120 } });
    expect(w.release('rel-1').metrics).toEqual({ accuracy: 0.93, p95_ms: 120 });
  });
});

describe('a deploy that fails', () => {
  const gated = (gates: Record<string, string>) => testConfig({ verify: { steps: [{ name: 'smoke', run: 'smoke' }], gates } });
  const withHook = testConfig({ deploy: { run: 'hook' } });

  // Each case: two good releases live in turn, then rel-3 fails as `fail` arranges.
  const cases: { name: string; config: PipelineConfig; fail(w: DeployWorld): void; message: string; markedBy: string }[] = [
    { name: 'a verify step that exits 1', config: testConfig(), fail: (w) => w.runner.script('smoke', forRelease('rel-3', { exitCode: 1 })), message: 'verify step smoke exited 1', markedBy: 'verify of staging#3' },
    { name: 'a verify step that times out', config: testConfig(), fail: (w) => w.runner.script('smoke', forRelease('rel-3', { timedOut: true })), message: 'verify step smoke timed out after', markedBy: 'verify of staging#3' },
    { name: 'a deploy hook that exits 1', config: withHook, fail: (w) => w.runner.script('hook', forRelease('rel-3', { exitCode: 1 })), message: 'deploy step deploy exited 1', markedBy: 'deploy of staging#3' },
    {
      name: 'a gate that fails on its value',
      config: gated({ accuracy: '>= 0.9' }),
      fail: (w) => w.runner.script('smoke', forRelease('rel-3', { metrics: { accuracy: 0.5 } }, { metrics: { accuracy: 0.95 } })),
      message: 'gates failed: accuracy = 0.5, gate >= 0.9',
      markedBy: 'verify of staging#3',
    },
  ];

  it.each(cases)('$name: failed, release bad, auto-rollback to the last known good', async ({ config, fail, message, markedBy }) => {
    const w = world(config);
    fail(w);
    await w.ship();
    await w.ship();
    await w.ship();
    expect(w.revisions('staging').map((r) => [r.revision, r.kind, r.status, r.releaseId, r.rollbackTo])).toEqual([
      [1, 'deploy', 'superseded', 'rel-1', null],
      [2, 'deploy', 'superseded', 'rel-2', null],
      [3, 'deploy', 'failed', 'rel-3', null],
      [4, 'auto-rollback', 'live', 'rel-2', 2],
    ]);
    expect(w.revision('staging', 3)).toMatchObject({ verified: false, message: expect.stringContaining(message) });
    expect(w.release('rel-3').bad).toMatchObject({ by: markedBy, why: expect.stringContaining(message) });
    expect([w.release('rel-1').bad, w.release('rel-2').bad]).toEqual([null, null]);
    expect(w.current()).toBe('rel-2');
    const state = w.deployments.state('staging');
    // Only the shape: today a failed deploy hook also reads "failed verification".
    expect(state.incident).toMatch(/^#3 failed .+; rolled back to #2$/);
    expect(state.pinned).toBe(false); // an automatic rollback does not pin: the next fix deploys
    expect(w.disagreement()).toBeNull();
  });

  it('a gate on a metric no step wrote (a typo in axum.yml): failed, not verified, rolled back, marked bad as for any failed gate, the words saying what to fix', async () => {
    const w = world(gated({ acuracy: '>= 0.9' }));
    w.runner.script('smoke', forRelease('rel-3', {}, { metrics: { acuracy: 0.95 } }));
    await w.ship();
    await w.ship();
    await w.ship();
    expect(w.revisions('staging').map((r) => [r.revision, r.kind, r.status, r.releaseId])).toEqual([
      [1, 'deploy', 'superseded', 'rel-1'],
      [2, 'deploy', 'superseded', 'rel-2'],
      [3, 'deploy', 'failed', 'rel-3'],
      [4, 'auto-rollback', 'live', 'rel-2'],
    ]);
    const message = "gates failed: no step wrote metric 'acuracy' (gates in axum.yml name metrics the steps write); rel-3's own axum.yml gates it, so it fails wherever it goes (a commit that fixes the gate makes a release that can pass)";
    expect(w.revision('staging', 3)).toMatchObject({ verified: false, message });
    // Marked bad as for any failed gate: its own axum.yml fails it wherever it goes (a merge must not take it on).
    expect(w.release('rel-3').bad).toMatchObject({ why: expect.stringContaining("no step wrote metric 'acuracy'") });
    // The rollback's cause, its incident and its event say which metric, not only "failed verification".
    expect(w.revision('staging', 4)?.by).toBe("auto: #3 failed verification: no step wrote metric 'acuracy' (gates in axum.yml name metrics the steps write); rel-3's own axum.yml gates it, so it fails wherever it goes (a commit that fixes the gate makes a release that can pass)");
    expect(w.deployments.state('staging').incident).toBe("#3 failed verification: no step wrote metric 'acuracy' (gates in axum.yml name metrics the steps write); rel-3's own axum.yml gates it, so it fails wherever it goes (a commit that fixes the gate makes a release that can pass) (axum logs staging#3); rolled back to #2");
    expect(w.disagreement()).toBeNull();
  });

  it('auto-rollback goes to the last known good, not the previous release, when that one is marked bad', async () => {
    const w = world();
    w.runner.script('smoke', forRelease('rel-3', { exitCode: 1 }));
    await w.ship();
    await w.ship();
    w.releases.faults.hashMismatch.add('rel-2');
    expect((await w.deployments.fsck()).problems.map((p) => p.releaseId)).toEqual(['rel-2']);
    await w.ship();
    expect(w.revision('staging', 4)).toMatchObject({ kind: 'auto-rollback', status: 'live', releaseId: 'rel-1', rollbackTo: 1, verified: true });
    expect(w.current()).toBe('rel-1');
    // Verification runs after a rollback too (docs/releases-and-rollback.md).
    expect(w.runner.ran('smoke').at(-1)?.env.AXUM_REVISION).toBe('4');
    expect(w.disagreement()).toBeNull();
  });

  it('a deploy hook that fails stops before verification', async () => {
    const w = world(withHook);
    w.runner.script('hook', forRelease('rel-2', { exitCode: 1 }));
    await w.ship();
    await w.ship();
    expect(w.runner.ran('smoke').map(releaseOf)).toEqual(['rel-1', 'rel-1']); // #1 and the auto-rollback #3; never rel-2
  });

  it('with rollback.auto off, the failed revision stays in current (serving, failed) with an incident', async () => {
    const w = world(testConfig({ rollback: { auto: false } }));
    w.runner.script('smoke', forRelease('rel-2', { exitCode: 1 }));
    await w.ship();
    await w.ship();
    expect(w.revisions('staging').map((r) => [r.revision, r.status])).toEqual([
      [1, 'superseded'],
      [2, 'failed'],
    ]);
    expect(w.current()).toBe('rel-2');
    expect(w.release('rel-2').bad).toMatchObject({ by: 'verify of staging#2' });
    const state = w.deployments.state('staging');
    // Not live (never verified), but what serves: serving, failed — never "nothing live".
    expect(state.live).toBeNull();
    expect(state.serving).toMatchObject({ revision: 2, releaseId: 'rel-2', failed: true });
    expect((w.deployments.history('staging') as { revision: number; serving?: boolean }[]).filter((r) => r.serving).map((r) => r.revision)).toEqual([2]);
    expect(state.lastKnownGood).toMatchObject({ revision: 1, releaseId: 'rel-1' });
    expect(state.incident).toBe('#2 failed verify: verify step smoke exited 1 (axum logs staging#2 --step smoke)');
    expect(w.disagreement()).toBeNull();
    // Until someone rolls back: then the last known good serves again.
    const back = await w.deployments.rollback('staging', null, false, 'alice');
    expect(back).toMatchObject({ revision: 3, kind: 'rollback', status: 'live', releaseId: 'rel-1', rollbackTo: 1 });
    expect(w.current()).toBe('rel-1');
    expect(w.deployments.state('staging').incident).toBeNull();
    expect(w.deployments.state('staging').serving).toMatchObject({ revision: 3, failed: false });
    expect(w.disagreement()).toBeNull();
  });

  it('the first deploy failing with nothing to go back to removes current', async () => {
    const w = world();
    w.runner.script('smoke', { exitCode: 1 });
    await w.ship();
    expect(w.revisions('staging').map((r) => r.status)).toEqual(['failed']);
    expect(w.current()).toBeNull();
    expect(w.deployments.state('staging').incident).toContain('no last known good revision to roll back to; current is removed');
    expect(w.disagreement()).toBeNull();
  });
});

describe('a deploy that cannot start', () => {
  // Nothing moved: the release is not to blame for a blob the store lost or a full disk.
  const refusals: { name: string; fault(w: DeployWorld): void; message: string }[] = [
    { name: 'the integrity check finds a blob missing', fault: (w) => w.releases.faults.missingBlob.add('rel-2'), message: 'release rel-2 failed its integrity check: model/weights.bin: stored file of rel-2 is missing' },
    { name: 'the disk is full while materializing', fault: (w) => w.releases.faults.diskFull.add('rel-2'), message: 'error: could not materialize release rel-2: the disk is full (ENOSPC: no space left on device)' },
  ];

  it.each(refusals)('$name: refused, nothing moves, the live revision stays live, nothing is marked bad', async ({ fault, message }) => {
    const w = world();
    fault(w);
    await w.ship();
    await w.ship();
    expect(w.revisions('staging').map((r) => [r.revision, r.kind, r.status, r.releaseId])).toEqual([
      [1, 'deploy', 'live', 'rel-1'],
      [2, 'deploy', 'failed', 'rel-2'],
    ]);
    expect(w.revision('staging', 2).message).toBe(message);
    expect(w.releases.swaps.map((s) => s.releaseId)).toEqual(['rel-1']);
    expect(w.current()).toBe('rel-1');
    expect(w.deployments.releases().map((r) => r.bad)).toEqual([null, null]);
    const what = message.startsWith('error: ') ? 'failed before anything moved' : 'refused';
    expect(w.deployments.state('staging')).toMatchObject({ live: { revision: 1 }, incident: `#2 ${what}: ${message}; #1 stays live` });
    expect(w.runner.ran('smoke').map(releaseOf)).toEqual(['rel-1']);
    expect(w.disagreement()).toBeNull();
  });

  it('a link planted in .axum/releases: the failed revision says the link and the rm that fixes it', async () => {
    const w = world();
    w.releases.faults.materializeErrors.set('rel-2', plantedLinkError('rel-2'));
    await w.ship();
    await w.ship();
    const message = w.revision('staging', 2).message ?? '';
    expect(message).toMatch(/^error: could not materialize release rel-2: .*\.axum\/releases is a symbolic link to /);
    expect(message).toMatch(/remove the link \(rm .*\.axum\/releases\)/);
    expect(w.current()).toBe('rel-1');
  });

  // ARCHITECTURE.md glossary, Bad: "An error of Axum or of the machine (a pointer that cannot be written, a full
  // disk, a step that could not be spawned) fails the revision with reason `error` and marks nothing."
  // The deploy machine sends an actor that throws to its `error` stage, which marks nothing.
  const machineErrors: { name: string; fault(w: DeployWorld): void }[] = [
    { name: 'the current pointer cannot be written (EPERM)', fault: (w) => (w.releases.faults.swapFailures = 1) },
    { name: 'a verify step cannot be spawned', fault: (w) => w.runner.script('smoke', forRelease('rel-2', { spawnError: 'spawn sh EAGAIN' })) },
  ];
  it.each(machineErrors)('$name: the revision fails and no release is marked bad', async ({ fault }) => {
    const w = world();
    await w.ship();
    fault(w);
    await w.ship();
    expect(w.revision('staging', 2).status).toBe('failed');
    expect(w.revision('staging', 2).message).toMatch(/^error: /);
    expect(w.release('rel-2').bad).toBeNull();
    expect(w.release('rel-1').bad).toBeNull();
    expect(w.current()).toBe('rel-1');
    // The previous live revision stays live (and so the last known good); no rollback revision.
    expect(w.revisions('staging').map((r) => [r.revision, r.status])).toEqual([
      [1, 'live'],
      [2, 'failed'],
    ]);
    expect(w.deployments.state('staging').serving).toMatchObject({ revision: 1, failed: false });
    expect(w.disagreement()).toBeNull();
  });
});

// ARCHITECTURE.md glossary, Release: "A release deploys, verifies and is monitored with its own config snapshot,
// never with whatever the working tree holds now."
describe('the config a release deploys with', () => {
  it("is its own commit's, not the working tree's", async () => {
    const w = world(testConfig());
    const ownConfig = testConfig({ verify: { steps: [{ name: 'smoke', run: 'smoke --v2' }] } });
    await w.ship('staging', { runConfig: ownConfig });
    expect(w.runner.calls.map((c) => c.command)).toEqual(['smoke --v2']);
  });
});

/** What the real store meets making a release's folder when `.axum/releases` is a link: mkdirNoFollow's refusal, for real in a temp folder. */
function plantedLinkError(releaseId: string): unknown {
  const repo = mkdtempSync(join(tmpdir(), 'axum-planted-link-'));
  try {
    mkdirSync(join(repo, '.axum'));
    symlinkSync(tmpdir(), join(repo, '.axum', 'releases'));
    mkdirNoFollow(join(repo, '.axum', 'releases', releaseId));
    throw new Error('mkdirNoFollow followed the link');
  } catch (err) {
    return err;
  } finally {
    rmSync(repo, { recursive: true, force: true });
  }
}

// Marks a team can read, clear and trust (`axum mark`), what a bad mark stops without --force
// (deploy, approve, promote, rollback), and `axum promote FROM TO`: through the Deployments
// interface on in-memory ports (testing/).
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ReleasesDocument } from '../domain/revisions.js';
import { RequestFailure } from './pipeline.js';
import { releaseOf, type FakeDocumentStore } from './testing/fake-ports.js';
import { deployWorlds, holdVerify, testConfig, type DeployWorld } from './testing/deploy-world.js';

const world = deployWorlds(afterEach);
const twoEnvs = (overrides: Record<string, unknown> = {}) => testConfig({ environments: { staging: { branch: 'staging' }, production: { branch: 'main' } }, ...overrides });
const refusal = (result: unknown) => (result instanceof RequestFailure ? { code: result.code, message: result.message } : { code: 'none', message: JSON.stringify(result) });
const onDisk = (w: DeployWorld, id: string) => (w.deps.releasesStore as FakeDocumentStore<ReleasesDocument>).persisted()?.releases.find((r) => r.id === id);
/** `rel-N is marked bad by BY (at): WHY — ANYWAY, or clear the mark: axum mark rel-N good`, the time as people read it. */
const badMessage = (id: string, by: string, why: string, anyway: string) =>
  new RegExp(`^${id} is marked bad by ${by.replace(/[()]/g, '\\$&')} \\(\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d UTC\\): ${why} — ${anyway.replace(/[-]/g, '\\$&')}, or clear the mark: axum mark ${id} good$`);

describe('axum mark', () => {
  it('bad then good: journaled with who, when and why, saved before it answers; defaults for a missing reason', async () => {
    const w = world();
    await w.ship();
    await w.ship();
    const bad = await w.deployments.mark('rel-1', 'bad', 'leaks test data', 'dana');
    expect(bad).toMatchObject({ id: 'rel-1', bad: { by: 'dana', why: 'leaks test data' }, marks: [{ mark: 'bad', by: 'dana', why: 'leaks test data' }] });
    expect(onDisk(w, 'rel-1')?.bad).toMatchObject({ by: 'dana' });
    // Its last known good changed: rel-1 is no rollback target any more.
    expect(w.deployments.state('staging')).toMatchObject({ rollbackTarget: null, lastKnownGood: { revision: 2 } });
    const good = await w.deployments.mark('rel-1', 'good', undefined, 'erin');
    expect(good).toMatchObject({ bad: null, marks: [{ mark: 'bad', by: 'dana' }, { mark: 'good', by: 'erin', why: 'cleared by hand' }] });
    expect(onDisk(w, 'rel-1')).toMatchObject({ bad: null, marks: [{ mark: 'bad' }, { mark: 'good' }] });
    expect(w.deployments.state('staging').rollbackTarget).toMatchObject({ revision: 1, releaseId: 'rel-1' });
    expect(await w.deployments.mark('rel-2', 'bad', '  ', 'erin')).toMatchObject({ bad: { why: 'marked by hand' } });
  });

  it('clears a mark verification made, and the journal keeps both', async () => {
    const w = world();
    w.runner.script('smoke', (request) => (releaseOf(request) === 'rel-2' ? { exitCode: 1 } : {}));
    await w.ship();
    await w.ship();
    expect(w.release('rel-2').bad).toMatchObject({ by: 'verify of staging#2', why: expect.stringContaining('verify step smoke exited 1') });
    await w.deployments.mark('rel-2', 'good', 'flaky smoke test', 'dana');
    expect(w.release('rel-2')).toMatchObject({ bad: null, marks: [{ mark: 'bad', by: 'verify of staging#2' }, { mark: 'good', by: 'dana', why: 'flaky smoke test' }] });
  });

  it('refuses an unknown release; asked again, answers with what stands (nothing written), and a new reason replaces the old', async () => {
    const w = world();
    await w.ship();
    expect(refusal(await w.deployments.mark('rel-99', 'bad', undefined, 'dana'))).toEqual({ code: 'not-found', message: 'no release rel-99 (axum releases lists them)' });
    expect(await w.deployments.mark('rel-1', 'good', 'looks fine', 'dana')).toMatchObject({ id: 'rel-1', bad: null, unchanged: true });
    expect(w.release('rel-1').marks).toEqual([]);
    await w.deployments.mark('rel-1', 'bad', 'first', 'dana');
    // No reason, or the same one: the mark stands as it was, who and when too.
    expect(await w.deployments.mark('rel-1', 'bad', undefined, 'erin')).toMatchObject({ bad: { by: 'dana', why: 'first' }, unchanged: true });
    expect(await w.deployments.mark('rel-1', 'bad', ' first ', 'erin')).toMatchObject({ bad: { by: 'dana', why: 'first' }, unchanged: true });
    expect(w.release('rel-1').marks).toHaveLength(1);
    // A new reason: the mark says it, with who gave it, and the journal keeps both.
    expect(await w.deployments.mark('rel-1', 'bad', 'second', 'erin')).toMatchObject({ bad: { by: 'erin', why: 'second' }, unchanged: false });
    expect(onDisk(w, 'rel-1')).toMatchObject({ bad: { by: 'erin', why: 'second' }, marks: [{ mark: 'bad', why: 'first' }, { mark: 'bad', why: 'second' }] });
  });

  it('masks a registered secret pasted into the reason', async () => {
    const w = world(testConfig({ secrets: ['API_TOKEN'] }));
    w.deps.baseEnv.API_TOKEN = 'tok-1234567890';
    await w.ship();
    expect(await w.deployments.mark('rel-1', 'bad', 'leaks tok-1234567890 in its logs', 'dana')).toMatchObject({ bad: { why: expect.not.stringContaining('tok-1234567890') } });
    expect(JSON.stringify(onDisk(w, 'rel-1'))).not.toContain('tok-1234567890');
  });

  it('that cannot be saved is not done: the answer is an error and the release is as it was', async () => {
    const w = world();
    await w.ship();
    w.deps.releasesStore.save = () => Promise.reject(new Error('no space left on device'));
    await expect(w.deployments.mark('rel-1', 'bad', 'x', 'dana')).rejects.toThrow('no space left');
    expect(w.release('rel-1')).toMatchObject({ bad: null, marks: [] });
  });
});

describe('a bad release needs --force', () => {
  it('deploy by hand: refused naming the mark and both ways on; goes with force', async () => {
    const w = world();
    await w.ship();
    await w.ship();
    await w.deployments.mark('rel-1', 'bad', 'leaks test data', 'dana');
    expect(refusal(await w.deployments.deploy('staging', 'rel-1', 'erin'))).toEqual({ code: 'refused', message: expect.stringMatching(badMessage('rel-1', 'dana', 'leaks test data', 'pass --force to deploy it anyway')) });
    expect(w.revisions('staging')).toHaveLength(2);
    expect(await w.deployments.deploy('staging', 'rel-1', 'erin', true)).toMatchObject({ revision: 3, releaseId: 'rel-1', status: 'live' });
    expect(w.current()).toBe('rel-1');
  });

  it('rollback: refused to a release marked by hand, with the same words; goes with force', async () => {
    const w = world();
    await w.ship();
    await w.ship();
    await w.deployments.mark('rel-1', 'bad', 'leaks test data', 'dana');
    expect(refusal(await w.deployments.rollback('staging', null, false, 'erin'))).toMatchObject({ code: 'refused', message: expect.stringContaining('no last known good revision') });
    const refused = refusal(await w.deployments.rollback('staging', 1, false, 'erin'));
    expect(refused.message).toMatch(/^the release of #1, rel-1, is marked bad by dana \(.+\): leaks test data — pass --force to roll back to it anyway, or clear the mark: axum mark rel-1 good$/);
    expect(w.deployments.state('staging').pinned).toBe(false);
    expect(await w.deployments.rollback('staging', 1, true, 'erin')).toMatchObject({ revision: 3, kind: 'rollback', releaseId: 'rel-1', status: 'live' });
  });

  it('approve: refused without force (the message names approve --force); the release still waits; forced, it deploys', async () => {
    const w = world(twoEnvs({ environments: { production: { branch: 'main', approval: 'manual' } } }));
    await w.ship('production');
    await w.deployments.mark('rel-1', 'bad', 'leaks test data', 'dana');
    const refused = refusal(await w.deployments.approve('production', 'erin'));
    expect(refused).toEqual({ code: 'refused', message: expect.stringMatching(badMessage('rel-1', 'dana', 'leaks test data', 'to approve it anyway: axum approve production --force')) });
    expect(w.deployments.state('production')).toMatchObject({ awaitingApproval: true, pendingReleaseId: 'rel-1', live: null });
    expect(await w.deployments.approve('production', 'erin', true)).toMatchObject({ revision: 1, releaseId: 'rel-1', status: 'live' });
    expect(w.deployments.state('production')).toMatchObject({ awaitingApproval: false, pendingReleaseId: null });
  });
});

describe('axum promote', () => {
  it("deploys FROM's live release to TO as the same release, verified there, by whom and from where", async () => {
    const w = world(twoEnvs());
    await w.ship('staging');
    const promoted = await w.deployments.promote('staging', 'production', false, 'erin');
    expect(promoted).toMatchObject({ revision: 1, kind: 'deploy', status: 'live', releaseId: 'rel-1', verified: true, by: 'erin: promoted from staging#1', runId: null });
    expect(w.current('production')).toBe('rel-1');
    expect(w.runner.ran('smoke').at(-1)?.env.AXUM_REVISION).toBe('1');
    expect(w.deployments.releases()).toHaveLength(1); // nothing rebuilt
    // Again: nothing to do, answered with the live revision (as a deploy of it is); `again` makes a new one.
    expect(await w.deployments.promote('staging', 'production', false, 'erin')).toMatchObject({ revision: 1, releaseId: 'rel-1', unchanged: true });
    expect(await w.deployments.promote('staging', 'production', false, 'erin', undefined, true)).toMatchObject({ revision: 2, releaseId: 'rel-1', status: 'live' });
    expect(w.disagreement('production')).toBeNull();
  });

  it('is refused for an unknown environment on either side, one environment, and nothing live', async () => {
    const w = world(twoEnvs());
    expect(refusal(await w.deployments.promote('staging', 'prod', false, 'erin'))).toEqual({ code: 'not-found', message: 'no environment prod (environments: staging, production)' });
    expect(refusal(await w.deployments.promote('stagin', 'production', false, 'erin'))).toEqual({ code: 'not-found', message: 'no environment stagin (environments: staging, production)' });
    expect(refusal(await w.deployments.promote('staging', 'staging', false, 'erin'))).toEqual({ code: 'refused', message: 'promote needs two environments: staging is both FROM and TO' });
    expect(refusal(await w.deployments.promote('staging', 'production', false, 'erin'))).toEqual({ code: 'refused', message: 'nothing is live in staging: nothing to promote' });
    expect(w.revisions('production')).toEqual([]);
  });

  it('from serving, failed is refused: nothing verified to promote', async () => {
    const w = world(twoEnvs({ rollback: { auto: false } }));
    w.runner.script('smoke', () => ({ exitCode: 1 }));
    await w.ship('staging');
    expect(refusal(await w.deployments.promote('staging', 'production', false, 'erin'))).toEqual({ code: 'refused', message: 'nothing is live in staging (#1, rel-1, serves but failed): nothing to promote' });
    expect(w.revisions('production')).toEqual([]);
  });

  it('of a bad release is refused without force and goes with it', async () => {
    const w = world(twoEnvs());
    await w.ship('staging');
    await w.deployments.mark('rel-1', 'bad', 'leaks test data', 'dana');
    expect(refusal(await w.deployments.promote('staging', 'production', false, 'erin'))).toEqual({ code: 'refused', message: expect.stringMatching(badMessage('rel-1', 'dana', 'leaks test data', 'pass --force to promote it anyway')) });
    expect(w.revisions('production')).toEqual([]);
    expect(await w.deployments.promote('staging', 'production', true, 'erin')).toMatchObject({ revision: 1, releaseId: 'rel-1', status: 'live' });
  });

  it('onto a pinned environment goes, and the pin stays', async () => {
    const w = world(twoEnvs());
    await w.ship('staging');
    await w.deployments.pin('production', true, 'carol');
    expect(await w.deployments.promote('staging', 'production', false, 'erin')).toMatchObject({ revision: 1, releaseId: 'rel-1', status: 'live' });
    expect(w.deployments.state('production').pinned).toBe(true);
  });

  it('two at once: one deploys, the other gets a conflict naming the holder; nothing lost', async () => {
    const w = world(twoEnvs());
    await w.ship('staging');
    const finish = holdVerify(w);
    const both = [w.deployments.promote('staging', 'production', false, 'erin'), w.deployments.promote('staging', 'production', false, 'frank')];
    await vi.waitFor(() => expect(w.runner.ran('smoke')).toHaveLength(2));
    finish();
    const results = await Promise.all(both);
    const conflicts = results.filter((r) => r instanceof RequestFailure);
    expect(conflicts.map(refusal)).toEqual([{ code: 'conflict', message: expect.stringMatching(/^production is busy: ask again once #1 has ended \(deploy by (erin|frank): promoted from staging#1 since /) }]);
    expect(results.filter((r) => !(r instanceof RequestFailure))).toMatchObject([{ revision: 1, releaseId: 'rel-1', status: 'live' }]);
    await w.settle('production');
    expect(w.revisions('production')).toHaveLength(1);
    expect(w.disagreement('production')).toBeNull();
  });
});

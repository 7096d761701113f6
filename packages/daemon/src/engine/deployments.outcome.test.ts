// What a run is told of its deploy (ARCHITECTURE.md, glossary: "Run"), and what a revision records of its
// operation: steps with their output, metrics, gates with the LKG's value, monitor checks.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { releaseOf } from './testing/fake-ports.js';
import { deployWorlds, testConfig, type DeployWorld } from './testing/deploy-world.js';

const world = deployWorlds(afterEach);
const outcome = (w: DeployWorld, runId: string) => {
  const told = w.told.get(runId);
  return told ? `${told.env}#${told.revision ?? '-'} ${told.outcome}` : 'nothing';
};

describe("a run's deploy", () => {
  it('is live, then superseded by a newer deploy, or rolled back by a rollback', async () => {
    const w = world();
    await w.ship();
    expect(outcome(w, 'run-1')).toBe('staging#1 live');
    await w.ship();
    expect(outcome(w, 'run-1')).toBe('staging#1 superseded');
    expect(outcome(w, 'run-2')).toBe('staging#2 live');
    await w.deployments.rollback('staging', null, false, 'test');
    expect(outcome(w, 'run-2')).toBe('staging#2 rolled-back');
    expect(w.told.get('run-2')?.message).toBe('built rel-2; was live in staging #2, then rolled back');
  });

  it('fails with the reason when its gate fails, and the failed revision names the run', async () => {
    const w = world(testConfig({ verify: { steps: [{ name: 'smoke', run: 'smoke' }], gates: { accuracy: '>= 0.9' } } }));
    w.runner.script('smoke', (request) => ({ metrics: { accuracy: releaseOf(request) === 'rel-2' ? 0.41 : 0.93 }, output: `judging ${releaseOf(request)}\n` }));
    await w.ship();
    await w.ship();
    expect(outcome(w, 'run-2')).toBe('staging#2 failed');
    expect(w.told.get('run-2')?.message).toBe('built rel-2; staging #2 failed: gates failed: accuracy = 0.41, gate >= 0.9 (LKG 0.93)');
    // The auto-rollback is no run's deploy: run-1 stays superseded, not live again.
    expect(outcome(w, 'run-1')).toBe('staging#1 superseded');
    const failed = w.revision('staging', 2);
    expect(failed).toMatchObject({ runId: 'run-2', by: 'push run-2', metrics: { accuracy: 0.41 } });
    expect(failed.gates).toEqual([{ metric: 'accuracy', op: '>=', threshold: 0.9, value: 0.41, lkgValue: 0.93, verdict: 'fail', reason: null, expression: '>= 0.9' }]);
    expect(failed.steps).toMatchObject([{ stage: 'verify', name: 'smoke', status: 'succeeded', exitCode: 0, logBytes: 'judging rel-2\n'.length }]);
    const log = await w.deployments.readLog({ address: 'staging#2', step: 'smoke', offset: 0, limit: 1024 });
    expect(log).toMatchObject({ runId: 'staging#2', data: 'judging rel-2\n', complete: true });
    expect(await w.deployments.readLog({ address: 'staging#9', step: 'smoke', offset: 0, limit: 1024 })).toMatchObject({ code: 'not-found', message: 'no revision staging#9 (staging has #1–#3)' });
  });

  it('keeps the metrics its verify steps wrote when a later step fails, judging no gate', async () => {
    const w = world(testConfig({ verify: { steps: [{ name: 'eval', run: 'eval' }, { name: 'smoke', run: 'smoke' }], gates: { accuracy: '>= 0.9' } } }));
    w.runner.script('eval', { metrics: { accuracy: 0.998 } });
    w.runner.script('smoke', (request) => ({ exitCode: releaseOf(request) === 'rel-2' ? 1 : 0 }));
    await w.ship();
    await w.ship();
    const failed = w.revision('staging', 2);
    expect(failed.message).toMatch(/^verify step smoke exited 1/);
    expect(failed.metrics).toEqual({ accuracy: 0.998 });
    expect(failed.gates).toEqual([]);
  });

  it('is held by a pin, or waits for approval, and says so', async () => {
    const w = world(testConfig({ environments: { staging: { branch: 'staging' }, production: { branch: 'main', approval: 'manual' } } }));
    await w.ship();
    await w.deployments.pin('staging', true, 'test');
    await w.ship();
    expect(outcome(w, 'run-2')).toBe('staging#- held-by-pin');
    await w.ship('production');
    expect(outcome(w, 'run-3')).toBe('production#- awaiting-approval');
    await w.deployments.approve('production', 'test');
    await w.settle('production');
    expect(outcome(w, 'run-3')).toBe('production#1 live');
  });

  it('waiting for approval ends when its release goes live another way (a deploy of it by hand): approve finds nothing to approve', async () => {
    const w = world(testConfig({ environments: { production: { branch: 'main', approval: 'manual' } } }));
    await w.ship('production');
    expect(w.deployments.state('production').pendingReleaseId).toBe('rel-1');
    await w.deployments.deploy('production', 'rel-1', 'test');
    await w.settle('production');
    expect(w.deployments.state('production')).toMatchObject({ pendingReleaseId: null, awaitingApproval: false, live: { releaseId: 'rel-1' } });
    expect(outcome(w, 'run-1')).toBe('production#1 live');
    expect(await w.deployments.approve('production', 'test')).toMatchObject({ code: 'refused' });
    expect(w.revisions('production').length).toBe(1);
  });

  it('a failed deploy hook fails the deploy step and skips verify; every step is on the revision', async () => {
    const w = world(testConfig({ deploy: { run: 'hook' } }));
    w.runner.script('hook', { exitCode: 3, output: 'cannot reach the server\n' });
    await w.ship();
    expect(w.revision('staging', 1).steps.map((s) => `${s.stage}/${s.name} ${s.status}`)).toEqual(['deploy/deploy failed', 'verify/smoke skipped']);
    expect(w.revision('staging', 1).message).toBe('deploy step deploy exited 3 (axum logs staging#1 --step deploy)');
    expect(outcome(w, 'run-1')).toBe('staging#1 failed');
  });
});

describe('monitor checks', () => {
  it('each check is a step with its own log; the newest few are kept; the incident names the check behind it', async () => {
    const w = world(testConfig({ monitor: { run: 'health', every: '5ms', failures: 2 } }));
    let calls = 0;
    w.runner.script('health', () => {
      calls += 1;
      return { exitCode: calls > 12 ? 1 : 0, output: `check ${calls}\n` };
    });
    await w.ship();
    await vi.waitFor(() => expect(w.deployments.state('staging').incident).not.toBeNull());
    await w.settle();
    const revision = w.revision('staging', 1);
    const checks = revision.steps.filter((s) => s.stage === 'monitor');
    expect(checks.length).toBe(10);
    expect(checks.at(-1)).toMatchObject({ name: 'check-14', status: 'failed', exitCode: 1 });
    expect(revision.checks).toEqual({ total: 14, failed: 2 });
    expect(w.deployments.state('staging').incident).toContain('monitor failed 2 times in a row on #1 (checks 13–14; the last exited 1: axum logs staging#1 --step check-14)');
    expect(await w.deployments.readLog({ address: 'staging#1', step: 'check-14', offset: 0, limit: 100 })).toMatchObject({ data: 'check 14\n', complete: true });
    // A check that fell out of the ring is gone, log and all.
    expect(await w.deployments.readLog({ address: 'staging#1', step: 'check-1', offset: 0, limit: 100 })).toMatchObject({ code: 'not-found' });
    expect(w.logs.text(`monitor-staging-1-${Date.parse(revision.createdAt)}-1`, 'check')).toBe('');
    expect(w.logs.text(`monitor-staging-1-${Date.parse(revision.createdAt)}-5`, 'check')).toBe('check 5\n');
  });
  it('an automatic rollback whose monitor never passes is not rolled back again: no cascade of rollbacks and bad marks', async () => {
    const w = world(testConfig({ monitor: { run: 'health', every: '5ms', failures: 2 }, rollback: { auto: true } }));
    // From #3 on the cause is outside every release: each revision fails the monitor from its start.
    w.runner.script('health', (request) => ({ exitCode: Number(request.env.AXUM_REVISION) >= 3 ? 1 : 0 }));
    await w.ship();
    await w.ship();
    await w.ship();
    // #3 (rel-3) fails its monitor and is rolled back to #2 (rel-2); #4's monitor fails at once too.
    await vi.waitFor(() => expect(w.deployments.state('staging').incident).toContain('not rolled back again'), { timeout: 60_000, interval: 20 });
    await w.settle();
    expect(w.revision('staging', 4)).toMatchObject({ kind: 'auto-rollback', releaseId: 'rel-2' });
    // The monitor's incident marks rel-2 bad all the same: said, with how to clear it once the outside cause is fixed.
    expect(w.deployments.state('staging').incident).toMatch(/^monitor failed 2 times in a row on #4 \(.*\)/);
    expect(w.deployments.state('staging').incident).toContain(
      ') — not rolled back again, rel-2 marked bad: #4 is an automatic rollback whose monitor never passed, so the cause may be outside the release (once that is fixed: axum mark rel-2 good; axum rollback staging --to N goes further back)',
    );
    expect(w.release('rel-2').bad).not.toBeNull();
    expect(w.current()).toBe('rel-2');
    expect(w.release('rel-1').bad).toBeNull();
    expect(w.release('rel-3').bad).not.toBeNull();
  });
  it('an automatic rollback whose monitor has passed rolls back again on a later incident, as any other', async () => {
    const w = world(testConfig({ monitor: { run: 'health', every: '5ms', failures: 2 }, rollback: { auto: true } }));
    // #3 fails its monitor from the start; #4 (its automatic rollback) passes until everything breaks later.
    let everything = false;
    w.runner.script('health', (request) => ({ exitCode: everything || request.env.AXUM_REVISION === '3' ? 1 : 0 }));
    await w.ship();
    await w.ship();
    await w.ship();
    const passed = (revision: number) => w.revision('staging', revision).steps.some((s) => s.stage === 'monitor' && s.status === 'succeeded');
    await vi.waitFor(() => expect(passed(4)).toBe(true), { timeout: 60_000, interval: 20 });
    expect(w.revision('staging', 4)).toMatchObject({ kind: 'auto-rollback', releaseId: 'rel-2' });
    everything = true; // a new failure, later: news, so it rolls back
    await vi.waitFor(() => expect(w.current()).toBe('rel-1'), { timeout: 60_000, interval: 20 });
    await w.settle();
    expect(w.revision('staging', 5)).toMatchObject({ kind: 'auto-rollback', releaseId: 'rel-1' });
  });
});

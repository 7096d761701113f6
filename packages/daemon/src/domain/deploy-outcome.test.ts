import { describe, expect, it } from 'vitest';
import type { RevisionView } from '@axum/protocol';
import { deployAgainHint, deployOutcomeOf, revisionHealth, type ReleaseStanding } from './deploy-outcome.js';

/** A release that may deploy, with another one live. */
const usable: ReleaseStanding = { unusable: false, liveReleaseId: 'rel-1' };

const rev = (revision: number, releaseId: string, accuracy: number, gateLkg: number | null): RevisionView => ({
  revision,
  status: 'live',
  kind: 'deploy',
  releaseId,
  commit: `${releaseId}-commit`,
  rollbackTo: null,
  verified: true,
  createdAt: 't',
  finishedAt: 't',
  by: 'test',
  message: null,
  runId: null,
  metrics: { accuracy },
  gates: [{ metric: 'accuracy', op: '>=', threshold: 0.8, value: accuracy, lkgValue: gateLkg, verdict: 'pass', reason: null, expression: '>= 0.8' }],
  steps: [],
  checks: { total: 0, failed: 0 },
});

/** Releases whose build wrote no metric. */
const noBuild = () => ({});

describe('revisionHealth', () => {
  it('puts the live metric beside the LKG the LKG column names, not the value its gate saw at verification', () => {
    const live = rev(4, 'rel-4', 0.93, 0.97);
    expect(revisionHealth(live, rev(2, 'rel-2', 0.91, null), noBuild).liveMetric).toEqual({ name: 'accuracy', value: 0.93, lkgValue: 0.91 });
  });

  it('leaves the LKG value out when the live release is the LKG (after a rollback, or once verified)', () => {
    const rolledBackTo = rev(5, 'rel-1', 0.9, 0.97);
    expect(revisionHealth(rolledBackTo, rolledBackTo, noBuild).liveMetric).toEqual({ name: 'accuracy', value: 0.9, lkgValue: null });
    expect(revisionHealth(rolledBackTo, rev(1, 'rel-1', 0.9, null), noBuild).liveMetric?.lkgValue).toBeNull();
  });

  it("reads a metric no verify step wrote as the build's, as gates do: also on a revision no gate judged (an approval of a paused one)", () => {
    const live = { ...rev(4, 'rel-4', 0.93, null), metrics: {} }; // its gate's value was the build's
    const accepted = { ...rev(2, 'rel-2', 0.91, null), metrics: {}, gates: [] };
    const builds: Record<string, Record<string, number>> = { 'rel-4': { accuracy: 0.93 }, 'rel-2': { accuracy: 0.91 } };
    expect(revisionHealth(live, accepted, (r) => builds[r.releaseId] ?? {}).liveMetric).toEqual({ name: 'accuracy', value: 0.93, lkgValue: 0.91 });
  });

  it('has no metric and no check when nothing is live', () => {
    expect(revisionHealth(null, rev(1, 'rel-1', 0.9, null), noBuild)).toEqual({ liveMetric: null, lastCheck: null });
  });
});

describe("a run's deploy outcome", () => {
  it('is inconclusive, not failed, when its verification could not decide (it serves, paused)', () => {
    const inconclusive = { ...rev(3, 'rel-3', 0.9, null), status: 'failed' as const, message: 'inconclusive: accuracy = 0.9, gate >= lkg - 0.05: no last known good value; staging is paused' };
    expect(deployOutcomeOf('staging', inconclusive, usable)).toEqual({ outcome: 'inconclusive', message: 'built rel-3; staging #3 inconclusive: accuracy = 0.9, gate >= lkg - 0.05: no last known good value; staging is paused' });
    expect(deployOutcomeOf('staging', { ...inconclusive, message: 'gates failed: accuracy = 0.4' }, usable).outcome).toBe('failed');
  });

  it('is interrupted, not failed, when a daemon restart cut the deploy short, and says how to deploy it again', () => {
    const cut = { ...rev(14, 'rel-32', 0.9, null), status: 'failed' as const, message: 'interrupted by a daemon restart while verifying' };
    expect(deployOutcomeOf('dev', cut, usable)).toEqual({ outcome: 'interrupted', message: 'built rel-32; dev #14 interrupted by a daemon restart while verifying (axum deploy dev --release rel-32 deploys it again)' });
    // A rollback cut short is finished or undone by recovery itself: no deploy to advise.
    expect(deployOutcomeOf('dev', { ...cut, kind: 'rollback' }, usable).outcome).toBe('failed');
  });
  it('asks for --again when the release cut short is live (a redeploy of it), and gives no way when no deploy would take it', () => {
    const cut = { ...rev(14, 'rel-32', 0.9, null), status: 'failed' as const, message: 'interrupted by a daemon restart while verifying' };
    expect(deployOutcomeOf('dev', cut, { unusable: false, liveReleaseId: 'rel-32' }).message).toBe('built rel-32; dev #14 interrupted by a daemon restart while verifying (axum deploy dev --release rel-32 --again deploys it again)');
    expect(deployOutcomeOf('dev', cut, { unusable: true, liveReleaseId: 'rel-1' })).toEqual({ outcome: 'interrupted', message: 'built rel-32; dev #14 interrupted by a daemon restart while verifying' });
  });
});

describe('the way to deploy again a release a daemon restart cut short', () => {
  it.each([
    [{ unusable: false, liveReleaseId: null }, 'axum deploy dev --release rel-3 deploys it again'],
    [{ unusable: false, liveReleaseId: 'rel-2' }, 'axum deploy dev --release rel-3 deploys it again'],
    [{ unusable: false, liveReleaseId: 'rel-3' }, 'axum deploy dev --release rel-3 --again deploys it again'],
    [{ unusable: true, liveReleaseId: 'rel-3' }, null],
    [{ unusable: true, liveReleaseId: null }, null],
  ])('with %o is %s', (standing, hint) => {
    expect(deployAgainHint('dev', 'rel-3', standing)).toBe(hint);
  });
});

import { describe, expect, it } from 'vitest';
import type { RequestMethod, RevisionView } from '@axum/protocol';
import { describePending, failureNotice, performAction, type Requester } from './actions.js';
import { levelOf } from './notices.js';

const revision = (status: RevisionView['status'], message: string | null = null): RevisionView => ({
  revision: 7,
  status,
  kind: 'rollback',
  releaseId: 'rel-9',
  commit: '1f7c4bd2a2b0e7a2ac8c0e5d5f60f8f23fa0ee11',
  rollbackTo: 3,
  verified: status === 'live',
  createdAt: '2026-11-29T10:05:00.000Z',
  finishedAt: '2026-11-29T10:05:09.000Z',
  by: 'axum TUI',
  message,
  runId: null,
  metrics: {},
  gates: [],
  steps: [],
  checks: { total: 0, failed: 0 },
});

/** A requester that records each call and answers from `answers` by method. */
function fakeRequester(answers: Partial<Record<RequestMethod, unknown>>) {
  const calls: { method: RequestMethod; params: unknown }[] = [];
  const request = ((method: RequestMethod, params: unknown) => {
    calls.push({ method, params });
    return method in answers ? Promise.resolve(answers[method]) : Promise.reject(Object.assign(new Error(`no ${method} here`), { code: 'not-found' }));
  }) as Requester;
  return { request, calls };
}

describe('performAction', () => {
  it('rolls back with the action’s target and words a live result', async () => {
    const { request, calls } = fakeRequester({ 'env.rollback': revision('live') });
    await expect(performAction(request, { kind: 'rollback', env: 'staging', to: 3, force: false })).resolves.toBe('staging: rolled back, #7 live and verified (pinned)');
    expect(calls).toEqual([{ method: 'env.rollback', params: expect.objectContaining({ env: 'staging', to: 3, force: false }) }]);
  });

  it('says FAILED with the reason when the revision did not verify', async () => {
    const { request } = fakeRequester({ 'env.approve': revision('failed', 'gate accuracy: 0.4 < 0.8') });
    await expect(performAction(request, { kind: 'approve', env: 'production' })).resolves.toBe('production: #7 FAILED: gate accuracy: 0.4 < 0.8');
  });

  it('names the queued run of a trigger', async () => {
    const { request, calls } = fakeRequester({ 'run.trigger': { id: 'run-12' } });
    await expect(performAction(request, { kind: 'trigger', branch: 'main' })).resolves.toBe('run-12 queued on main');
    expect(calls[0]).toEqual({ method: 'run.trigger', params: { branch: 'main', by: expect.stringMatching(/^\S+ via the TUI$/), force: false, again: false } });
  });

  it('says when the run of that head was queued or running already', async () => {
    const { request } = fakeRequester({ 'run.trigger': { id: 'run-12', status: 'running', commit: '1a2b3c4d5e', existing: true } });
    await expect(performAction(request, { kind: 'trigger', branch: 'main' })).resolves.toBe('run-12 is already running for main 1a2b3c4d');
  });

  it('says when the run of that head built it already', async () => {
    const { request } = fakeRequester({ 'run.trigger': { id: 'run-12', status: 'succeeded', commit: '1a2b3c4d5e', existing: true } });
    await expect(performAction(request, { kind: 'trigger', branch: 'main' })).resolves.toBe('run-12 already built main 1a2b3c4d (succeeded): nothing new queued');
  });

  it('promotes and says which release went where', async () => {
    const { request, calls } = fakeRequester({ 'env.promote': { ...revision('live'), kind: 'deploy', releaseId: 'rel-4' } });
    await expect(performAction(request, { kind: 'promote', from: 'staging', to: 'production', releaseId: 'rel-4', force: false })).resolves.toBe('production: rel-4 promoted from staging, #7 live and verified');
    expect(calls[0]).toEqual({ method: 'env.promote', params: expect.objectContaining({ from: 'staging', to: 'production', force: false }) });
  });

  it('unpin says what it deployed, or that no release waits', async () => {
    const deployed = fakeRequester({ 'env.pin': { deployed: { ...revision('live'), releaseId: 'rel-9', revision: 6 } } });
    await expect(performAction(deployed.request, { kind: 'pin', env: 'production', pinned: false })).resolves.toBe('production unpinned; deployed rel-9 as #6 (live, verified)');
    const unsure = fakeRequester({ 'env.pin': { deployed: { ...revision('failed'), releaseId: 'rel-9', revision: 6, message: 'inconclusive: check err: …' } } });
    await expect(performAction(unsure.request, { kind: 'pin', env: 'production', pinned: false })).resolves.toBe('production unpinned; rel-9 as #6 inconclusive: check err: …');
    const none = fakeRequester({ 'env.pin': { deployed: null } });
    await expect(performAction(none.request, { kind: 'pin', env: 'production', pinned: false })).resolves.toBe('production unpinned; no release waits (the next succeeded run deploys)');
    // approval: manual — the next run's release waits for approval, it does not deploy.
    const manual = fakeRequester({ 'env.pin': { deployed: null, approval: 'manual' } });
    await expect(performAction(manual.request, { kind: 'pin', env: 'production', pinned: false })).resolves.toBe('production unpinned; no release waits (the next succeeded run waits for approval)');
  });

  it('marks a release with its reason, and words a cleared mark', async () => {
    const { request, calls } = fakeRequester({ 'release.mark': { id: 'rel-4', bad: { why: 'marked in the TUI by ana', by: 'x', at: 't' } } });
    await expect(performAction(request, { kind: 'mark', releaseId: 'rel-4', mark: 'bad', reason: 'marked in the TUI by ana' })).resolves.toBe('rel-4 marked bad: marked in the TUI by ana');
    expect(calls[0]?.params).toMatchObject({ releaseId: 'rel-4', mark: 'bad', reason: 'marked in the TUI by ana' });
    const cleared = fakeRequester({ 'release.mark': { id: 'rel-4', bad: null } });
    await expect(performAction(cleared.request, { kind: 'mark', releaseId: 'rel-4', mark: 'good', reason: null })).resolves.toBe('rel-4: bad mark cleared');
  });

  it('passes a refusal on as a rejection, for the caller to show', async () => {
    const { request } = fakeRequester({});
    await expect(performAction(request, { kind: 'cancel', runId: 'run-4' })).rejects.toThrow('no run.cancel here');
    expect(describePending({ kind: 'cancel', runId: 'run-4' })).toBe('cancelling run-4');
  });

  it('words a request the daemon never answered as no answer, not as a refusal (and holds the footer)', () => {
    const frozen = 'the daemon stopped answering (no reply for 15 s): what was asked may or may not have happened';
    expect(failureNotice(frozen, true)).toBe(`no answer: ${frozen}`);
    expect(levelOf(failureNotice(frozen, true))).toBe('high');
    expect(failureNotice('#6 has the release that is live already', false)).toBe('refused: #6 has the release that is live already');
  });
});

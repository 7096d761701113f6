import { describe, expect, it } from 'vitest';
import { integrityRefusalText, type EnvironmentView, type RevisionView } from '@axum/protocol';
import { revisionSentence } from './environments.js';
import { parseAtTime } from './history.js';
import { alsoLiveText, markedBadLine } from './rollback-mark-words.js';

const revision = (over: Partial<RevisionView>): RevisionView => ({
  revision: 5,
  status: 'live',
  kind: 'deploy',
  releaseId: 'rel-4',
  commit: '1a2b3c4d5e6f7a8b',
  rollbackTo: null,
  verified: true,
  createdAt: 't',
  finishedAt: 't',
  by: 'ana via axum deploy',
  message: null,
  runId: null,
  metrics: {},
  gates: [],
  steps: [],
  checks: { total: 0, failed: 0 },
  ...over,
});

describe('revisionSentence', () => {
  it('says what a deploy came to in a sentence, with the environment', () => {
    expect(revisionSentence('production', revision({}))).toBe('production #5: deployed rel-4 (1a2b3c4d), live and verified');
    expect(revisionSentence('dev', revision({ verified: false }))).toBe('dev #5: deployed rel-4 (1a2b3c4d), live, not verified');
  });

  it('names the revision a rollback went back to and its release, and a failure with its reason', () => {
    expect(revisionSentence('staging', revision({ kind: 'rollback', rollbackTo: 1, releaseId: 'rel-1' }))).toBe('staging #5: rolled back to #1 — rel-1 (1a2b3c4d), live and verified');
    // The daemon's message for a rollback restates it: said once, not `… — rolled back to #1`.
    expect(revisionSentence('staging', revision({ kind: 'rollback', rollbackTo: 1, releaseId: 'rel-1', message: 'rolled back to #1' }))).toBe('staging #5: rolled back to #1 — rel-1 (1a2b3c4d), live and verified');
    expect(revisionSentence('staging', revision({ status: 'failed', verified: false, message: 'verify step smoke exited 1' }))).toBe(
      'staging #5: deployed rel-4 (1a2b3c4d), failed — verify step smoke exited 1',
    );
    // The command's answer says the reason once, on stderr: not again on stdout.
    expect(revisionSentence('staging', revision({ status: 'failed', verified: false, message: 'verify step smoke exited 1' }), true)).toBe('staging #5: deployed rel-4 (1a2b3c4d), failed');
    // Inconclusive is not failed: it serves, paused.
    expect(revisionSentence('staging', revision({ status: 'failed', verified: false, message: 'inconclusive: accuracy = 0.9; staging is paused' }), true)).toBe('staging #5: deployed rel-4 (1a2b3c4d), inconclusive (paused)');
  });

  it('says a revision refused at the integrity check was refused, not deployed (nothing moved)', () => {
    const refused = { status: 'failed' as const, verified: false, message: integrityRefusalText('rel-4', 'files/model.bin changed since it was stored') };
    expect(revisionSentence('dev', revision(refused), true)).toBe('dev #5: refused rel-4 (1a2b3c4d): it failed its integrity check, nothing moved');
    expect(revisionSentence('dev', revision(refused))).toBe('dev #5: refused rel-4 (1a2b3c4d): it failed its integrity check: files/model.bin changed since it was stored');
    expect(revisionSentence('staging', revision({ ...refused, kind: 'rollback', rollbackTo: 2 }), true)).toBe('staging #5: refused the rollback to #2 — rel-4 (1a2b3c4d): it failed its integrity check, nothing moved');
  });
});

describe('markedBadLine', () => {
  const env = (name: string, live: { revision: number; releaseId: string } | null) => ({ name, live: live && { ...live, commit: 'c'.repeat(40) } }) as unknown as EnvironmentView;
  it('names where else the release it marked bad is live, and that it keeps serving there', () => {
    const envs = [env('dev', { revision: 3, releaseId: 'rel-1' }), env('staging', { revision: 2, releaseId: 'rel-7' }), env('production', { revision: 2, releaseId: 'rel-7' })];
    expect(markedBadLine('rel-7', 'dev', envs)).toBe('rel-7 marked bad (axum mark rel-7 good clears it); it is also live in staging #2, production #2 and keeps serving there');
    expect(markedBadLine('rel-7', 'staging', [env('staging', { revision: 3, releaseId: 'rel-1' }), env('production', null)])).toBe('rel-7 marked bad (axum mark rel-7 good clears it)');
  });
  it('says where the mark leaves another environment without its last known good, or names the older one', () => {
    const live = { revision: 1, releaseId: 'rel-8', commit: 'c'.repeat(40) };
    const production = { ...env('production', live), lastKnownGood: live, ifLastKnownGoodMarked: { lastKnownGood: null, othersMarkedBad: false } } as EnvironmentView;
    const envs = [env('staging', { revision: 4, releaseId: 'rel-8' }), production];
    expect(markedBadLine('rel-8', 'staging', envs)).toBe(
      'rel-8 marked bad (axum mark rel-8 good clears it); it is also live in production #1 and keeps serving there; production then has no last known good to roll back to: rel-8 was its only verified release',
    );
    expect(alsoLiveText('rel-8', 'staging', envs)).toBe(
      ' everywhere, though it is live in production #1 too (it keeps serving there, marked bad); production then has no last known good to roll back to: rel-8 was its only verified release',
    );
    const older = { ...production, ifLastKnownGoodMarked: { lastKnownGood: { revision: 1, releaseId: 'rel-3', commit: 'd'.repeat(40) }, othersMarkedBad: false } } as EnvironmentView;
    expect(markedBadLine('rel-8', 'staging', [envs[0]!, older])).toContain("; production's last known good then becomes #1 (rel-3)");
    const othersBad = { ...production, ifLastKnownGoodMarked: { lastKnownGood: null, othersMarkedBad: true } } as EnvironmentView;
    expect(markedBadLine('rel-8', 'staging', [envs[0]!, othersBad])).toContain('; production then has no last known good to roll back to: its other verified releases are marked bad');
  });
});

describe('parseAtTime', () => {
  it('reads a time without a zone as UTC, as the tables print it; a named zone as named', () => {
    expect(parseAtTime('2026-12-04 14:17:30')).toBe(Date.UTC(2026, 11, 4, 14, 17, 30));
    expect(parseAtTime('2026-12-04T14:17')).toBe(Date.UTC(2026, 11, 4, 14, 17));
    expect(parseAtTime('2026-12-04T14:17:00+01:00')).toBe(Date.UTC(2026, 11, 4, 13, 17));
    expect(parseAtTime('2026-12-04T14:17:00Z')).toBe(Date.UTC(2026, 11, 4, 14, 17));
    expect(parseAtTime('soon')).toBeNaN();
  });
});

import { describe, expect, it } from 'vitest';
import type { RevisionView } from '@axum/protocol';
import { revisionSentence } from './environments.js';

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
  });
});

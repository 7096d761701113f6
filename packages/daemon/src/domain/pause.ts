// The pause (ARCHITECTURE.md, glossary: Inconclusive): a verification or monitor check that neither
// passed nor failed stops the environment's automatic actions until a person decides, as Argo
// Rollouts pauses a rollout on an inconclusive analysis. Pure rules over the environment document.
import { approvalScopeText, type RevisionView } from '@axum/protocol';
import type { EnvironmentDocument } from './revisions.js';

/** Pauses the environment over `revision`; a pause already set keeps its first reason (the one a person is asked about). */
export function pause(doc: EnvironmentDocument, revision: number, reason: string, since: string): boolean {
  if (doc.paused) return false;
  doc.paused = { since, revision, reason };
  return true;
}

/**
 * Lifts the pause: the release it held back moves to the queue (unless a pin still holds it), so it
 * deploys next — also after a restart, since the queue is in the same document. Returns how to put
 * everything back, for an answer refused before anything was recorded.
 */
export function liftPause(doc: EnvironmentDocument): () => void {
  const before = { paused: doc.paused, heldReleaseId: doc.heldReleaseId, queuedReleaseId: doc.queuedReleaseId };
  if (!doc.paused) return () => undefined;
  doc.paused = null;
  if (!doc.pinned && doc.heldReleaseId) {
    doc.queuedReleaseId = doc.heldReleaseId;
    doc.heldReleaseId = null;
  }
  return () => Object.assign(doc, before);
}

/** What holds a new commit's release back from deploying by itself: a pin first (it is the older, explicit act), else a pause. */
export function holdOf(doc: EnvironmentDocument): 'pin' | 'pause' | null {
  return doc.pinned ? 'pin' : doc.paused ? 'pause' : null;
}

/**
 * A person's `axum approve` of a paused environment, as a revision of its own: the release `current`
 * serves already, now live and verified by them. A new revision (not the failed one rewritten) keeps
 * history truthful — #N failed inconclusive, #N+1 accepted by ana — and `current` already names its
 * release, so history and `current` agree without moving anything. Its metrics are the accepted
 * revision's, so later gates compare with what was measured. The message says the approval is
 * `env`'s only: another environment verifies the release again and is paused there on its own.
 */
export function acceptanceRevision(doc: EnvironmentDocument, env: string, serving: RevisionView, number: number, by: string, at: string): RevisionView {
  const why = doc.paused && doc.paused.revision === serving.revision ? doc.paused.reason : 'paused';
  return {
    ...{ revision: number, status: 'live', kind: 'deploy', releaseId: serving.releaseId, commit: serving.commit, rollbackTo: null, verified: true },
    ...{ createdAt: at, finishedAt: at, by, runId: serving.runId, metrics: { ...serving.metrics }, gates: [], steps: [], checks: { total: 0, failed: 0 } },
    message: `accepted #${serving.revision} as live and verified (approved by ${by} after: ${why}); ${approvalScopeText(env)}`,
  };
}

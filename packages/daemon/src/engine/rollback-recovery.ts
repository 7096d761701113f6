// A manual rollback cut short by a crash (ARCHITECTURE.md, "Crash safety"): finished or undone as
// one whole, so its marks, pin and pointer agree afterwards. Finishing is what the user asked for;
// it is undone only when its target can no longer be made live.
import type { RevisionView } from '@axum/protocol';
import { nextRevisionNumber, servingRevision } from '../domain/revisions.js';
import { markedBy, rollbackMark } from './deploy-records.js';
import type { DeployState } from './deploy-state.js';

/** What finishing a rollback needs of the environment's operations. */
export interface RollbackHost {
  operate(env: string, releaseId: string, kind: RevisionView['kind'], rollbackTo: number | null, by: string): Promise<unknown>;
  /** Counts the finishing rollback as the environment's operation (`idle` waits for it). */
  track(env: string, work: Promise<void>): void;
}

/** Why the rollback's target cannot be made live any more, or null when it can. */
async function targetProblem(state: DeployState, cut: RevisionView): Promise<string | null> {
  const target = state.release(cut.releaseId);
  if (!target) return `its release ${cut.releaseId} is gone (pruned)`;
  // Marked bad since the rollback began: its own verification failed it before the crash. A mark
  // older than the rollback was there when the user asked (with --force): it does not stop it.
  if (target.bad && target.bad.at >= cut.createdAt) return `${target.id} failed: ${target.bad.why}`;
  return state.deps.releases.check(target);
}

/**
 * The rollback `cut` (already `failed`, interrupted) goes on as a new rollback revision to the same
 * target: the pointer may already name it, the release it leaves is (or will be) marked bad, the
 * pin stays. Returns null once it goes on, or why its target is unusable: the caller then undoes
 * it (`undoRollback`).
 */
export async function finishRollback(state: DeployState, env: string, cut: RevisionView, host: RollbackHost): Promise<string | null> {
  const problem = await targetProblem(state, cut);
  if (problem) return problem;
  const doc = await state.docOf(env);
  const next = nextRevisionNumber(doc);
  // The pin this rollback set now belongs to the revision that finishes it (undone with it, if it is cut short too).
  if (doc.pinned?.rollback === cut.revision) doc.pinned.rollback = next;
  cut.message = `${cut.message}; finished by #${next}`;
  doc.incident = `rollback #${cut.revision} interrupted by a daemon restart; finished by #${next} (rollback to #${cut.rollbackTo})`;
  state.deps.logger.warn(`${env}: ${doc.incident}`);
  await state.persist(env);
  host.track(env, host.operate(env, cut.releaseId, 'rollback', cut.rollbackTo, cut.by).then(() => undefined));
  return null;
}

/**
 * Undoes what the rollback `cut` changed besides the pointer (which recovery puts back on the live
 * revision): the bad mark it put on the release it was leaving, and the pin it set. Returns what it undid.
 */
export async function undoRollback(state: DeployState, env: string, cut: RevisionView): Promise<string[]> {
  const doc = await state.docOf(env);
  const left = servingRevision(doc)?.revision ?? null; // what it was leaving: live, or serving though failed
  const leftRelease = left ? state.release(left.releaseId) : undefined;
  const undone: string[] = [];
  if (left && leftRelease?.bad?.why === rollbackMark(left.revision, cut.rollbackTo)) {
    await state.mark(leftRelease, 'good', markedBy('rollback', env, cut.revision), 'undone: the rollback was cut short by a daemon restart and could not be finished');
    undone.push(`${leftRelease.id} is no longer marked bad`);
  }
  if (doc.pinned?.rollback === cut.revision) {
    doc.pinned = null;
    undone.push(`${env} is no longer pinned`);
  }
  return undone;
}

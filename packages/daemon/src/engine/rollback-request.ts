// `axum rollback`: a person takes an environment back to an earlier revision, and pins it so the
// next commit does not undo that; refused, or undone, nothing of it remains.
import type { RevisionView } from '@axum/protocol';
import { liftPause } from '../domain/pause.js';
import { lastKnownGood, liveRevision, nextRevisionNumber, nothingMoved, rollbackRefusal, servingRevision } from '../domain/revisions.js';
import type { DeployState } from './deploy-state.js';
import type { EnvironmentCoordinator } from './environment-coordinator.js';
import { busyRefusal } from './environment-holds.js';
import { RequestFailure } from './pipeline.js';
import { requestRecords } from './unsaved-requests.js';

/** Rolls `env` back to revision `to` (null: the last known good other than the live release) and pins it. */
export async function rollbackRequest(state: DeployState, environments: EnvironmentCoordinator, env: string, to: number | null, force: boolean, by: string): Promise<RevisionView | RequestFailure> {
  const { docOf, release, unusable, now, deps } = state;
  const doc = await docOf(env);
  const busy = environments.hold(env);
  if (busy) return busyRefusal(env, busy);
  const target = to === null ? (lastKnownGood(doc, unusable) ?? undefined) : doc.revisions.find((r) => r.revision === to);
  const live = liveRevision(doc);
  const refusal = rollbackRefusal(doc, target, to, target ? release(target.releaseId)?.bad : undefined, force, live ? unusable(live.releaseId) : false);
  if (refusal || !target) return new RequestFailure('refused', refusal ?? 'nothing to roll back to');
  // A rollback must not be undone by the next commit: pin until `axum unpin` (before the
  // pointer moves, so no queued deploy slips in; undone if the rollback is refused).
  // An earlier pin stays as it is; a pin this rollback sets names its revision (the number
  // `operate` gives it next: nothing else records a revision without holding the environment).
  const records = requestRecords(env, doc, environments, deps.publish);
  const pinnedBefore = doc.pinned;
  const servingBefore = servingRevision(doc)?.revision ?? null;
  doc.pinned = pinnedBefore ?? { by, at: now(), rollback: nextRevisionNumber(doc) };
  const unpause = liftPause(doc); // a person decided; a release the pause held stays held, by the pin now
  // Its revision never reached the disk: memory is put back as the records are, pin and pause too.
  const result = records.operated(`the rollback of ${env}`, await environments.operate(env, target.releaseId, 'rollback', target.revision, by));
  // Refused, or undone after an error of the machine: what was live still is, so the pin it
  // set goes too (pointer, marks and pin agree: nothing of the rollback remains).
  if (!records.putBack && nothingMoved(doc, servingBefore, result instanceof RequestFailure ? null : result)) {
    doc.pinned = pinnedBefore;
    unpause();
    // Recorded, then undone, and the disk filled meanwhile: the records hold the revision cut
    // short, which the next start finishes or undoes as a crash's; the answer says why.
    return (await records.save(`the rollback of ${env}`)) ?? result;
  }
  return result;
}

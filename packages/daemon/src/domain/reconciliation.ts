// Reconciliation (ARCHITECTURE.md, glossary: Live): `current` names the release history says is
// serving. The comparison is pure; engine/reconciliation.ts reads both facts and records a
// disagreement as the environment's incident — it never repairs one.
import type { RevisionView } from '@axum/protocol';

/** What `current` is on disk: the release it names, and whether that folder still exists. Null: no `current`. */
export interface CurrentPointer {
  releaseId: string;
  present: boolean;
}

/** Every disagreement starts so: the incident line says what kind it is, and a later agreement clears only these. */
export const DISAGREEMENT = 'current and history disagree: ';

/**
 * Why `current` and the history disagree, with both facts, or null when they agree. History says
 * the live revision's release is serving; with nothing live, nothing — or the release of a
 * revision that failed since the last live one and still serves (`rollback.auto: false`: *serving,
 * failed*, which its own incident says).
 */
export function currentDisagreement(revisions: readonly RevisionView[], current: CurrentPointer | null): string | null {
  const live = revisions.findLast((r) => r.status === 'live') ?? null;
  const newest = revisions.at(-1);
  // A failed revision since the last one that was live (a refusal after it moved nothing).
  const sinceLive = revisions.slice(revisions.findLastIndex((r) => r.status === 'superseded') + 1);
  const servingFailed = !live && sinceLive.some((r) => r.status === 'failed' && r.releaseId === current?.releaseId);
  const failedLast = !live && newest?.status === 'failed' ? ` (#${newest.revision} (${newest.releaseId}) failed)` : '';
  const history = live ? `history says #${live.revision} (${live.releaseId}) is live` : `history says nothing is live${failedLast}`;
  if (current === null) return live ? `${DISAGREEMENT}current is missing but ${history}` : null;
  if (!current.present) return `${DISAGREEMENT}current names ${current.releaseId}, whose folder is gone; ${history}`;
  if (live ? current.releaseId === live.releaseId : servingFailed) return null;
  return `${DISAGREEMENT}current names ${current.releaseId} but ${history}`;
}

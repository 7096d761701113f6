// Reconciliation (ARCHITECTURE.md, glossary: Live): `current` names the release history says is
// serving. The comparison is pure; engine/reconciliation.ts reads both facts and records a
// disagreement as the environment's incident — it never repairs one.
import type { RevisionView } from '@axum/protocol';

/** What `current` is on disk: the release it names, and whether that folder still exists. Null: no `current`. */
export interface CurrentPointer {
  releaseId: string;
  present: boolean;
  /** The link's target when it is no release's folder (a link made by hand to anywhere else). */
  foreign?: string;
}

/** Every disagreement starts so: the incident line says what kind it is, and a later agreement clears only these. */
export const DISAGREEMENT = 'current and history disagree: ';

/**
 * Why `current` and the history disagree, with both facts, or null when they agree. `serving` is
 * what history says `current` serves (`servingRevision`): the live revision, or one *serving,
 * failed*; null when nothing serves, and then `current` must name nothing.
 */
export function currentDisagreement(serving: { revision: RevisionView; failed: boolean } | null, current: CurrentPointer | null, env?: string): string | null {
  const history = serving ? `history says #${serving.revision.revision} (${serving.revision.releaseId}) ${serving.failed ? 'failed and serves' : 'is live'}` : 'history says nothing is live';
  // With no release's folder behind `current`, or another release's, what serves is not what history
  // says was verified: say how to serve that one again (or go back, as any rollback does).
  const putBack = serving && env !== undefined ? ` (to serve it again: axum deploy ${env} --release ${serving.revision.releaseId} --again, or axum rollback ${env})` : '';
  if (current === null) return serving ? `${DISAGREEMENT}current is missing but ${history}${putBack}` : null;
  if (current.foreign !== undefined) return `${DISAGREEMENT}current names ${current.foreign}, which is no release folder; ${history}${putBack}`;
  if (!current.present) return `${DISAGREEMENT}current names ${current.releaseId}, whose folder is gone; ${history}`;
  if (current.releaseId === serving?.revision.releaseId) return null;
  return `${DISAGREEMENT}current names ${current.releaseId} but ${history}${putBack}`;
}

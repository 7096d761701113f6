// Release retention (`history.keepReleases`): what may go, and the order that keeps a crash safe
// (the history stops naming a release before its files are deleted).
import { lastKnownGood, liveRevision, releasesToPrune, servingRevision } from '../domain/revisions.js';
import type { DeployState } from './deploy-state.js';
import { pruneOperationLogs } from './operation-log-retention.js';

/** `history.keepReleases`: drops old unreferenced releases and the stored files only they used. */
export async function pruneReleases(state: DeployState): Promise<void> {
  const { deps, unusable } = state;
  const releasesDoc = state.releasesDoc();
  const referenced = new Set<string>();
  // Every environment with records, declared by the working tree's axum.yml or not: a branch
  // checked out without it must not cost it its live release (ARCHITECTURE.md, glossary: Records).
  const docs = await Promise.all(state.environments().map((env) => state.docOf(env)));
  for (const doc of docs) {
    const live = liveRevision(doc);
    if (live) referenced.add(live.releaseId);
    // What `current` serves though it failed (a paused environment's, which `approve` may keep).
    const serving = servingRevision(doc);
    if (serving) referenced.add(serving.revision.releaseId);
    const lkg = lastKnownGood(doc, unusable);
    if (lkg) referenced.add(lkg.releaseId);
    if (doc.pendingReleaseId) referenced.add(doc.pendingReleaseId);
    // What a pin or a pause holds back: `unpin` or `approve` deploys it.
    if (doc.heldReleaseId) referenced.add(doc.heldReleaseId);
    for (const r of doc.revisions) if (r.status === 'deploying' || r.status === 'verifying') referenced.add(r.releaseId);
    if (doc.queuedReleaseId) referenced.add(doc.queuedReleaseId);
  }
  const drop = new Set(releasesToPrune(releasesDoc.releases, state.config()?.history?.keepReleases ?? 50, referenced));
  if (drop.size === 0) return;
  const dropped = releasesDoc.releases.filter((r) => drop.has(r.id));
  releasesDoc.releases = releasesDoc.releases.filter((r) => !drop.has(r.id));
  await deps.releasesStore.save(releasesDoc);
  deps.crash('retention.recorded');
  await deps.releases.prune(releasesDoc.releases, dropped);
  deps.crash('retention.pruned');
  // The hosts of remote environments drop the same folders (after the records, as locally).
  const kept = releasesDoc.releases.map((r) => r.id);
  await Promise.all(state.environments().map((env) => state.fleet.prune(env, kept)));
  // The revisions of a pruned release keep their records; their logs go with the release.
  const revisions = await pruneOperationLogs(state, drop);
  deps.logger.info(`release retention: pruned ${dropped.map((r) => r.id).join(', ')}${revisions > 0 ? ` and the logs of ${revisions} revision(s)` : ''}`);
}

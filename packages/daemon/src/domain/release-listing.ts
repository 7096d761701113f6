import type { ReleaseListing, ReleaseView } from '@axum/protocol';
import { servingRevision, type EnvironmentDocument } from './revisions.js';

/**
 * `axum releases`: every release newest first, with the environments whose `current` serves it,
 * the revisions that verified it (in any environment), and the bytes of its artifacts. With `env`,
 * only the releases that environment has had a revision of. Environments are listed in `docs`'s
 * order (axum.yml's), as `axum status` lists them.
 */
export function listReleases(releasesOldestFirst: readonly ReleaseView[], docs: ReadonlyMap<string, EnvironmentDocument>, env?: string): ReleaseListing[] {
  const liveIn = new Map<string, string[]>();
  const verifiedIn = new Map<string, { env: string; revision: number }[]>();
  const deployedTo = new Map<string, Set<string>>();
  for (const [name, doc] of docs) {
    const serving = servingRevision(doc);
    if (serving) liveIn.set(serving.revision.releaseId, [...(liveIn.get(serving.revision.releaseId) ?? []), name]);
    for (const revision of doc.revisions) {
      const envs = deployedTo.get(revision.releaseId) ?? new Set<string>();
      envs.add(name);
      deployedTo.set(revision.releaseId, envs);
      if (revision.verified) verifiedIn.set(revision.releaseId, [...(verifiedIn.get(revision.releaseId) ?? []), { env: name, revision: revision.revision }]);
    }
  }
  return [...releasesOldestFirst]
    .reverse()
    .filter((release) => env === undefined || deployedTo.get(release.id)?.has(env) === true)
    .map((release) => ({
      ...release,
      liveIn: liveIn.get(release.id) ?? [],
      verifiedIn: verifiedIn.get(release.id) ?? [],
      size: release.artifacts.reduce((sum, artifact) => sum + artifact.size, 0),
    }));
}

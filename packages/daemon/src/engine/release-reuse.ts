// Build once, promote (docs/releases-and-rollback.md, "Build once, promote"): a run of a commit that already has a
// release made with the same config hands that release on instead of training again, so the bytes
// an environment gets are the bytes verified before it. Model training is not reproducible: a
// rebuild would be a different model.
import type { PipelineConfig, ReleaseView } from '@axum/protocol';
import type { RunRecord } from '../domain/history.js';
import type { DeployState } from './deploy-state.js';
import type { EnvironmentCoordinator } from './environment-coordinator.js';
import { NOT_VERIFIED_YET } from './run-deploys.js';

/** What a run's reuse came to: the release it handed on and the run's line, or nothing (build it); `warnings` either way. */
export interface Reuse {
  reused: { releaseId: string; message: string } | null;
  warnings: string[];
}

/** JSON with every object's keys sorted: two configs parsed from the same text compare equal, whatever their key order. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v,
  );
}

/**
 * The release to reuse for `commit` built with `config`: the newest recorded one of the same commit
 * and the same config snapshot (a release recorded before snapshots never matches: what it was
 * built with is unknown). Pruned releases are no longer recorded, so never reused.
 */
export function reusableRelease(releases: readonly ReleaseView[], commit: string, config: PipelineConfig): ReleaseView | undefined {
  const wanted = canonicalJson(config);
  return releases.findLast((r) => r.commit === commit && r.config !== null && canonicalJson(r.config) === wanted);
}

/** Where the release was last verified: the newest verified revision of it in any environment. */
function verifiedWhere(state: DeployState, releaseId: string): string | null {
  let newest: { at: string; where: string } | null = null;
  for (const [env, doc] of state.docs) {
    for (const revision of doc.revisions) {
      if (revision.releaseId !== releaseId || !revision.verified) continue;
      const at = revision.finishedAt ?? revision.createdAt;
      if (!newest || at >= newest.at) newest = { at, where: `${env} #${revision.revision}` };
    }
  }
  return newest?.where ?? null;
}

/**
 * Before a run's stages: when its commit already has a release with the same config whose stored
 * files are intact, the run hands that release on to its environment as if it had built it (deploy,
 * approval, pin, queue) and runs no stage. A release marked bad is refused (`refused-bad`) unless
 * the run was asked with `--force`. The run record gets `releaseId`, `reused` and `lead` here,
 * before the hand-on tells it anything, so every line about its deploy says it reused.
 */
export async function reuseRun(state: DeployState, environments: EnvironmentCoordinator, run: RunRecord, config: PipelineConfig): Promise<Reuse> {
  const env = run.env;
  // `axum run --rebuild` asks for a new build (a model trained again) of a commit that has a release.
  if (!env || run.trigger === 'watch' || config.promote === 'rebuild' || run.rebuild === true) return { reused: null, warnings: [] };
  // Serialized with retention: the files checked must not be pruned while they are read.
  const found = await state.serially(async () => {
    const release = reusableRelease(state.releasesDoc().releases, run.commit, config);
    if (!release) return null;
    const problem = await state.deps.releases.verifyHashes(release).catch((err: Error) => err.message);
    return { release, problem };
  });
  if (!found) return { reused: null, warnings: [] };
  const { release, problem } = found;
  if (problem !== null) return { reused: null, warnings: [`${release.id}'s stored files are missing or corrupt (${problem}): rebuilding`] };

  // Every environment's revisions, loaded: where it was verified may be an environment not opened yet.
  await Promise.all(state.environments().map((name) => state.docOf(name)));
  const where = verifiedWhere(state, release.id);
  run.releaseId = release.id;
  run.reused = true;
  run.lead = `reused ${release.id}${where ? `, verified on ${where}` : release.bad ? ' (not verified anywhere)' : NOT_VERIFIED_YET}`;
  if (release.bad && !run.force) {
    // Bad for every environment: a model that failed anywhere reaches nothing without --force.
    const message = `reused ${release.id}: refused, marked bad by ${release.bad.by}: ${release.bad.why} (axum run --force, axum run --rebuild to build it again, or axum mark ${release.id} good)`;
    state.deps.runDeploy(run.id, { env, revision: null, outcome: 'refused-bad' }, message);
    return { reused: { releaseId: release.id, message }, warnings: [] };
  }
  if (release.bad) run.lead += `, marked bad by ${release.bad.by} (forced)`;
  environments.noteTrigger(run.id, run.trigger, run.by);
  const message = await environments.handOn(env, release, { runId: run.id, lead: run.lead, ...(run.force ? { force: true } : {}) });
  return { reused: { releaseId: release.id, message }, warnings: [] };
}

// Start-up housekeeping of the release store: what a crash left behind (files stored but never
// recorded, releases recorded as pruned but never deleted, partial copies), swept only when the
// history was read whole, so that a lost releases.json never makes every release look unrecorded.
import type { DeployState } from './deploy-state.js';

/** Files a crash left in the release store (stored, never recorded; or recorded as pruned, never deleted). */
export async function sweepReleaseStore(state: DeployState, warning: string | null): Promise<void> {
  const { deps } = state;
  // Only against a history that loaded whole and names what every `current` points at: a
  // releases.json moved aside or missing must not make every release look unrecorded.
  const releases = state.releasesDoc().releases;
  const recorded = new Set(releases.map((r) => r.id));
  const envs = state.environments();
  const live = await Promise.all(envs.map((env) => deps.releases.currentReleaseId(state.envDir(env))));
  const unrecordedLive = live.filter((id): id is string => id !== null && !recorded.has(id));
  if (warning || releases.length === 0 || unrecordedLive.length > 0) {
    if (warning || unrecordedLive.length > 0) deps.logger.warn(`release store not swept: ${warning ? 'the releases history was not read whole' : `current names unrecorded release(s) ${unrecordedLive.join(', ')}`}`);
    return;
  }
  const swept = await deps.releases.sweep(releases).catch((err: Error) => {
    deps.logger.warn(`sweeping the release store: ${err.message}`);
    return { releases: [], blobs: 0 };
  });
  if (swept.releases.length > 0 || swept.blobs > 0) {
    deps.logger.info(`release store: removed ${swept.blobs} stored file(s) and ${swept.releases.length} release folder(s) no recorded release uses${swept.releases.length ? ` (${swept.releases.join(', ')})` : ''}`);
  }
}

/**
 * Copies a kill cut short (never complete, so never live, whatever the history says); then, from
 * a history read whole, a manifest for each release an older daemon recorded without one.
 */
export async function tidyFolders(state: DeployState, warning: string | null): Promise<void> {
  const { deps } = state;
  try {
    const removed = await deps.releases.sweepPartials();
    if (removed.length > 0) deps.logger.info(`release store: removed ${removed.length} partial cop(ies) a stop cut short (${removed.join(', ')})`);
    if (!warning) await deps.releases.describe(state.releasesDoc().releases);
  } catch (err) {
    deps.logger.warn(`tidying the release folders: ${(err as Error).message}`);
  }
}


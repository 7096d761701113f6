// Crash recovery of deployments (ARCHITECTURE.md, "Crash safety"): the rule kept is that `current`
// names the live revision's release, complete and hash-verified, or nothing.
import type { RevisionView } from '@axum/protocol';
import { lastKnownGood, liveRevision } from '../domain/revisions.js';
import type { DeploymentsCore } from './deployments.js';

/**
 * Crash safety: a revision still deploying or verifying was cut short by a crash. It becomes
 * `failed` with the reason, and `current` goes back to the last live release (complete and
 * verified) so no half-verified release stays in front of users.
 */
export async function recoverEnvironment(core: DeploymentsCore, env: string): Promise<void> {
  const { deps, docOf, storeOf, save, release, unusable, now } = core;
  const doc = await docOf(env);
  // Steps a crashed daemon left running (a verify, a monitor check) die with it, late but surely.
  const reaped = doc.pgids.filter((pgid) => deps.runner.reap(pgid));
  if (reaped.length > 0) deps.logger.warn(`${env}: killed process groups ${reaped.join(', ')} left by the previous daemon`);
  const hadProcesses = doc.pgids.length > 0;
  doc.pgids = [];
  // A deploy hook, verify step or monitor check the crash cut short: its log is the prefix it wrote.
  let cutSteps = false;
  for (const revision of doc.revisions) {
    for (const step of revision.steps) {
      if (step.status === 'running') step.status = 'interrupted';
      else if (step.status === 'pending') step.status = 'skipped';
      else continue;
      cutSteps = true;
    }
  }
  const cut = doc.revisions.filter((r) => r.status === 'deploying' || r.status === 'verifying');
  if (cut.length === 0) {
    if (hadProcesses || cutSteps) await storeOf(env).save(doc);
    return;
  }
  for (const revision of cut) {
    revision.message = `interrupted by a daemon restart while ${revision.status}`;
    revision.status = 'failed';
    revision.finishedAt = now();
  }
  // Back to the live revision; if a failed deploy had already demoted it (a crash during its
  // auto-rollback), to the last known good, which is what the rollback was going to do.
  const back = liveRevision(doc) ?? lastKnownGood(doc, unusable);
  const backRelease = back ? release(back.releaseId) : undefined;
  let outcome = 'nothing was live before it';
  if (!back && (await deps.releases.currentReleaseId(deps.envDir(env))) !== null) {
    // A first deploy cut short: what `current` names was never verified; nothing is safer.
    await deps.releases.clearCurrent(deps.envDir(env));
    outcome = 'nothing was live before it; current is removed';
  }
  if (back && backRelease) {
    const problem = await deps.releases.check(backRelease);
    if (problem) outcome = `#${back.revision} cannot be restored: ${problem}`;
    else {
      if ((await deps.releases.currentReleaseId(deps.envDir(env))) !== backRelease.id) {
        await deps.releases.swapCurrent(deps.envDir(env), await deps.releases.materialize(backRelease));
      }
      if (back.status !== 'live') {
        back.status = 'live'; // the last known good is what current names again
        back.message = `${back.message ? `${back.message}; ` : ''}restored after a daemon restart`;
      }
      outcome = `current is back on #${back.revision}`;
    }
  }
  doc.incident = `#${cut.map((r) => r.revision).join(', #')} interrupted by a daemon restart; ${outcome}`;
  deps.logger.warn(`${env}: ${doc.incident}`);
  await save(env);
}

/**
 * A crash between a failed deploy and its automatic rollback leaves the failed release in
 * `current` and nothing live: the new daemon does the rollback the dead one was about to do.
 */
export async function resumeAutoRollback(core: DeploymentsCore, env: string): Promise<void> {
  const { deps, docs, unusable, operate, settling } = core;
  const config = core.config();
  const doc = docs.get(env);
  const last = doc?.revisions.at(-1);
  if (!doc || !last || last.status !== 'failed' || last.kind === 'auto-rollback' || liveRevision(doc) || !config?.rollback?.auto) return;
  const lkg = lastKnownGood(doc, unusable);
  if (!lkg) {
    if (await withdrawFailed(core, env, last)) deps.logger.warn(`${env}: #${last.revision} failed and nothing is known good: current is removed`);
    return;
  }
  deps.logger.warn(`${env}: #${last.revision} failed and the daemon stopped before rolling back; rolling back to last known good #${lkg.revision}`);
  const resumed = operate(env, lkg.releaseId, 'auto-rollback', lkg.revision, `auto: #${last.revision} failed (resumed after a daemon restart)`)
    .then(() => undefined)
    .catch((err: Error) => deps.logger.error(`${env}: resumed auto-rollback: ${err.stack ?? err.message}`))
    .finally(() => settling.delete(env));
  settling.set(env, resumed);
}

/**
 * `rollback.auto` with no last known good: back to what was there before, nothing. `current`
 * names the live revision (DESIGN.md §3), and a release that failed verification is not live.
 */
export async function withdrawFailed(core: DeploymentsCore, env: string, failed: RevisionView): Promise<boolean> {
  const { deps } = core;
  if ((await deps.releases.currentReleaseId(deps.envDir(env))) !== failed.releaseId) return false;
  await deps.releases.clearCurrent(deps.envDir(env));
  return true;
}

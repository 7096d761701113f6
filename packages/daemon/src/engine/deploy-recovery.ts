// Crash recovery of deployments (ARCHITECTURE.md, "Crash safety"): the rule kept is that `current`
// names the live revision's release, complete and hash-verified, or nothing.
import type { ReleaseView, RevisionView } from '@axum/protocol';
import { deployAgainHint, INTERRUPTED } from '../domain/deploy-outcome.js';
import { failurePolicy } from '../domain/deploy-policy.js';
import { lastKnownGood, liveRevision, type EnvironmentDocument } from '../domain/revisions.js';
import type { DeployState } from './deploy-state.js';
import { finishRollback, undoRollback, type RollbackHost } from './rollback-recovery.js';

/** What resuming an automatic rollback, finishing a manual one, or putting hosts back needs of the environment's operations. */
export type ResumeHost = RollbackHost & {
  /** Holds the environment while `work` runs after the daemon listens (environment-coordinator.ts). */
  recovering(env: string, revision: number, work: () => Promise<void>): void;
};

/**
 * Crash safety: a revision still deploying or verifying was cut short by a crash. It becomes
 * `failed` with the reason, and `current` goes back to the last live release (complete and
 * verified) so no half-verified release stays in front of users. A manual rollback cut short is
 * finished instead (a new rollback revision to the same target), or undone whole when its target
 * can no longer be made live (rollback-recovery.ts).
 */
export async function recoverEnvironment(state: DeployState, env: string, host?: ResumeHost): Promise<void> {
  const { deps, docOf, storeOf, release, unusable, now } = state;
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
    // The previous start was cut short while it put the hosts back: again, from the start.
    const pending = doc.hostsPending;
    if (!pending || !host) return;
    const again = pending.releaseId === null ? null : release(pending.releaseId);
    if (again !== undefined) {
      hostsLater(state, env, host, doc.revisions.at(-1)?.revision ?? 0, again, doc.incident ?? 'a daemon restart', '');
      return;
    }
    // The release the hosts were going back to is no longer known: they are left as they are, said, and not tried at every start.
    doc.hostsPending = null;
    doc.incident = `${(doc.incident ?? 'a daemon restart').replace(HOSTS_PENDING, '')}; the hosts are left as they were (${pending.releaseId} is no longer known)`;
    deps.logger.warn(`${env}: ${doc.incident}`);
    await state.persist(env);
    return;
  }
  for (const revision of cut) {
    revision.message = `${INTERRUPTED} while ${revision.status}`;
    revision.status = 'failed';
    revision.finishedAt = now();
  }
  const rollback = host ? cut.find((r) => r.kind === 'rollback') : undefined;
  let undone = '';
  if (rollback && host) {
    const problem = await finishRollback(state, env, rollback, host);
    if (problem === null) return;
    undone = [`; rollback #${rollback.revision} is undone (${problem})`, ...(await undoRollback(state, env, rollback))].join('; ');
  }
  // Back to the live revision; if a failed deploy had already demoted it (a crash during its
  // auto-rollback), to the last known good, which is what the rollback was going to do.
  const back = liveRevision(doc) ?? lastKnownGood(doc, unusable);
  const backRelease = back ? release(back.releaseId) : undefined;
  let outcome = 'nothing was live before it';
  if (!back && (await deps.releases.currentReleaseId(state.envDir(env))) !== null) {
    // A first deploy cut short: what `current` names was never verified; nothing is safer.
    await deps.releases.clearCurrent(state.envDir(env));
    doc.failedServing = null;
    outcome = 'nothing was live before it; current is removed';
  }
  if (back && backRelease) {
    const problem = await deps.releases.check(backRelease);
    if (problem) outcome = `#${back.revision} cannot be restored: ${problem}`;
    else {
      if ((await deps.releases.currentReleaseId(state.envDir(env))) !== backRelease.id) {
        await deps.releases.swapCurrent(state.envDir(env), await deps.releases.materialize(backRelease));
      }
      if (back.status !== 'live') {
        back.status = 'live'; // the last known good is what current names again
        back.message = `${back.message ? `${back.message}; ` : ''}restored after a daemon restart`;
      }
      outcome = `current is back on #${back.revision}`;
    }
  }
  // A deploy cut short is not retried by itself (a person may have killed it on purpose): the incident says how.
  const tail = `${undone}${rollback ? '' : deployAgain(state, env, cut, doc)}`;
  // Hosts swap before the local link, so a crash can leave them ahead of it: they follow it back.
  const hostsTo = !back ? null : backRelease && outcome.startsWith('current is back') ? backRelease : undefined;
  const incident = `#${cut.map((r) => r.revision).join(', #')} interrupted by a daemon restart; ${outcome}`;
  if (host && hostsTo !== undefined && state.fleet.hostsOf(env).length > 0) {
    doc.hostsPending = { releaseId: hostsTo?.id ?? null };
    doc.incident = `${incident}${HOSTS_PENDING}${tail}`;
    deps.logger.warn(`${env}: ${doc.incident}`);
    await state.persist(env);
    hostsLater(state, env, host, cut.at(-1)!.revision, hostsTo, incident, tail);
    return;
  }
  doc.incident = `${incident}${await hostsBack(state, env, hostsTo)}${tail}`;
  deps.logger.warn(`${env}: ${doc.incident}`);
  await state.persist(env);
}

/** `; axum deploy ENV --release REL deploys it again` for the newest deploy cut short, as its run says it. */
function deployAgain(state: DeployState, env: string, cut: readonly RevisionView[], doc: EnvironmentDocument): string {
  const deploy = cut.findLast((r) => r.kind === 'deploy');
  const again = deploy ? deployAgainHint(env, deploy.releaseId, { unusable: state.unusable(deploy.releaseId), liveReleaseId: liveRevision(doc)?.releaseId ?? null }) : null;
  return again ? `; ${again}` : '';
}

/**
 * A crash between a failed deploy and its automatic rollback leaves the failed release in
 * `current` and nothing live: the new daemon does the rollback the dead one was about to do.
 */
export async function resumeAutoRollback(state: DeployState, env: string, host: ResumeHost): Promise<void> {
  const { deps, docs, unusable } = state;
  const doc = docs.get(env);
  const last = doc?.revisions.at(-1);
  if (!doc || !last || last.status !== 'failed' || liveRevision(doc)) return;
  // A revision that failed with an error of the machine is no bad model: no automatic rollback
  // follows it (ARCHITECTURE.md, glossary: Bad).
  if (last.message?.startsWith('error: ')) return;
  // Nor an inconclusive one, which blames nothing: the environment is paused and a person decides
  // (ARCHITECTURE.md, glossary: Inconclusive); while paused, nothing is rolled back by itself.
  if (last.message?.startsWith('inconclusive: ') || doc.paused) return;
  const config = state.configFor(state.release(last.releaseId));
  const lkg = lastKnownGood(doc, unusable);
  // The failed stage is not recorded; a failed revision with nothing live failed after the pointer moved.
  const policy = failurePolicy({ stage: 'verify', kind: last.kind, autoRollback: config?.rollback?.auto ?? false, lastKnownGood: lkg !== null, pinned: doc.pinned !== null && doc.pinned.rollback !== last.revision });
  if (policy === 'keep') return;
  if (policy === 'withdraw' || !lkg) {
    // At start the daemon does not listen yet: the hosts follow once it does, the environment held meanwhile.
    if (await withdrawFailed(state, env, last, host)) deps.logger.warn(`${env}: #${last.revision} failed and nothing is known good: current is removed`);
    return;
  }
  deps.logger.warn(`${env}: #${last.revision} failed and the daemon stopped before rolling back; rolling back to last known good #${lkg.revision}`);
  host.track(env, host.operate(env, lkg.releaseId, 'auto-rollback', lkg.revision, `auto: #${last.revision} failed (resumed after a daemon restart)`).then(() => undefined));
}

/**
 * `rollback.auto` with no last known good: back to what was there before, nothing. `current`
 * names the live revision (ARCHITECTURE.md, "Crash safety"), and a release that failed verification is not live.
 */
export async function withdrawFailed(state: DeployState, env: string, failed: RevisionView, later?: ResumeHost): Promise<boolean> {
  const { deps } = state;
  if ((await deps.releases.currentReleaseId(state.envDir(env))) !== failed.releaseId) return false;
  await deps.releases.clearCurrent(state.envDir(env));
  const doc = state.docs.get(env);
  if (doc) doc.failedServing = null; // nothing serves it any more (the caller saves the document)
  if (state.fleet.hostsOf(env).length === 0) return true;
  if (!later || !doc) {
    await state.fleet.putBack(env, null, null);
    return true;
  }
  // `later`: a start, which must not wait for the hosts (ssh can take long) before it listens.
  const incident = `#${failed.revision} failed and nothing is known good: current is removed`;
  doc.hostsPending = { releaseId: null };
  doc.incident = `${incident}${HOSTS_PENDING}`;
  await state.persist(env);
  hostsLater(state, env, later, failed.revision, null, incident, '');
  return true;
}

/**
 * Over ssh a host can take long: the daemon listens first, and the environment stays held (no
 * deploy or rollback starts) until every host is back on `back`; clients see it recovering.
 * `hostsPending`, saved before, is cleared once they are.
 */
/** What the incident says while the hosts are being put back (replaced by how that went). */
const HOSTS_PENDING = '; putting the hosts back';

function hostsLater(state: DeployState, env: string, host: ResumeHost, revision: number, back: ReleaseView | null, incident: string, undone: string): void {
  host.recovering(env, revision, async () => {
    const doc = await state.docOf(env);
    // After a restart in between, `incident` is the saved one, with the note and what follows it (an undone rollback, how to deploy again).
    doc.incident = `${incident.replace(HOSTS_PENDING, '')}${await hostsBack(state, env, back)}${undone}`;
    doc.hostsPending = null;
    state.deps.logger.warn(`${env}: ${doc.incident}`);
    await state.persist(env);
  });
}

/**
 * The hosts of a remote environment follow the local `current` after a crash: the release it is
 * back on (copied first to a host that lacks it), or none (null: nothing was ever live). Returns
 * what to add to the incident.
 */
async function hostsBack(state: DeployState, env: string, back: ReleaseView | null | undefined): Promise<string> {
  if (state.fleet.hostsOf(env).length === 0) return '';
  // undefined: the live release could not be restored locally, so the hosts are left as they are.
  if (back === undefined) return '; the hosts are left as they were';
  try {
    await state.fleet.putBack(env, back, back ? await state.deps.releases.materialize(back) : null);
    return back ? `; every host is back on ${back.id}` : '; current is removed on every host';
  } catch (err) {
    return `; ${(err as Error).message}`;
  }
}

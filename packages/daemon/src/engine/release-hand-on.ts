// How a built release goes on in an environment: already live there, held by a pin or a pause,
// waiting for approval, queued behind the operation in progress, or deployed now.
import type { ReleaseView, RevisionView, RunDeploy } from '@axum/protocol';
import { deployAgainHint } from '../domain/deploy-outcome.js';
import { diskProblem } from '../domain/disk-errors.js';
import { markTime } from '../domain/marks.js';
import { holdOf } from '../domain/pause.js';
import { liveRevision } from '../domain/revisions.js';
import type { DeployState } from './deploy-state.js';
import type { GitPort } from './ports.js';
import { releaseNumber } from './release-ids.js';
import type { EnvironmentCoordinator, Hold, ReuseHandOn } from './environment-coordinator.js';
import { RequestFailure } from './pipeline.js';
import { snapshotOf, undoSince, unrecordedDeploy } from './unsaved-requests.js';

/** What the hand-on reads and does of the coordinator that owns it. */
export interface HandOnContext {
  state: DeployState;
  holds: ReadonlyMap<string, Hold>;
  save(env: string): Promise<void>;
  operate: EnvironmentCoordinator['operate'];
  /** How each run was triggered and by whom (`push`, `manual` by ana). */
  runTriggers: ReadonlyMap<string, { trigger: string; who?: string | undefined }>;
  /** The later run that reused a release, while it waits in an environment. */
  reusedBy: Map<string, ReuseHandOn>;
  reuseKey(env: string, releaseId: string): string;
  runFor(env: string, releaseId: string): string | null;
  /** The error of an operation whose revision no save wrote (taken back from memory), or undefined. */
  unrecorded(revision: RevisionView): unknown;
}

/** The coordinator's `handOn`. */
export function createHandOn(ctx: HandOnContext): (env: string, built: ReleaseView, reuse?: ReuseHandOn, queued?: boolean) => Promise<string> {
  const { state, holds, save, operate, runTriggers, reusedBy, reuseKey, runFor } = ctx;
  const { deps } = state;
  /** `carried`: the earlier run a lost race hands over (the first try took its place in memory already). */
  return async function handOn(env: string, built: ReleaseView, reuse?: ReuseHandOn, queued = false, carried?: string | null): Promise<string> {
    const doc = await state.docOf(env);
    const environments = state.config()?.environments;
    const spec = environments && Object.hasOwn(environments, env) ? environments[env] : undefined;
    const runId = reuse?.runId ?? built.runId;
    const lead = reuse?.lead ?? `built ${built.id}`;
    // A commit rewritten away while it was built (`git reset --hard`, an amend, a force push) is not
    // the branch's any more: it never deploys, held or not; the new head gets a run of its own.
    // Checked first, so nothing below records it as waiting here.
    const left = await leftBranchIn(state, env, built.commit, { runId, releaseId: built.id });
    if (left) return tellLeft(state, env, built.id, runId, lead, left);
    // A run of a release that waits here already takes the earlier run's place: the revision follows
    // one run, so the earlier one is told now, or it would say `awaiting-approval` after the approve.
    const waits = [doc.heldReleaseId, doc.pendingReleaseId, doc.queuedReleaseId].includes(built.id);
    // Handed on by a later run (build once, promote), also as recorded before a restart.
    const reused = reuse !== undefined || (doc.waitingRuns ?? []).some((w) => w.releaseId === built.id);
    const earlier = carried !== undefined ? carried : waits ? (runFor(env, built.id) ?? built.runId) : null;
    // What the hand-on changes is saved before anyone is told; a save the disk refuses puts it back.
    const was = snapshotOf(doc);
    const reusedBefore = reusedBy.get(reuseKey(env, built.id));
    if (reuse) reusedBy.set(reuseKey(env, built.id), reuse);
    else reusedBy.delete(reuseKey(env, built.id));
    // Saved with the release's wait below: after a restart, `unpin` or `approve` still tells this run.
    const waiting = (doc.waitingRuns ?? []).filter((w) => w.releaseId !== built.id && [doc.heldReleaseId, doc.pendingReleaseId, doc.queuedReleaseId].includes(w.releaseId));
    doc.waitingRuns = reuse ? [...waiting, { releaseId: built.id, runId: reuse.runId }] : waiting;
    const tell = (outcome: RunDeploy['outcome'], message: string, to = runId) => {
      deps.runDeploy(to, { env, revision: null, outcome }, message);
      return message;
    };
    // Told only once this run's place is saved: a save the disk refuses leaves the earlier run waiting, as the records do.
    const supersedeEarlier = () => {
      if (earlier !== null && earlier !== runId) tell('superseded', `${built.id}: a newer run of it (${runId}) follows its deploy to ${env} instead`, earlier);
    };
    /**
     * Saves the release's wait (`what`: its place in the queue, its hold, its wait for approval).
     * When the disk refuses (full, read-only), memory is put back as the records are (a restart
     * does what memory said), and the run is told it was not deployed, with why: returns that
     * line, else null.
     */
    const recorded = async (what: string): Promise<string | null> => {
      const undo = undoSince(doc, was);
      try {
        await save(env);
        return null;
      } catch (err) {
        if (diskProblem(err) === null) throw err; // not the disk's: a bug, which goes on up as before
        undo();
        if (reusedBefore) reusedBy.set(reuseKey(env, built.id), reusedBefore);
        else reusedBy.delete(reuseKey(env, built.id));
        deps.publish(env);
        const { why, retry } = unrecordedDeploy(env, built.id, err, what);
        deps.say?.(`${runId}: ${built.id} not deployed to ${env}: ${why}`);
        return tell('failed', `${lead}; not deployed: ${why} (${retry})`);
      }
    };
    // Marked bad while it waited in the queue (the deploy ahead of it failed its gates with the same
    // release, a monitor or a person marked it): a model that failed anywhere reaches nothing without
    // --force, as when it is reused. Its place in the queue is gone already (the follow-up took it),
    // and its run no longer waits here (saved, so a restart does not tell it again).
    const bad = queued && !reuse?.force ? built.bad : null;
    if (bad) {
      reusedBy.delete(reuseKey(env, built.id));
      doc.waitingRuns = waiting;
      const unsaved = await recorded('end in the queue');
      if (unsaved !== null) return unsaved;
      const message = `${lead}; not deployed: ${built.id} was marked bad by ${bad.by} while it waited: ${bad.why} (axum deploy ${env} --release ${built.id} --force deploys it anyway, or axum mark ${built.id} good)`;
      deps.say?.(`${runId}: ${built.id} not deployed to ${env}: marked bad by ${bad.by} while it waited`);
      deps.runDeploy(runId, { env, revision: null, outcome: 'refused-bad' }, message);
      return message;
    }
    // Commits deploy only to environments the config in use declares (ARCHITECTURE.md, glossary: Records).
    // It waits in the queue (newest wins): when axum.yml declares the environment again (a branch
    // checked out again, a typo fixed), it deploys — unless a newer release went live meanwhile.
    if (!spec) {
      const older = doc.queuedReleaseId && doc.queuedReleaseId !== built.id ? state.release(doc.queuedReleaseId) : undefined;
      doc.queuedReleaseId = built.id;
      const unsaved = await recorded('place in the queue');
      if (unsaved !== null) return unsaved;
      supersedeEarlier();
      if (older) tell('superseded', `built ${older.id}; not deployed: ${built.id} took its place in the queue of ${env}`, runFor(env, older.id) ?? older.runId);
      return tell('queued', `${lead}; not deployed: ${env} is not in axum.yml now (queued: it deploys when axum.yml declares ${env} again)`);
    }
    // A run of the release that is live here already (a re-run, the same commit pushed again):
    // another revision of the same bytes would only ask for approval and verify what is verified.
    const live = liveRevision(doc);
    if (live?.releaseId === built.id && !holds.has(env)) {
      const again = deployAgainHint(env, built.id, { unusable: state.unusable(built.id), liveReleaseId: live.releaseId });
      supersedeEarlier();
      const message = `${lead}; already live in ${env} (#${live.revision}): nothing to deploy${again ? ` (${again})` : ''}`;
      deps.runDeploy(runId, { env, revision: live.revision, outcome: 'live' }, message);
      return message;
    }
    // A release older than the one live here (main's older head built again after a promote) would
    // take the environment back when it deploys: said wherever it waits.
    const liveRelease = live ? state.release(live.releaseId) : undefined;
    const newer = liveRelease && liveRelease.id !== built.id && (releaseNumber(liveRelease.id) ?? 0) > (releaseNumber(built.id) ?? 0) ? liveRelease : undefined;
    const back = newer ? ` — older than ${newer.id}, live now: deploying it goes back` : '';
    // Queued, and a newer release went live while it waited (a deploy by hand that lifted a pause,
    // an unpin whose deploy the disk refused): deploying it would take the environment back, which
    // nobody asked for. Newest wins, as in the queue: it is superseded, and the event log says so.
    // A later run that reused it asked for it after, as a build of an older head does: it deploys.
    if (queued && newer && !reused) {
      reusedBy.delete(reuseKey(env, built.id));
      const unsaved = await recorded('end in the queue'); // its run no longer waits here
      if (unsaved !== null) return unsaved;
      supersedeEarlier();
      deps.say?.(`${runId}: ${built.id} not deployed to ${env}: a newer release (${newer.id}) is live`);
      return tell('superseded', `${lead}; not deployed: a newer release (${newer.id}) is live in ${env}`);
    }
    const held = holdOf(doc);
    if (held) {
      // `axum unpin` (a pin) or `axum approve` (a pause) deploys it (newest wins: an older held release is superseded).
      const older = doc.heldReleaseId ? state.release(doc.heldReleaseId) : undefined;
      doc.heldReleaseId = built.id;
      const unsaved = await recorded(`hold by the ${held}`);
      if (unsaved !== null) return unsaved;
      supersedeEarlier();
      if (older && older.id !== built.id) tell('superseded', `built ${older.id}; a newer release (${built.id}) is held by the ${held} of ${env} instead`, runFor(env, older.id) ?? older.runId);
      if (held === 'pin') return tell('held-by-pin', `${lead}; not deployed: ${env} is pinned since ${markTime(doc.pinned!.at)} (axum unpin ${env} deploys it)${back}`);
      const { since, revision } = doc.paused!;
      return tell('held-by-pause', `${lead}; not deployed: ${env} is paused since ${markTime(since)} (#${revision} inconclusive; axum approve ${env} keeps #${revision} and deploys it, axum rollback ${env} goes back)${back}`);
    }
    // Approval is the stricter of the config in use and the release's own: a checked-out branch whose
    // axum.yml says `approval: auto` (a pull request under review) does not wave through a commit whose
    // own axum.yml asks for a person.
    const own = state.configFor(built)?.environments;
    const ownSpec = own && Object.hasOwn(own, env) ? own[env] : undefined;
    if (spec?.approval === 'manual' || ownSpec?.approval === 'manual') {
      const older = doc.pendingReleaseId ? state.release(doc.pendingReleaseId) : undefined;
      doc.pendingReleaseId = built.id;
      const unsaved = await recorded('wait for approval');
      if (unsaved !== null) return unsaved;
      supersedeEarlier();
      if (older && older.id !== built.id) tell('superseded', `built ${older.id}; a newer release (${built.id}) waits for approval in ${env} instead`, runFor(env, older.id) ?? older.runId);
      return tell('awaiting-approval', `${lead}; waiting for approval (axum approve ${env}${built.bad ? ' --force: it is marked bad' : ''})${back}`);
    }
    if (holds.has(env)) {
      const older = doc.queuedReleaseId ? state.release(doc.queuedReleaseId) : undefined;
      doc.queuedReleaseId = built.id; // newest wins: an older queued release is superseded
      const unsaved = await recorded('place in the queue');
      if (unsaved !== null) return unsaved;
      supersedeEarlier();
      if (older && older.id !== built.id) tell('superseded', `built ${older.id}; not deployed: ${built.id} took its place in the queue of ${env}`, runFor(env, older.id) ?? older.runId);
      return tell('pending', `${lead}; queued to deploy to ${env} after the operation in progress${older ? ` (supersedes queued ${older.id})` : ''}`);
    }
    // Who started it, as the run says (`push run-12`, `manual run-13`); a deploy queued before a restart no longer knows.
    reusedBy.delete(reuseKey(env, built.id)); // its revision names the run from here on
    const trigger = runTriggers.get(runId);
    const by = `${trigger?.trigger ?? 'queued'} ${runId}${trigger?.who ? ` by ${trigger.who}` : ''}`;
    // The earlier run is told once this revision is recorded (it follows this deploy from then on), not
    // at the end of a verify that may take an hour, nor before a save that may fail.
    void operate(env, built.id, 'deploy', null, by, runId, supersedeEarlier)
      .then(async (result) => {
        if (result instanceof RequestFailure) {
          // Lost a race: an operation took the environment since it was free above. It waits behind
          // that one, as a release built during an operation does.
          if (result.code === 'conflict') return void (await handOn(env, built, reuse, queued, earlier));
          // Refused before anything was recorded: no revision will tell the run, so it is told here.
          const retry = refusedRetry(env, built.id, result);
          tell('failed', `${lead}; not deployed: ${result.message} (${retry})`);
          deps.say?.(`${runId}: ${built.id} not deployed to ${env}: ${result.message}`);
          return;
        }
        const unsaved = ctx.unrecorded(result);
        if (unsaved === undefined) return; // its revision was recorded: the earlier run was told then
        // No save wrote its revision, so the operation took it back and no revision will tell the
        // run: it is told here, as are the event log and the incident (in memory: the disk refused it).
        const { why, retry } = unrecordedDeploy(env, built.id, unsaved);
        tell('failed', `${lead}; not deployed: ${why} (${retry})`);
        deps.say?.(`${runId}: ${built.id} not deployed to ${env}: ${why}`);
        if (holds.has(env)) return; // another operation took over: its outcome says what stands
        const stays = liveRevision(doc);
        doc.incident = `${built.id} was not deployed: ${why}; ${stays ? `#${stays.revision} stays live` : 'nothing is live'} (${retry})`;
        deps.publish(env);
      })
      .catch((err: Error) => deps.logger.error(`${env}: deploy of ${built.id}: ${err.stack ?? err.message}`));
    return `${lead}; deploying to ${env}`;
  };
}

/** What a person does about a push deploy that `operate` refused before recording anything. */
function refusedRetry(env: string, releaseId: string, failure: RequestFailure): string {
  if (failure.code === 'not-found') return `a new run of ${env}'s branch builds it again`;
  return `axum deploy ${env} --release ${releaseId} deploys it once that is put right`;
}

/**
 * Why a release of `commit` may no longer deploy to `env`: its commit left the branch that feeds
 * `env` (reset, amended or force-pushed away). Asked wherever a release is taken to deploy, also
 * one that waited (a pin, an approval, an operation): the branch may have moved meanwhile.
 */
export async function leftBranchIn(state: DeployState, env: string, commit: string, taken: { runId: string | null; releaseId: string }): Promise<string | null> {
  const environments = state.config()?.environments;
  const spec = environments && Object.hasOwn(environments, env) ? environments[env] : undefined;
  const left = spec ? await leftBranch(state.deps.git, commit, spec.branch) : null;
  if (left?.known !== false) return left?.why ?? null;
  // Git could not tell (it failed, or the commit cannot be read): a valid run is not dropped on a
  // doubt. It deploys as any other, and the event log says what could not be checked.
  state.deps.logger.warn(`${env}: ${left.why}`);
  state.deps.say?.(`${taken.runId}: warning: ${left.why}; deploying ${taken.releaseId} to ${env} as usual`);
  return null;
}

/** Tells the run of a release that left its branch that it is superseded, in the words every such case uses. */
export function tellLeft(state: DeployState, env: string, releaseId: string, runId: string | null, lead: string, left: string): string {
  state.deps.say?.(`${runId}: ${releaseId} not deployed to ${env}: ${left}`);
  state.deps.runDeploy(runId, { env, revision: null, outcome: 'superseded' }, `${lead}; not deployed: ${left}`);
  return `${lead}; not deployed: ${left}`;
}

/**
 * Why `commit` is no longer on `branch`, or null when it is. A branch that is gone says nothing:
 * there is no head to compare with (deleting a branch rewrites none of it). `known: false` when git
 * could not say whether the head contains it: `why` says so.
 */
async function leftBranch(git: GitPort, commit: string, branch: string): Promise<{ known: boolean; why: string } | null> {
  const head = await git.head(branch);
  if (head === null || head === commit) return null;
  const answer = await git.isAncestor(commit, head);
  if (answer === 'ancestor') return null;
  if (answer === 'unknown') return { known: false, why: `git could not tell whether ${commit.slice(0, 8)} is still on ${branch} (its head is ${head.slice(0, 8)})` };
  return { known: true, why: `${commit.slice(0, 8)} is no longer on ${branch}, whose head ${head.slice(0, 8)} does not contain it (reset, amended or force-pushed away)` };
}

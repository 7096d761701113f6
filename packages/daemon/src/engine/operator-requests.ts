// What people ask of environments and releases besides a rollback: deploy by hand, approve,
// promote, pin and unpin, mark. Each checks what it can refuse, then hands the work to the
// coordinator's `operate`, which owns the one-operation-per-environment rule.
import { nothingToApproveText, type DeployResult, type MarkResult, type RevisionView } from '@axum/protocol';
import { badRefusal, defaultReason, markChange, markedBad, markTime } from '../domain/marks.js';
import { MIN_SECRET_LENGTH, maskText } from '../domain/masker.js';
import { acceptanceRevision, liftPause } from '../domain/pause.js';
import { liveRevision, nextRevisionNumber, nothingMoved, servingRevision, type EnvironmentDocument } from '../domain/revisions.js';
import type { DeployState } from './deploy-state.js';
import type { EnvironmentCoordinator } from './environment-coordinator.js';
import { busyRefusal } from './environment-holds.js';
import { leftBranchIn, tellLeft } from './release-hand-on.js';
import { RequestFailure } from './pipeline.js';
import { releaseRecords, requestRecords, UnsavedFailure } from './unsaved-requests.js';

/**
 * What an unpin did with the release the pin held back: deployed it, or why not (`note`); both null
 * when none waited. `unchanged`: pinned (or not pinned) already — the request changed nothing, and
 * an earlier pin keeps who set it and when.
 */
export interface PinOutcome {
  deployed: RevisionView | null;
  note: string | null;
  unchanged?: boolean;
}

export interface OperatorRequests {
  /** `again`: a new revision even when the release is live there already (else the live revision answers, `unchanged`). */
  deploy(env: string, releaseId: string, by: string, force: boolean, again?: boolean): Promise<DeployResult | RevisionView | RequestFailure>;
  /** `seen`: the release the person was shown; refused when another would be approved now (a stale request). */
  approve(env: string, by: string, force: boolean, seen?: string): Promise<RevisionView | RequestFailure>;
  /** `seen`: the release the person was shown as FROM's live one; refused when FROM serves another now. */
  promote(from: string, to: string, force: boolean, by: string, seen?: string, again?: boolean): Promise<DeployResult | RevisionView | RequestFailure>;
  pin(env: string, pinned: boolean, by: string): Promise<PinOutcome | RequestFailure>;
  mark(releaseId: string, mark: 'good' | 'bad', reason: string | undefined, by: string): Promise<MarkResult | RequestFailure>;
}

const refused = (message: string) => new RequestFailure('refused', message);

/** A request for the release a person saw, when another stands there now: nothing is done, and they look again. */
const staleText = (env: string, seen: string, now: string | null, what: string) =>
  `you asked about ${seen}, but ${now ? `${now} ${what} in ${env} now` : `nothing ${what} in ${env} now`}: nothing changed; look again (axum status) and ask again`;

/** The requests over the records and the coordinator; `knownEnv` refuses an environment with neither records nor config. */
export function createOperatorRequests(state: DeployState, environments: EnvironmentCoordinator, knownEnv: (env: string) => RequestFailure | null): OperatorRequests {
  const { docOf, release, now } = state;
  /** A bad release goes nowhere without force (ARCHITECTURE.md, glossary: Bad). */
  const refuseBad = (target: { id: string; bad: MarkResult['bad'] } | undefined, force: boolean, anyway: string) => (target?.bad && !force ? refused(badRefusal(target.id, target.bad, anyway)) : null);
  /** Releases are recorded in the order they were made. */
  const age = (id: string) => state.releasesDoc().releases.findIndex((r) => r.id === id);
  /** Taken before a request changes `env`'s document: a save the disk refuses puts memory back as the records are. */
  const recordsOf = (env: string, doc: EnvironmentDocument) => requestRecords(env, doc, environments, state.deps.publish);

  /** `axum unpin`: the pin goes, and the newest release it held back deploys — unless it is bad, gone, or overtaken. */
  async function unpin(env: string, by: string): Promise<PinOutcome | RequestFailure> {
    const doc = await docOf(env);
    // Asked first, as for a release built now: a commit reset away while it was held never deploys.
    const asked = doc.heldReleaseId ? release(doc.heldReleaseId) : undefined;
    const leftFor = asked && !doc.paused ? { id: asked.id, left: await leftBranchIn(state, env, asked.commit, { runId: environments.runFor(env, asked.id) ?? asked.runId, releaseId: asked.id }) } : null;
    // Taken after the question to git: what changes from here on is this request's.
    const records = recordsOf(env, doc);
    const since = doc.pinned?.at ?? null;
    const heldId = doc.heldReleaseId;
    const held = heldId ? release(heldId) : undefined;
    const left = leftFor?.id === heldId ? (leftFor?.left ?? null) : null;
    const live = liveRevision(doc);
    const why = (): string | null => {
      if (!heldId) return null;
      if (!held) return `${heldId} was held by the pin but no longer exists (pruned by history.keepReleases): nothing deployed`;
      if (left) return `${held.id} not deployed: ${left}`;
      if (held.bad) return `${markedBad(held.id, held.bad)}: not deployed (axum deploy ${env} --release ${held.id} --force deploys it anyway)`;
      if (live?.releaseId === held.id) return `${held.id} is live already (#${live.revision})`;
      if (live && age(live.releaseId) > age(held.id)) return `${held.id} was held by the pin, but a newer release (${live.releaseId}) is live: not deployed`;
      return null;
    };
    // A pause holds it too: the pin goes, the release waits for `axum approve`.
    if (doc.paused) {
      doc.pinned = null;
      const failure = await records.save(`the unpin of ${env}`);
      if (failure) return failure;
      state.deps.crash('pin.recorded');
      return { deployed: null, note: heldId ? `${heldId} stays held: ${env} is paused over #${doc.paused.revision} (axum approve ${env} deploys it)` : null };
    }
    const note = why();
    doc.pinned = null;
    doc.heldReleaseId = null;
    // Queued in the same save that lifts the pin: a crash before its revision is recorded still
    // deploys it at the next start, and an operation in progress deploys it when it ends.
    const deploys = held !== undefined && note === null;
    if (deploys) doc.queuedReleaseId = held.id;
    const failure = await records.save(`the unpin of ${env}`);
    if (failure) return failure;
    state.deps.crash('pin.recorded');
    if (held && left) tellLeft(state, env, held.id, environments.runFor(env, held.id) ?? held.runId, `built ${held.id}`, left);
    if (!deploys) return { deployed: null, note };
    if (environments.hold(env)) return { deployed: null, note: `${held.id} deploys after the operation in progress` };
    doc.queuedReleaseId = null; // its revision, saved next by `operate`, takes over
    const what = `the deploy of ${held.id} to ${env}`;
    const deployed = records.operated(what, await environments.operate(env, held.id, 'deploy', null, `${by} (held by the pin${since ? ` since ${markTime(since)}` : ''})`, environments.runFor(env, held.id) ?? held.runId));
    if (deployed instanceof UnsavedFailure) {
      // The disk refused the deploy's revision: the unpin stands (saved before it), and the release
      // is where that save left it, queued; no operation is in progress to take it.
      const why = `${deployed.what} could not be recorded: ${deployed.problem.text}`;
      return refused(`${env} is unpinned (that was recorded), but ${why}: ${held.id} was not deployed; once there is room, axum deploy ${env} --release ${held.id} deploys it`);
    }
    if (deployed instanceof RequestFailure) {
      doc.queuedReleaseId = held.id; // taken by an operation in between: it deploys after that one
      // The unpin stands (it was saved); the release waits in the queue, on disk as in memory.
      const failure = await records.save(what);
      return { deployed: null, note: `${held.id} deploys after the operation in progress (${(failure ?? deployed).message})` };
    }
    return { deployed, note: null };
  }

  /**
   * A person's deploy or promote answers a pause: it is lifted in the operation's first save, and
   * put back as it was when nothing moved (refused before recording, refused at its check, undone).
   * Only when the decision stands does a release the pause held go on: queued behind it (unless it
   * is the one that just went, or a newer one is queued: newest wins), and deployed.
   */
  async function answering(env: string, doc: EnvironmentDocument, releaseId: string, what: string, act: () => Promise<RevisionView | RequestFailure>) {
    const records = recordsOf(env, doc);
    if (!doc.paused) return records.operated(what, await act());
    const before = { paused: doc.paused, heldReleaseId: doc.heldReleaseId, queuedReleaseId: doc.queuedReleaseId };
    const servingBefore = servingRevision(doc)?.revision ?? null;
    doc.paused = null;
    if (doc.queuedReleaseId === releaseId) doc.queuedReleaseId = null;
    const result = records.operated(what, await act());
    if (records.putBack) return result;
    if (nothingMoved(doc, servingBefore, result instanceof RequestFailure ? null : result)) {
      Object.assign(doc, before);
      return (await records.save(what)) ?? result;
    }
    const held = doc.heldReleaseId;
    if (held !== null && held === before.heldReleaseId && !doc.pinned) {
      doc.heldReleaseId = null;
      if (held !== releaseId && doc.queuedReleaseId === null) doc.queuedReleaseId = held;
      // The decision stands (its revision is recorded): a disk that refuses this save keeps the release held.
      const failure = await records.save(`queueing ${held} in ${env}`);
      if (failure) state.deps.warn(failure.message);
      else environments.track(env, environments.next(env));
    }
    return result;
  }

  /**
   * `axum approve` on a paused environment: what serves is accepted as live and verified by that
   * person (a revision of its own: domain/pause.ts says why), the pause is lifted in the same save,
   * and the release it held back deploys after.
   */
  async function accept(env: string, doc: EnvironmentDocument, by: string, force: boolean): Promise<RevisionView | RequestFailure> {
    const busy = environments.hold(env);
    if (busy) return busyRefusal(env, busy);
    const serving = servingRevision(doc);
    if (!serving) return refused(`${env} is paused but nothing serves to keep: axum deploy ${env} --release ID or axum rollback ${env} --to N decides`);
    const bad = refuseBad(release(serving.revision.releaseId), force, `to keep it anyway: axum approve ${env} --force; or axum rollback ${env}`);
    if (bad) return bad;
    // Nothing awaits from here to the push: no other revision can take this number.
    const accepted = acceptanceRevision(doc, env, serving.revision, nextRevisionNumber(doc), by, now());
    const records = recordsOf(env, doc);
    if (!serving.failed) Object.assign(serving.revision, { status: 'superseded', supersededBy: { revision: accepted.revision, kind: accepted.kind } });
    doc.revisions.push(accepted);
    doc.failedServing = null;
    doc.incident = null;
    liftPause(doc);
    // One save: the accepted revision, the pause lifted, the held release queued; or none of it.
    const failure = await records.save(`the approval of #${serving.revision.revision} in ${env}`);
    if (failure) return failure;
    if (!serving.failed) state.tellRun(env, serving.revision, 'deploy');
    state.tellRun(env, accepted);
    environments.track(env, environments.next(env));
    return accepted;
  }

  return {
    // A manual deploy onto a pinned environment is an explicit act: it goes, and the pin stays
    // (commits stay held until `axum unpin`). Only a bad release needs force.
    async deploy(env, releaseId, by, force, again = false) {
      const unknown = knownEnv(env);
      if (unknown) return unknown;
      const doc = await docOf(env);
      // The same release again is nothing to do (`kubectl apply` of what is there), not a silent new
      // revision; `again` asks for one on purpose (a re-verify, a folder that changed under it).
      // While an operation holds the environment, what is live may change: that one answers (busy).
      const live = liveRevision(doc);
      if (live?.releaseId === releaseId && !again && !environments.hold(env)) return { ...live, unchanged: true };
      return refuseBad(release(releaseId), force, 'pass --force to deploy it anyway') ?? answering(env, doc, releaseId, `the deploy of ${releaseId} to ${env}`, () => environments.operate(env, releaseId, 'deploy', null, by));
    },
    async approve(env, by, force, seen) {
      const unknown = knownEnv(env);
      if (unknown) return unknown;
      const doc = await docOf(env);
      const now = doc.paused ? (servingRevision(doc)?.revision.releaseId ?? null) : doc.pendingReleaseId;
      if (seen !== undefined && now !== seen) return refused(staleText(env, seen, now, doc.paused ? 'serves' : 'waits for approval'));
      if (doc.paused) return accept(env, doc, by, force);
      if (!doc.pendingReleaseId) {
        // A pin holds releases back rather than leaving them waiting: name the command that lets one through.
        return refused(nothingToApproveText(env, { pinned: doc.pinned !== null, heldReleaseId: doc.heldReleaseId }));
      }
      const releaseId = doc.pendingReleaseId;
      // A forced run of a bad release waits for approval like any other: approving it needs force too.
      const bad = refuseBad(release(releaseId), force, `to approve it anyway: axum approve ${env} --force`);
      if (bad) return bad;
      const waiting = release(releaseId);
      const left = waiting ? await leftBranchIn(state, env, waiting.commit, { runId: environments.runFor(env, releaseId) ?? waiting.runId, releaseId }) : null;
      if (doc.pendingReleaseId !== releaseId) return refused(staleText(env, releaseId, doc.pendingReleaseId, 'waits for approval'));
      const records = recordsOf(env, doc);
      if (left) {
        // Reset away while it waited: it never deploys; it waits no more, and its run says so.
        doc.pendingReleaseId = null;
        const failure = await records.save(`the approval of ${releaseId} in ${env}`);
        if (failure) return failure;
        return refused(tellLeft(state, env, releaseId, environments.runFor(env, releaseId) ?? waiting?.runId ?? null, `built ${releaseId}`, left));
      }
      doc.pendingReleaseId = null;
      const result = records.operated(`the approval of ${releaseId} in ${env}`, await environments.operate(env, releaseId, 'deploy', null, by, environments.runFor(env, releaseId) ?? release(releaseId)?.runId ?? null));
      if (result instanceof RequestFailure) {
        doc.pendingReleaseId = releaseId; // refused: still waiting, and clients see it so
        state.deps.publish(env);
      }
      return result;
    },
    // The same bytes `from` verified, through the same operation as a deploy (verified again in
    // `to`, with `to`'s gates); a pinned `to` is treated as for a deploy by hand.
    async promote(from, to, force, by, seen, again = false) {
      const unknown = knownEnv(from) ?? knownEnv(to);
      if (unknown) return unknown;
      if (from === to) return refused(`promote needs two environments: ${from} is both FROM and TO`);
      const [source, target] = await Promise.all([docOf(from), docOf(to)]);
      const live = liveRevision(source);
      if (!live) {
        const failed = servingRevision(source);
        // Paused over it: its verification was inconclusive, which is not a failure.
        const how = failed && source.paused?.revision === failed.revision.revision ? `serves, its verification inconclusive (${from} is paused: axum approve ${from} keeps it)` : 'serves but failed';
        return refused(`nothing is live in ${from}${failed ? ` (#${failed.revision.revision}, ${failed.revision.releaseId}, ${how})` : ''}: nothing to promote`);
      }
      if (seen !== undefined && live.releaseId !== seen) return refused(staleText(from, seen, live.releaseId, 'is live'));
      const there = liveRevision(target);
      // Live there already is nothing to do, as for a deploy of it (not a refusal); `again` asks for a new revision.
      if (there?.releaseId === live.releaseId && !again && !environments.hold(to)) return { ...there, unchanged: true };
      const bad = refuseBad(release(live.releaseId), force, 'pass --force to promote it anyway');
      if (bad) return bad;
      return answering(to, target, live.releaseId, `the promotion of ${live.releaseId} to ${to}`, () => environments.operate(to, live.releaseId, 'deploy', null, `${by}: promoted from ${from}#${live.revision}`));
    },
    async pin(env, pinned, by) {
      const unknown = knownEnv(env);
      if (unknown) return unknown;
      const doc = await docOf(env);
      if (pinned && doc.pinned) return { deployed: null, note: `pinned already since ${markTime(doc.pinned.at)} by ${doc.pinned.by}`, unchanged: true };
      if (!pinned && !doc.pinned) return { deployed: null, note: null, unchanged: true };
      if (!pinned) return unpin(env, by);
      const records = recordsOf(env, doc);
      doc.pinned = { by, at: now() }; // a release held back already stays held
      const failure = await records.save(`the pin of ${env}`);
      if (failure) return failure;
      state.deps.crash('pin.recorded');
      return { deployed: null, note: null };
    },
    async mark(releaseId, mark, reason, by) {
      const target = release(releaseId);
      if (!target) return new RequestFailure('not-found', `no release ${releaseId} (axum releases lists them)`);
      // A reason is persisted and shown to every client: a registered secret pasted into it is masked.
      const names = state.config()?.secrets ?? [];
      const secrets = names.map((name) => (Object.hasOwn(state.deps.baseEnv, name) ? (state.deps.baseEnv[name] ?? '') : '')).filter((v) => v.length >= MIN_SECRET_LENGTH);
      const given = reason?.trim() ? maskText(reason.trim(), secrets) : undefined;
      // Asked again, a mark answers with what stands (exit 0), and a new reason replaces the old one.
      const change = markChange(target, mark, given);
      if (change === null) return { ...target, unchanged: true };
      // Saved before it answers; a save the disk refuses puts the release back as it was.
      const records = releaseRecords(state.releasesDoc(), state.saveReleases, () => state.docs.forEach((_doc, env) => state.deps.publish(env)));
      state.journalMark(target, mark, by, given ?? defaultReason(mark));
      const failure = await records.save(`the mark of ${releaseId} as ${mark}`);
      return failure ?? { ...target, unchanged: false };
    },
  };
}

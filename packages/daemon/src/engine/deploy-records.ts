// The deploy machine's bookkeeping actors: what each transition persists, in the order the crash
// points (crash-points.ts) expect — the revision is saved deploying before anything moves, verifying
// right after the pointer swap, and live or failed (with the marks) before anything follows.
import { fromPromise } from 'xstate';
import type { RevisionView } from '@axum/protocol';
import type { OutcomeInput, OutcomeRecorded, RollbackTarget } from '../domain/deploy-machine.js';
import type { OperationFailure, OperationStep } from '../domain/deploy-policy.js';
import { heldByPin, inconclusiveWhy, pinnedNoRollbackText } from '../domain/deploy-policy.js';
import { pause } from '../domain/pause.js';
import { lastKnownGood, type EnvironmentDocument } from '../domain/revisions.js';
import { operationCrash } from './deploy-operation.js';
import { autoRollbackIncident } from '../domain/incidents.js';
import type { DeployState } from './deploy-state.js';

/** One operation as the records see it. */
export interface OperationRecord {
  env: string;
  doc: EnvironmentDocument;
  revision: RevisionView;
  /** What was live when the operation began (superseded once the pointer has moved). */
  previousLive: RevisionView | null;
  /** What `current` served when it began: the live revision, or one *serving, failed*. */
  previousServing: RevisionView | null;
  steps: OperationStep[];
  /** Set when the revision's first save failed (a later save may still write it: DeployState.onDisk says). */
  unrecorded?: unknown;
  /** `rollback.auto` of the operation's config (as the deploy machine was told). */
  autoRollback?: boolean;
}

/**
 * The actors that record one operation on its environment's document. `save` persists, tells
 * clients and keeps the monitor in step (none runs while the environment is held).
 */
export function operationRecords(op: OperationRecord, state: DeployState, persist: (env: string) => Promise<void>) {
  const { env, doc, revision, previousLive, previousServing } = op;
  const { kind, by, rollbackTo } = revision;
  const { deps } = state;
  // A save that fails (a full disk) fails this operation, which says why; clients are told too, and
  // the record in memory is written by the environment's next save once the disk has room.
  const save = (name: string) =>
    persist(name).catch((err: Error) => {
      deps.warn(`${name}: the history of #${revision.revision} could not be saved (${err.message}); the operation stopped there`);
      throw err;
    });
  const supersedePrevious = () => {
    if (previousLive && previousLive !== revision && previousLive.status === 'live') {
      previousLive.status = 'superseded';
      previousLive.supersededBy = { revision: revision.revision, kind };
      state.tellRun(env, previousLive, kind);
    }
  };
  // The release a manual rollback leaves is what `current` serves: the live revision, or one
  // serving though it failed or was inconclusive (paused over) — the confirmation names the same.
  const left = kind === 'rollback' && previousServing && previousServing.releaseId !== revision.releaseId ? previousServing : null;
  const leftWhy = left ? rollbackMark(left.revision, rollbackTo) : null;
  /** A manual rollback undone by an error did not move away from the release it marked bad on the way. */
  const unmarkLeft = async () => {
    const leftRelease = left ? state.release(left.releaseId) : undefined;
    if (!leftRelease || leftRelease.bad?.why !== leftWhy) return;
    await state.mark(leftRelease, 'good', markedBy('rollback', env, revision.revision), `undone: #${revision.revision} failed with an error after current moved`);
  };
  const recordOutcome = async ({ outcome, failure, results }: OutcomeInput): Promise<OutcomeRecorded> => {
    // Read now, for the incident saved here and the rollback policy after it alike: a pin set while
    // the operation ran holds. The pin a manual rollback sets itself does not: if that rollback
    // fails, going on to the last known good is still what was asked (go back).
    const pinned = doc.pinned !== null && doc.pinned.rollback !== revision.revision;
    // Steps the failure cut short: a running one (an error) failed, the ones after it never ran.
    for (const step of revision.steps) if (step.status === 'running' || step.status === 'pending') step.status = step.status === 'running' ? 'failed' : 'skipped';
    if (results) Object.assign(revision, results);
    revision.finishedAt = state.now();
    if (outcome === 'live') {
      supersedePrevious();
      revision.status = 'live';
      revision.verified = true;
      revision.message = kind === 'deploy' ? null : `rolled back to #${rollbackTo}`;
      doc.failedServing = null;
      // The release that waited for approval went live another way (a rollback or a deploy of it by
      // hand): nothing waits any more, and approving it later would only add a revision of the same.
      const waited = doc.pendingReleaseId === revision.releaseId ? ((doc.waitingRuns ?? []).find((w) => w.releaseId === revision.releaseId)?.runId ?? state.release(revision.releaseId)?.runId) : undefined;
      if (doc.pendingReleaseId === revision.releaseId) {
        doc.pendingReleaseId = null;
        doc.waitingRuns = (doc.waitingRuns ?? []).filter((w) => w.releaseId !== revision.releaseId);
      }
      if (waited && waited !== revision.runId) deps.runDeploy(waited, { env, revision: revision.revision, outcome: 'live' }, `built ${revision.releaseId}; live in ${env} as #${revision.revision} (${kind === 'deploy' ? 'a deploy' : kind} by ${by}) before it was approved: nothing waits`);
      // An automatic rollback fixed the symptom, not the cause: keep saying what happened.
      doc.incident = kind === 'auto-rollback' ? autoRollbackIncident(env, by, rollbackTo, doc.revisions) : null;
    } else {
      const { stage, message, detail } = failure ?? { stage: 'error', message: 'no reason recorded' };
      revision.status = 'failed';
      revision.message = stage === 'error' ? `error: ${message}` : message;
      if (stage === 'error') deps.logger.error(`${env} #${revision.revision}: ${message}${detail ? `\n${detail}` : ''}`);
      if (outcome === 'refused') {
        // Nothing moved: the live revision stays live.
        const what = stage === 'error' ? 'failed before anything moved' : 'refused';
        doc.incident = `#${revision.revision} ${what}: ${revision.message}; ${previousLive ? `#${previousLive.revision} stays live` : 'nothing is live'}`;
      } else if (outcome === 'undone') {
        // An error after the move: `current` is back on what served, which keeps its status.
        await unmarkLeft();
        const back = previousServing ? `current is back on #${previousServing.revision} (${previousServing.releaseId})${previousServing === previousLive ? ', which stays live' : ''}` : 'current is removed (nothing was live)';
        doc.incident = `#${revision.revision} failed with an error after current moved: ${message}; ${back}`;
      } else {
        supersedePrevious();
        // It failed where it serves: *serving, failed* until a revision goes live or it is withdrawn.
        doc.failedServing = revision.revision;
        const what = `${kind === 'deploy' ? '' : `${kind} `}#${revision.revision}`;
        // Neither passed nor failed: automatic actions stop until a person decides, saved with the
        // outcome below, so the pause exists on disk before anyone is told (or a commit could slip in).
        // The pause says which revision, what could not be measured and who decides: the incident
        // keeps only what it does not say (what went wrong before), unless an earlier pause stays.
        if (stage !== 'inconclusive') doc.incident = `${what} failed ${stage}: ${message}${heldByPin({ stage, kind, autoRollback: op.autoRollback ?? false, lastKnownGood: true, pinned }) ? pinnedNoRollbackText(env) : ''}`;
        else if (!pause(doc, revision.revision, inconclusiveWhy(message), state.now())) doc.incident = `${what} ${message}`;
      }
    }
    await save(env);
    state.tellRun(env, revision);
    // A refusal changed nothing that a crash could leave half-done, and an undone error is a
    // revision still `verifying` on disk until this save: neither has a crash point of its own.
    if (outcome === 'live' || outcome === 'failed') operationCrash(deps, kind, 'finished');
    return { pinned };
  };

  return {
    recordRevision: fromPromise<void, void>(async () => {
      // The revision exists (deploying) before anything moves.
      await save(env).catch((err: unknown) => {
        op.unrecorded = err;
        throw err;
      });
      operationCrash(deps, kind, 'recorded');
      state.tellRun(env, revision);
      // The plan is on the revision from here, so a client sees what is still to come.
      revision.steps = op.steps.map((step) => ({ stage: step.stage, name: step.name, status: 'pending', exitCode: null, durationMs: null, startedAt: null, logBytes: 0 }));
    }),
    recordVerifying: fromPromise<void, void>(async () => {
      revision.status = 'verifying';
      // The release a manual rollback moves away from is bad from the moment the pointer moves: if
      // this rollback then fails, the automatic rollback must not pick it again.
      if (left && leftWhy) {
        await state.markBad(left.releaseId, `${markedBy('rollback', env, revision.revision)} (${by})`, leftWhy);
        deps.crash('rollback.marked'); // marked bad on disk; the revision still says deploying
      }
      await save(env);
      operationCrash(deps, kind, 'verifying');
    }),
    markBad: fromPromise<void, OperationFailure>(({ input }) => state.markBad(revision.releaseId, markedBy(input.stage, env, revision.revision), input.message)),
    recordOutcome: fromPromise<OutcomeRecorded, OutcomeInput>(({ input }) => recordOutcome(input)),
    findLastKnownGood: fromPromise<RollbackTarget | null, void>(async () => {
      const lkg = lastKnownGood(doc, state.unusable);
      return lkg ? { revision: lkg.revision, releaseId: lkg.releaseId } : null;
    }),
  };
}

/**
 * Why a manual rollback marks the release it leaves bad. Recovery recognizes the mark by it: a
 * rollback undone after a crash clears the mark it made, and no other.
 */
export const rollbackMark = (from: number, to: number | null): string => `rolled back from #${from} to #${to}`;

/** Who an automatic mark names: the stage and the revision, `verify of staging#3`. */
export const markedBy = (stage: string, env: string, n: number): string => `${stage} of ${env}#${n}`;

/**
 * Why an automatic rollback after `failure` of revision `n` runs: its revision's `by`, which its
 * event and incident repeat. A failure of axum.yml (a gate on a metric no step wrote) says which,
 * or the rollback would read as a bad model.
 */
export const autoRollbackReason = (n: number, failure: OperationFailure): string =>
  `auto: #${n} failed ${failure.stage === 'deploy' ? 'its deploy hook' : failure.stage === 'verify' ? 'verification' : 'with an error'}${failure.unwrittenMetric ? `: ${failure.message.replace(/^gates failed: /, '')}` : ''}`;

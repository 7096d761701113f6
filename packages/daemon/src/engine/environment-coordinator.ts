// Per environment: at most one operation (a deploy machine) at a time, the queue of the release
// built meanwhile (newest wins), the monitor of the live revision and its incidents, and what
// `--wait` waits for.
import { createActor, fromPromise, toPromise } from 'xstate';
import type { RevisionView } from '@axum/protocol';
import { deployMachine, type RollBackInput } from '../domain/deploy-machine.js';
import { failurePolicy, heldByPin, operationPlan, pinnedNoRollbackText } from '../domain/deploy-policy.js';
import { lastKnownGood, lastKnownGoodFor, liveRevision, nextRevisionNumber, servingRevision } from '../domain/revisions.js';
import { operationWork, type OperationDeps } from './deploy-operation.js';
import { autoRollbackReason, markedBy, operationRecords, type OperationRecord } from './deploy-records.js';
import { withdrawFailed } from './deploy-recovery.js';
import { metricValues } from '../domain/metric-values.js';
import { pause } from '../domain/pause.js';
import type { DeployState } from './deploy-state.js';
import { createEnvironmentMonitors } from './environment-monitors.js';
import { RequestFailure } from './pipeline.js';
import { reconcileEnvironment, type Quiet } from './reconciliation.js';
import { pruneReleases } from './release-retention.js';
import { createHandOn } from './release-hand-on.js';
import { busyRefusal, CountedHolds } from './environment-holds.js';
import type { EnvironmentCoordinator, ReuseHandOn } from './environment-coordinator-api.js';

export type { Hold } from './environment-holds.js';

export type { EnvironmentCoordinator, ReuseHandOn } from './environment-coordinator-api.js';

/** The coordinator of every environment's operations over the shared records. */
export function createEnvironmentCoordinator(state: DeployState, operationDeps: OperationDeps, pointerMoves: (envDir: string) => number | null = () => 0): EnvironmentCoordinator {
  const { deps } = state;
  const holds = new CountedHolds();
  const unrecorded = new WeakMap<RevisionView, unknown>();
  const quiet: Quiet = (env) => {
    const moves = pointerMoves(state.envDir(env));
    return holds.has(env) || moves === null ? null : `${holds.changes(env)}:${moves}`;
  };
  /** Work that belongs to an environment's operations: machines running, follow-ups, resumed rollbacks. */
  const settling = new Map<string, Set<Promise<void>>>();
  const runTriggers = new Map<string, { trigger: string; who?: string | undefined }>();
  /** `env` NUL `releaseId` → the later run that reused it, while it is queued there (the queue holds only the id). */
  const reusedBy = new Map<string, ReuseHandOn>();
  const reuseKey = (env: string, releaseId: string) => `${env}\0${releaseId}`;
  /** `env#N` → the end of that revision's machine, which waits for the automatic rollback it starts. */
  const ending = new Map<string, Promise<unknown>>();
  /** Aborted when the daemon stops: deploy, verify and monitor processes are killed, not orphaned. */
  const abortAll = new AbortController();

  const track = (env: string, work: Promise<void>) => {
    const set = settling.get(env) ?? new Set();
    settling.set(env, set);
    const tracked = work.catch((err: Error) => deps.logger.error(`${env}: ${err.stack ?? err.message}`)).finally(() => set.delete(tracked));
    set.add(tracked);
  };
  const monitors = createEnvironmentMonitors(state, operationDeps, {
    held: (env) => holds.has(env),
    onChange: (env) => saveSoon(env),
    onIncident: (env, revision, message) => track(env, incident(env, revision, message)),
    onInconclusive: (env, revision, message) => track(env, pauseLive(env, revision, message)),
    onDeclared: (env, what) => {
      deps.logger.info(what);
      deps.say?.(what);
    },
  });
  const save = async (env: string) => {
    await state.persist(env);
    await monitors.sync(env);
  };
  /** Saves and tells clients without touching the monitor (steps, checks, metrics changed in place). */
  const saveSoon = (env: string): void => {
    const doc = state.docs.get(env);
    if (!doc) return;
    state
      .storeOf(env)
      .save(doc)
      .then(() => deps.publish(env))
      .catch((err: Error) => deps.logger.warn(`${env}: saving its history: ${err.message}`));
  };
  const prune = () => state.serially(() => pruneReleases(state)).catch((err: Error) => deps.logger.warn(`release retention: ${err.message}`));

  /** A monitor incident: recorded, the release marked bad; with rollback.auto, back to the last known good unless pinned. */
  const incident = async (env: string, revision: RevisionView, message: string): Promise<void> => {
    const doc = await state.docOf(env);
    doc.incident = message;
    await state.markBad(revision.releaseId, markedBy('monitor', env, revision.revision), message);
    await save(env);
    if (holds.has(env)) return; // an operation took over: what it makes live is what counts
    if (doc.paused) {
      // Paused: a person decides, the monitor does not roll back behind their back.
      doc.incident = `${message} — paused: no automatic rollback (axum rollback ${env} goes back, axum approve ${env} keeps it)`;
      await save(env);
      return;
    }
    const lkg = lastKnownGood(doc, state.unusable);
    const autoRollback = state.configFor(state.release(revision.releaseId))?.rollback?.auto ?? false;
    // Passed: a tick whose step succeeded (one that measured nothing is `inconclusive`, one whose log
    // was lost `failed`). Read from the kept steps, so a restart knows it too; a pass older than the
    // kept ring counts as none, which only stops a rollback (the incident says how to go on).
    const monitorPassed = revision.steps.some((step) => step.stage === 'monitor' && step.status === 'succeeded');
    const at = { stage: 'monitor' as const, kind: revision.kind, autoRollback, lastKnownGood: lkg !== null, monitorPassed, pinned: doc.pinned !== null };
    if (heldByPin(at)) {
      doc.incident = `${message}${pinnedNoRollbackText(env)}`;
      await save(env);
    } else if (failurePolicy(at) === 'roll-back' && lkg) {
      await operate(env, lkg.releaseId, 'auto-rollback', lkg.revision, `auto: ${message}`);
    } else if (autoRollback && lkg && revision.kind === 'auto-rollback') {
      // The incident marked the release bad as any monitor incident does, though the cause may lie
      // outside it: said first (a cut line keeps it), with the way to clear it once that is fixed.
      doc.incident = `${message} — not rolled back again, ${revision.releaseId} marked bad: #${revision.revision} is an automatic rollback whose monitor never passed, so the cause may be outside the release (once that is fixed: axum mark ${revision.releaseId} good; axum rollback ${env} --to N goes further back)`;
      await save(env);
    } else if (autoRollback) {
      doc.incident = `${message} — no last known good revision to roll back to`;
      await save(env);
    }
  };

  /** A monitor check inconclusive past its limit on the live revision: the environment pauses (saved before it is told). */
  const pauseLive = async (env: string, revision: RevisionView, message: string): Promise<void> => {
    const doc = await state.docOf(env);
    if (holds.has(env) || liveRevision(doc) !== revision) return; // an operation took over: what it makes live is what counts
    if (!pause(doc, revision.revision, message, state.now())) return;
    deps.logger.warn(`${env}: paused: ${message} (axum approve ${env} keeps #${revision.revision}, axum rollback ${env} goes back)`);
    await save(env);
  };

  /** After an operation that did not roll back: the queued release deploys, or retention runs. */
  const followUp = async (env: string): Promise<void> => {
    const doc = await state.docOf(env);
    const next = doc.queuedReleaseId;
    if (next && !holds.has(env) && state.declares(env)) {
      doc.queuedReleaseId = null;
      // A save the disk refuses leaves the release queued in memory as on disk: else a restart
      // would deploy what this daemon had dropped, and the next follow-up would not.
      await save(env).catch((err: unknown) => {
        if (doc.queuedReleaseId === null) doc.queuedReleaseId = next;
        throw err;
      });
      // The environment may have been pinned, or switched to manual approval, since this was queued.
      const built = state.release(next);
      if (built) await handOn(env, built, reusedBy.get(reuseKey(env, built.id)), true);
      return;
    }
    // What is live and last known good just changed: releases that were protected may go now.
    await prune();
  };

  const operate: EnvironmentCoordinator['operate'] = async (env, releaseId, kind, rollbackTo, by, runId = null, onRecorded) => {
    const doc = await state.docOf(env); // before the busy check: nothing may await between check and hold
    const busy = holds.get(env);
    if (busy) return busyRefusal(env, busy);
    const target = state.release(releaseId);
    if (!target) return new RequestFailure('not-found', `no release ${releaseId} (it may have been pruned by history.keepReleases)`);
    // The release's own config (ARCHITECTURE.md, glossary: Release), never the working tree's.
    const config = state.configFor(target);
    if (!config) return new RequestFailure('refused', `${releaseId} has no config snapshot and no valid axum.yml was ever loaded`);
    const revision: RevisionView = {
      ...{ revision: nextRevisionNumber(doc), status: 'deploying', kind, releaseId, commit: target.commit, rollbackTo, verified: false },
      ...{ createdAt: state.now(), finishedAt: null, by, message: null, runId, metrics: {}, gates: [], steps: [], checks: { total: 0, failed: 0 } },
    };
    // Gates show the last known good's value beside each metric: the LKG before this operation, less what it marks bad.
    const lkg = lastKnownGoodFor(doc, state.unusable, kind);
    // Each metric as its gate found it: the verify steps' value, else the build's.
    const lkgMetrics = lkg ? metricValues(lkg.metrics, state.release(lkg.releaseId)?.metrics ?? {}) : null;
    let free!: () => void;
    const released = new Promise<void>((resolve) => (free = resolve));
    holds.set(env, { revision: revision.revision, kind, holder: by, startedAt: revision.createdAt, done: released });
    const incidentBefore = doc.incident;
    doc.revisions.push(revision);
    const steps = operationPlan(config);
    const previousServing = servingRevision(doc)?.revision ?? null;
    const autoRollback = config.rollback?.auto ?? false;
    const op: OperationRecord = { env, doc, revision, previousLive: liveRevision(doc), previousServing, steps, autoRollback };
    const previous = previousServing ? (state.release(previousServing.releaseId) ?? null) : null;
    const machine = deployMachine.provide({
      actors: {
        ...operationWork({ env, envDir: state.envDir(env), release: target, revision, config, previous, masked: state.config() }, operationDeps, abortAll.signal, () => saveSoon(env)),
        ...operationRecords(op, state, async (name) => {
          await save(name);
          if (onRecorded && state.onDisk(revision)) {
            const tell = onRecorded;
            onRecorded = undefined;
            tell();
          }
        }),
        rollBack: fromPromise<void, RollBackInput>(async ({ input }) => {
          await released; // the automatic rollback is an operation of its own: this one must have let go
          deps.logger.warn(`${env}: #${revision.revision} failed; rolling back to last known good #${input.to.revision}`);
          await operate(env, input.to.releaseId, 'auto-rollback', input.to.revision, autoRollbackReason(revision.revision, input.failure));
        }),
        withdraw: fromPromise<void, void>(async () => {
          const withdrawn = await withdrawFailed(state, env, revision);
          doc.incident = `${doc.incident ?? ''} — no last known good revision to roll back to${withdrawn ? '; current is removed (nothing verified to serve)' : ''}`;
          await save(env);
        }),
      },
    });
    const actor = createActor(machine, {
      input: { kind, releaseId, address: `${env}#${revision.revision}`, steps, gates: config.verify?.gates ?? {}, lkgMetrics, buildMetrics: target.metrics, autoRollback },
    });
    const key = `${env}#${revision.revision}`;
    const ended = toPromise(actor).catch(() => undefined).finally(() => ending.get(key) === ended && ending.delete(key));
    ending.set(key, ended);
    let holding = true;
    const letGo = () => {
      if (!holding) return;
      holding = false;
      // No save wrote its revision (the first failed, and none after it reached the disk): what it
      // did to the document — the revision, the incident of its refusal — goes before clients are
      // told, so no one sees an incident come and go that the records never held.
      if (op.unrecorded !== undefined && !state.onDisk(revision)) {
        unrecorded.set(revision, op.unrecorded);
        const at = doc.revisions.indexOf(revision);
        if (at >= 0) doc.revisions.splice(at, 1);
        doc.incident = incidentBefore;
      }
      holds.delete(env);
      void monitors.sync(env).catch((err: Error) => deps.logger.warn(`${env}: monitor: ${err.message}`));
      free();
      deps.publish(env);
    };
    actor.subscribe({ next: (snapshot) => void (snapshot.hasTag('holding') || letGo()), error: letGo });
    track(
      env,
      toPromise(actor)
        .then(async () => {
          if (actor.getSnapshot().value !== 'rolledBack') await followUp(env); // the rollback's own follow-up runs instead
        })
        .finally(letGo)
        // After every operation, `current` against the history (unless the next one holds it already).
        .finally(() => reconcileEnvironment(state, env, quiet).catch((err: Error) => deps.logger.warn(`${env}: reconciling current with its history: ${err.message}`))),
    );
    actor.start();
    await released;
    return revision;
  };

  const handOn = createHandOn({ state, holds, save, operate, runTriggers, reusedBy, reuseKey, runFor, unrecorded: (revision) => unrecorded.get(revision) });

  function runFor(env: string, releaseId: string): string | null {
    const waiting = state.docs.get(env)?.waitingRuns?.find((w) => w.releaseId === releaseId)?.runId;
    return reusedBy.get(reuseKey(env, releaseId))?.runId ?? waiting ?? state.release(releaseId)?.runId ?? null;
  }

  return {
    operate,
    hold: (env) => holds.get(env),
    unrecorded: (revision) => unrecorded.get(revision),
    quiet,
    handOn,
    next: followUp,
    noteTrigger: (runId, trigger, who) => void runTriggers.set(runId, { trigger, who }),
    runFor,
    save,
    syncMonitor: (env) => monitors.sync(env),
    prune,
    track,
    recovering(env, revision, work) {
      let free!: () => void;
      const done = new Promise<void>((resolve) => (free = resolve));
      holds.set(env, { revision, kind: 'recovery', holder: 'daemon restart', startedAt: state.now(), done });
      deps.publish(env);
      const letGo = () => {
        holds.delete(env);
        free();
        deps.publish(env);
      };
      track(
        env,
        work()
          .finally(letGo)
          .then(async () => {
            await monitors.sync(env);
            await followUp(env);
          }),
      );
    },
    async ended(env, revision) {
      await ending.get(`${env}#${revision}`);
    },
    async idle(env) {
      for (;;) {
        const pending = [...(settling.get(env) ?? [])];
        const hold = holds.get(env);
        if (!hold && pending.length === 0) return;
        await Promise.all([hold?.done, ...pending]);
      }
    },
    async stop() {
      abortAll.abort();
      await monitors.stop();
    },
  };
}

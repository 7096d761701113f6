import type { ReleaseListing, ReleaseView } from '@axum/protocol';
import { hostsServing } from '../domain/revision-hosts.js';
import { listReleases } from '../domain/release-listing.js';
import { lastKnownGood, liveRevision, nextRevisionNumber, nothingMoved, rollbackRefusal, servingRevision } from '../domain/revisions.js';
import { parseMetrics } from '../domain/gates.js';
import { MIN_SECRET_LENGTH, maskText } from '../domain/masker.js';
import { liftPause } from '../domain/pause.js';
import type { RunRecord } from '../domain/history.js';
import type { OperationDeps } from './deploy-operation.js';
import { recoverEnvironment, resumeAutoRollback } from './deploy-recovery.js';
import { sweepReleaseStore, tidyFolders } from './release-store-sweep.js';
import { createDeployState, type DeploymentsDeps } from './deploy-state.js';
import { createEnvironmentCoordinator } from './environment-coordinator.js';
import { environmentState, type EnvironmentState } from './environment-state.js';
import { readOperationLog } from './operation-logs.js';
import { createOperatorRequests, type PinOutcome } from './operator-requests.js';
import { reconcileEnvironment, reconcileEnvironments } from './reconciliation.js';
import { sweepOperationLogs } from './operation-log-retention.js';
import { RequestFailure } from './pipeline.js';
import { requestRecords } from './unsaved-requests.js';
import { reserveReleaseId } from './release-ids.js';
import { diffMetrics, releaseDiff } from './release-diff.js';
import { reuseRun, type Reuse } from './release-reuse.js';
import { createReleaseIntegrity, watchingMoves, type ReleaseIntegrity } from './release-integrity.js';
import type { DeployResult, FsckReport, LogChunk, MarkResult, PipelineConfig, ReleaseDiff, RevisionView } from '@axum/protocol';

export type { DeploymentsDeps } from './deploy-state.js';
export type { PinOutcome } from './operator-requests.js';

export type { EnvironmentState } from './environment-state.js';

/** Releases, revisions, deploy, verify and rollback per environment (ARCHITECTURE.md, Glossary). */
export interface Deployments {
  start(): Promise<void>;
  setConfig(config: PipelineConfig): void;
  state(env: string): EnvironmentState;
  /** Environments with records that the config in use does not declare, as they were last configured. */
  undeclared(): { name: string; branch: string; path: string; protected: boolean; approval: 'auto' | 'manual' }[];
  /**
   * A run on an environment's branch succeeded: makes its release (artifacts, metrics, commit)
   * and hands it on — deploys, waits for approval, or is held by a pin. Returns what happened.
   */
  releaseRun(run: RunRecord, workdir: string, runConfig: PipelineConfig, metricsFile: string): Promise<{ releaseId: string; message: string; warnings: string[] }>;
  /**
   * Before a run's stages (build once, promote): hands on the release its commit already has with the
   * same config, when its stored files are intact (a bad one is refused unless the run is forced);
   * `reused: null` when the run must build.
   */
  reuseRun(run: RunRecord, runConfig: PipelineConfig): Promise<Reuse>;
  history(env: string): RevisionView[] | RequestFailure;
  /** Reads a revision's operation log: `address` is `ENV#N`, `step` a step of it (`smoke`, `check-12`). */
  readLog(params: { address: string; step: string; offset: number; limit: number }): Promise<LogChunk | RequestFailure>;
  releases(): ReleaseView[];
  /** `axum releases [--env ENV]`: newest first, with where each is live, where it was verified, its size. */
  listReleases(env?: string): ReleaseListing[] | RequestFailure;
  /**
   * `axum fsck`: re-hashes every release's stored files (marks the corrupt ones bad) and folders,
   * and checks every environment's `current` target (a problem raises its incident). `rebuild`
   * first adds the releases the folders' manifests describe and the index lacks; `repair` puts right
   * what can be (a changed folder from the store, a lost stored file from an intact folder).
   */
  fsck(rebuild?: boolean, repair?: boolean): Promise<FsckReport>;
  /** The folders of every environment's `current`; then a comparison of each `current` with its history. */
  currentDirs(): string[];
  reconcileCurrent(): Promise<void>;
  /** What changes going from one release to another: shown before a rollback is confirmed. */
  diff(from: string, to: string, env?: string): Promise<ReleaseDiff | RequestFailure>;
  /** A release deployed by hand; a bad one needs `force`. A pinned environment stays pinned. */
  deploy(env: string, releaseId: string, by: string, force?: boolean, again?: boolean): Promise<DeployResult | RevisionView | RequestFailure>;
  /**
   * Rolls back to revision `to` (null: the last known good other than the live release) and pins.
   * It marks bad the release it moves away from — the live one, `state(env).live.releaseId` (never
   * the target's: a rollback to what is live is refused); nothing when only a failed revision serves
   * (that release is bad already). A confirmation says so before it is asked.
   */
  rollback(env: string, to: number | null, force: boolean, by: string): Promise<RevisionView | RequestFailure>;
  /** Deploys the release waiting for approval; a bad one is refused (forcing it is `deploy --force`). */
  approve(env: string, by: string, force?: boolean, seen?: string): Promise<RevisionView | RequestFailure>;
  /** `axum promote FROM TO`: FROM's live release deployed to TO as it is (no rebuild); a bad one needs `force`. */
  promote(from: string, to: string, force: boolean, by: string, seen?: string, again?: boolean): Promise<DeployResult | RevisionView | RequestFailure>;
  /** Pins, or unpins and deploys the newest release the pin held back (`deployed`), or says why not (`note`). */
  pin(env: string, pinned: boolean, by: string): Promise<(EnvironmentState & PinOutcome) | RequestFailure>;
  /** `axum mark REL good|bad`: sets or clears the bad mark, journaled on the release, saved before it answers. */
  mark(releaseId: string, mark: 'good' | 'bad', reason: string | undefined, by: string): Promise<MarkResult | RequestFailure>;
  /** Calls `listener` when an operation's log (`ENV#N`, step) may have grown or its step ended. Returns how to stop. */
  onLogActivity(listener: (address: string, step: string) => void): () => void;
  /** Resolves when the environment has no operation running (for `--wait`). */
  idle(env: string): Promise<void>;
  /** Resolves when revision `revision`'s operation has ended with the automatic rollback it started (`env.settled`). */
  ended(env: string, revision: number): Promise<void>;
  /** Stops every monitor (daemon stopping). */
  stop(): Promise<void>;
}

/**
 * Deployments over the ports: the records (deploy-state.ts), one deploy machine per operation under
 * the environment coordinator, crash recovery at start, and what clients ask of environments.
 */
export function createDeployments(given: DeploymentsDeps): Deployments {
  // Every pointer move is followed by a re-hash of the folder it now names (in the background).
  const moves = watchingMoves(given.releases, (envDir) => integrity.afterMove(envDir));
  const deps: DeploymentsDeps = { ...given, releases: moves.store };
  const state = createDeployState(deps);
  const logListeners = new Set<(address: string, step: string) => void>();
  const logActivity = (address: string, step: string) => {
    for (const listener of logListeners) listener(address, step);
  };
  const operationDeps: OperationDeps = { ...deps, trackProcess: state.trackProcess, logActivity, fleet: state.fleet };
  const environments = createEnvironmentCoordinator(state, operationDeps, moves.quiet);
  const quiet = environments.quiet;
  const integrity: ReleaseIntegrity = createReleaseIntegrity(state, {
    operationDone: async (env) => environments.hold(env)?.done,
    track: (env, work) => environments.track(env, work),
    compare: (env) => reconcileEnvironment(state, env, quiet),
  });
  const { docOf, release, unusable, now } = state;
  const save = environments.save;
  // Known: declared by the config in use, or with records (ARCHITECTURE.md, glossary: Records).
  const knownEnv = (env: string) => {
    const known = state.environments();
    return known.includes(env) ? null : new RequestFailure('not-found', `no environment ${env}${known.length > 0 ? ` (environments: ${known.join(', ')})` : ''}`);
  };
  const requests = createOperatorRequests(state, environments, knownEnv);

  async function makeRelease(run: RunRecord, workdir: string, runConfig: PipelineConfig, metricsFile: string, warn: (text: string) => void): Promise<ReleaseView> {
    // Named after the run while its number is above every one used; never an id used before.
    const id = await reserveReleaseId(deps.releases, run.number, state.releasesDoc().releases.map((r) => r.id));
    // A file name is text from outside too: a release would carry a secret in its file list, its
    // folder and its manifest for good. Refused by name before anything of the release is written.
    const secrets = runConfig.secrets.map((name) => (Object.hasOwn(deps.baseEnv, name) ? (deps.baseEnv[name] ?? '') : '')).filter((v) => v.length >= MIN_SECRET_LENGTH);
    const built = await deps.releases.create({
      id,
      runId: run.id,
      commit: run.commit,
      branch: run.branch,
      subject: run.subject,
      workdir,
      patterns: runConfig.artifacts,
      metrics: parseMetrics(await deps.readText(metricsFile)),
      createdAt: now(),
      unmatched: (patterns) => warn(`artifacts ${patterns.join(', ')} matched no file`),
      refusePath: (path) => (secrets.some((secret) => path.includes(secret)) ? `the artifact ${maskText(path, secrets)} has a registered secret in its name; rename it` : null),
      config: runConfig, // its own config snapshot
    });
    deps.crash('release.stored');
    state.releasesDoc().releases.push(built);
    await deps.releasesStore.save(state.releasesDoc());
    deps.crash('release.recorded');
    return built;
  }

  /** Crash recovery of one environment, then what was waiting in it. */
  async function recover(env: string): Promise<void> {
    await recoverEnvironment(state, env, environments);
    // A crash may have come between a revision's change and its run's: the revision is the truth.
    for (const revision of (await docOf(env)).revisions) if (revision.status !== 'superseded') state.tellRun(env, revision);
    await resumeAutoRollback(state, env, environments);
    await environments.syncMonitor(env);
    const doc = await docOf(env);
    const queued = doc.queuedReleaseId ? release(doc.queuedReleaseId) : undefined;
    // Commits deploy only to environments the config in use declares: it waits in the queue till then.
    if (queued && state.declares(env)) {
      doc.queuedReleaseId = null;
      await save(env);
      await environments.handOn(env, queued, undefined, true); // queued before the restart: it still deploys, unless a newer release is live
    }
  }

  return {
    async start() {
      const warning = await state.loadReleases();
      await tidyFolders(state, warning);
      // Every environment with records, whatever the working tree's axum.yml declares: its documents
      // are loaded first (where its `current` is, what retention must keep), then it is recovered.
      await state.loadRecorded();
      const loaded = await Promise.allSettled(state.environments().map((env) => docOf(env)));
      const unread = loaded.find((l) => l.status === 'rejected');
      await sweepReleaseStore(state, unread ? `an environment's history could not be read (${String((unread as PromiseRejectedResult).reason)})` : warning);
      for (const env of state.environments()) {
        try {
          await recover(env);
        } catch (err) {
          // One broken environment must not keep the daemon (and every other environment) down.
          deps.warn(`${env}: could not recover its deployments: ${(err as Error).message}`);
        }
      }
      state.recordDeclarations();
      await reconcileEnvironments(state, quiet);
      // Remote hosts are asked in the background: an unreachable one must not hold the start up.
      for (const env of state.environments()) {
        if (environments.hold(env)) continue; // an operation records its hosts itself
        const serving = state.docs.get(env) ? servingRevision(state.docs.get(env)!) : null;
        void state.fleet.check(env, serving ? (release(serving.revision.releaseId) ?? null) : null);
      }
      await sweepOperationLogs(state).catch((err: Error) => deps.logger.warn(`sweeping operation logs: ${err.message}`));
    },
    undeclared() {
      return state.environments().flatMap((name) => {
        if (state.declares(name)) return [];
        const declared = state.declaration(name);
        // Never configured since records began: shown protected (a rollback asks first), its folder the default.
        return [{ name, branch: declared?.branch ?? '', path: state.envDir(name), protected: declared?.protected ?? true, approval: declared?.approval ?? 'auto' }];
      });
    },
    setConfig(next) {
      const declaredBefore = new Set([...state.docs.keys()].filter((env) => state.declares(env)));
      state.setConfig(next);
      // Environments added by an edit get their history loaded (and shown) too.
      for (const env of Object.keys(next.environments)) if (!state.docs.has(env)) void docOf(env).then(() => deps.publish(env));
      // A release queued while axum.yml did not declare its environment deploys now that it does (an edit of another key moves nothing).
      for (const [env, doc] of state.docs) {
        if (declaredBefore.has(env) || !Object.hasOwn(next.environments, env) || !doc.queuedReleaseId || environments.hold(env)) continue;
        deps.say?.(`${env} is in axum.yml again: ${doc.queuedReleaseId}, queued while it was not, deploys now`);
        void environments.next(env).catch((err: Error) => deps.logger.warn(`${env}: ${err.message}`));
      }
      for (const env of state.docs.keys()) void environments.syncMonitor(env).catch((err: Error) => deps.logger.warn(`${env}: monitor: ${err.message}`)); // a `monitor:` removed or put back
    },
    state: (env) => environmentState(state, env, environments.hold(env)),
    async releaseRun(run, workdir, runConfig, metricsFile) {
      // Serialized with retention: a blob stored for a release not yet recorded must not be collected.
      // A pattern that matched nothing is said on the run (`warning: …`), before what the deploy did.
      const warnings: string[] = [];
      const built = await state.serially(() => makeRelease(run, workdir, runConfig, metricsFile, (text) => warnings.push(text)));
      environments.noteTrigger(run.id, run.trigger, run.by);
      const message = await environments.handOn(run.env ?? '', built);
      await environments.prune();
      return { releaseId: built.id, message, warnings };
    },
    reuseRun: (run, runConfig) => reuseRun(state, environments, run, runConfig),
    history(env) {
      const unknown = knownEnv(env);
      if (unknown) return unknown;
      const doc = state.docs.get(env);
      const serving = doc ? servingRevision(doc)?.revision.revision : undefined;
      const paused = doc?.paused?.revision;
      return hostsServing(doc?.revisions ?? [], doc?.hosts ?? []).reverse().map((r) => (r.revision === serving || r.revision === paused ? { ...r, ...(r.revision === serving ? { serving: true } : {}), ...(r.revision === paused ? { paused: true } : {}) } : r));
    },
    releases() {
      return [...state.releasesDoc().releases].reverse();
    },
    listReleases(env) {
      if (env !== undefined) {
        const unknown = knownEnv(env);
        if (unknown) return unknown;
      }
      return listReleases(state.releasesDoc().releases, state.docsInOrder(), env);
    },
    onLogActivity(listener) {
      logListeners.add(listener);
      return () => logListeners.delete(listener);
    },
    async readLog(params) {
      return readOperationLog(params, { docs: state.docs, docOf, known: (env) => knownEnv(env) === null || state.docs.has(env), recorded: (id) => release(id) !== undefined, logs: deps.logs });
    },
    fsck: (rebuild = false, repair = false) => integrity.fsck(rebuild, repair),
    currentDirs: () => state.environments().map((env) => state.envDir(env)),
    reconcileCurrent: () => reconcileEnvironments(state, quiet),
    diff: (fromId, toId, env) => releaseDiff(deps.git, release, fromId, toId, diffMetrics(state, env)),
    deploy: (env, releaseId, by, force = false, again = false) => requests.deploy(env, releaseId, by, force, again),
    promote: (from, to, force, by, seen, again = false) => requests.promote(from, to, force, by, seen, again),
    mark: (releaseId, mark, reason, by) => requests.mark(releaseId, mark, reason, by),
    async rollback(env, to, force, by) {
      const unknown = knownEnv(env);
      if (unknown) return unknown;
      const doc = await docOf(env);
      const busy = environments.hold(env);
      if (busy) return new RequestFailure('conflict', `${env} is busy: #${busy.revision} (${busy.kind}) by ${busy.holder}`);
      const target = to === null ? (lastKnownGood(doc, unusable) ?? undefined) : doc.revisions.find((r) => r.revision === to);
      const live = liveRevision(doc);
      const refusal = rollbackRefusal(doc, target, to, target ? release(target.releaseId)?.bad : undefined, force, live ? unusable(live.releaseId) : false);
      if (refusal || !target) return new RequestFailure('refused', refusal ?? 'nothing to roll back to');
      // A rollback must not be undone by the next commit: pin until `axum unpin` (before the
      // pointer moves, so no queued deploy slips in; undone if the rollback is refused).
      // An earlier pin stays as it is; a pin this rollback sets names its revision (the number
      // `operate` gives it next: nothing else records a revision without holding the environment).
      const records = requestRecords(env, doc, environments, deps.publish);
      const pinnedBefore = doc.pinned;
      const servingBefore = servingRevision(doc)?.revision ?? null;
      doc.pinned = pinnedBefore ?? { by, at: now(), rollback: nextRevisionNumber(doc) };
      const unpause = liftPause(doc); // a person decided; a release the pause held stays held, by the pin now
      // Its revision never reached the disk: memory is put back as the records are, pin and pause too.
      const result = records.operated(`the rollback of ${env}`, await environments.operate(env, target.releaseId, 'rollback', target.revision, by));
      // Refused, or undone after an error of the machine: what was live still is, so the pin it
      // set goes too (pointer, marks and pin agree: nothing of the rollback remains).
      if (!records.putBack && nothingMoved(doc, servingBefore, result instanceof RequestFailure ? null : result)) {
        doc.pinned = pinnedBefore;
        unpause();
        // Recorded, then undone, and the disk filled meanwhile: the records hold the revision cut
        // short, which the next start finishes or undoes as a crash's; the answer says why.
        return (await records.save(`the rollback of ${env}`)) ?? result;
      }
      return result;
    },
    approve: (env, by, force = false, seen) => requests.approve(env, by, force, seen),
    async pin(env, pinned, by) {
      const outcome = await requests.pin(env, pinned, by);
      return outcome instanceof RequestFailure ? outcome : { ...this.state(env), ...outcome };
    },
    stop: () => environments.stop(),
    idle: (env) => environments.idle(env),
    ended: (env, revision) => environments.ended(env, revision),
  };
}

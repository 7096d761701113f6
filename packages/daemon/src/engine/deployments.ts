import type { ReleaseListing, ReleaseView } from '@axum/protocol';
import { hostsServing } from '../domain/revision-hosts.js';
import { listReleases } from '../domain/release-listing.js';
import { servingRevision } from '../domain/revisions.js';
import type { RunRecord } from '../domain/history.js';
import type { OperationDeps } from './deploy-operation.js';
import { createDeployState, type DeploymentsDeps } from './deploy-state.js';
import { startDeployments } from './deployments-start.js';
import { createEnvironmentCoordinator } from './environment-coordinator.js';
import { environmentState, type EnvironmentState } from './environment-state.js';
import { readOperationLog } from './operation-logs.js';
import { createOperatorRequests, type PinOutcome } from './operator-requests.js';
import { reconcileEnvironment, reconcileEnvironments } from './reconciliation.js';
import { RequestFailure } from './pipeline.js';
import { diffMetrics, releaseDiff } from './release-diff.js';
import { releaseRun } from './release-making.js';
import { reuseRun, type Reuse } from './release-reuse.js';
import { createReleaseIntegrity, watchingMoves, type ReleaseIntegrity } from './release-integrity.js';
import { rollbackRequest } from './rollback-request.js';
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
 * the environment coordinator, the start (deployments-start.ts), a run's release made and handed on
 * (release-making.ts), and what clients ask of environments (operator-requests.ts, rollback-request.ts).
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
  const { docOf, release } = state;
  // Known: declared by the config in use, or with records (ARCHITECTURE.md, glossary: Records).
  const knownEnv = (env: string) => {
    const known = state.environments();
    return known.includes(env) ? null : new RequestFailure('not-found', `no environment ${env}${known.length > 0 ? ` (environments: ${known.join(', ')})` : ''}`);
  };
  const requests = createOperatorRequests(state, environments, knownEnv);

  return {
    start: () => startDeployments(state, environments),
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
    releaseRun: (run, workdir, runConfig, metricsFile) => releaseRun(state, environments, run, workdir, runConfig, metricsFile),
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
      return knownEnv(env) ?? rollbackRequest(state, environments, env, to, force, by);
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

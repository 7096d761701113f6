import { parseYaml, type LogChunk, type PipelineConfig, type ReleaseDiff, type ReleaseView, type RevisionView, type RunDeploy } from '@axum/protocol';
import { changedArtifacts, changedConfigKeys, emptyEnvironmentDocument, lastKnownGood, lastKnownGoodOrLive, metricDeltas, liveRevision, nextRevisionNumber, rollbackRefusal, type EnvironmentDocument, type ReleasesDocument } from '../domain/revisions.js';
import { parseMetrics } from '../domain/gates.js';
import { deployOutcomeOf, revisionHealth } from '../domain/deploy-outcome.js';
import { autoRollbackIncident } from '../domain/incidents.js';
import { operationCrash, runDeployOperation, secretValues, type OperationDeps } from './deploy-operation.js';
import { readOperationLog } from './operation-logs.js';
import { startMonitor, type Monitor } from './monitor.js';
import { recoverEnvironment, resumeAutoRollback, withdrawFailed } from './deploy-recovery.js';
import { pruneReleases } from './release-retention.js';
import { RequestFailure } from './pipeline.js';
import type { DocumentStore } from './ports.js';
import type { RunRecord } from '../domain/history.js';

/** The slice of an environment's view that deployments own. */
export interface EnvironmentState {
  pinned: boolean;
  awaitingApproval: boolean;
  pendingReleaseId: string | null;
  live: { revision: number; releaseId: string; commit: string } | null;
  lastKnownGood: { revision: number; releaseId: string; commit: string } | null;
  operation: { revision: number; kind: string; holder: string; startedAt: string } | null;
  incident: string | null;
  liveMetric: { name: string; value: number; lkgValue: number | null } | null;
  lastCheck: { passed: boolean; at: string; step: string } | null;
}

export interface DeploymentsDeps extends Omit<OperationDeps, 'trackProcess' | 'logActivity'> {
  releasesStore: DocumentStore<ReleasesDocument>;
  environmentStore(env: string): DocumentStore<EnvironmentDocument>;
  /** Absolute folder of an environment's `current` link. */
  envDir(env: string): string;
  /** Tells clients an environment changed. */
  publish(env: string): void;
  warn(message: string): void;
  /** What became of a run's deploy changed (DESIGN.md §3): the run record follows, with a line saying why. */
  runDeploy(runId: string, deploy: RunDeploy, message: string | null): void;
}

/** The state and verbs recovery (deploy-recovery.ts) and retention (release-retention.ts) work with. */
export interface DeploymentsCore {
  deps: DeploymentsDeps;
  config(): PipelineConfig | null;
  docs: ReadonlyMap<string, EnvironmentDocument>;
  docOf(env: string): Promise<EnvironmentDocument>;
  storeOf(env: string): DocumentStore<EnvironmentDocument>;
  /** Persists the environment's document, tells clients, keeps its monitor in step. */
  save(env: string): Promise<void>;
  releasesDoc(): ReleasesDocument;
  release(id: string): ReleaseView | undefined;
  /** Marked bad or pruned: never a rollback target. */
  unusable(id: string): boolean;
  now(): string;
  operate(env: string, releaseId: string, kind: RevisionView['kind'], rollbackTo: number | null, by: string, runId?: string | null): Promise<RevisionView | RequestFailure>;
  /** Tells the run behind a revision (if any) what became of its deploy. */
  tellRun(env: string, revision: RevisionView): void;
  /** Environments whose operation ended but whose follow-up has not (`idle` waits for them). */
  settling: Map<string, Promise<void>>;
}

/** Releases, revisions, deploy, verify and rollback per environment (DESIGN.md §3). */
export interface Deployments {
  start(): Promise<void>;
  setConfig(config: PipelineConfig): void;
  state(env: string): EnvironmentState;
  /**
   * A run on an environment's branch succeeded: makes its release (artifacts, metrics, commit)
   * and hands it on — deploys, waits for approval, or is held by a pin. Returns what happened.
   */
  releaseRun(run: RunRecord, workdir: string, runConfig: PipelineConfig, metricsFile: string): Promise<{ releaseId: string; message: string }>;
  history(env: string): RevisionView[] | RequestFailure;
  /** Reads a revision's operation log: `address` is `ENV#N`, `step` a step of it (`smoke`, `check-12`). */
  readLog(params: { address: string; step: string; offset: number; limit: number }): Promise<LogChunk | RequestFailure>;
  releases(): ReleaseView[];
  /** Re-hashes every release's stored files (`axum fsck`); marks the corrupt ones bad. */
  fsck(): Promise<{ releases: number; problems: { releaseId: string; problem: string }[] }>;
  /** What changes going from one release to another: shown before a rollback is confirmed. */
  diff(from: string, to: string): Promise<ReleaseDiff | RequestFailure>;
  deploy(env: string, releaseId: string, by: string): Promise<RevisionView | RequestFailure>;
  rollback(env: string, to: number | null, force: boolean, by: string): Promise<RevisionView | RequestFailure>;
  approve(env: string, by: string): Promise<RevisionView | RequestFailure>;
  pin(env: string, pinned: boolean, by: string): Promise<EnvironmentState | RequestFailure>;
  /** Calls `listener` when an operation's log (`ENV#N`, step) may have grown or its step ended. Returns how to stop. */
  onLogActivity(listener: (address: string, step: string) => void): () => void;
  /** Resolves when the environment has no operation running (for `--wait`). */
  idle(env: string): Promise<void>;
  /** Stops every monitor (daemon stopping). */
  stop(): Promise<void>;
}

export function createDeployments(deps: DeploymentsDeps): Deployments {
  let config: PipelineConfig | null = null;
  let releasesDoc: ReleasesDocument = { version: 1, releases: [] };
  const docs = new Map<string, EnvironmentDocument>();
  const stores = new Map<string, DocumentStore<EnvironmentDocument>>();
  const operations = new Map<string, { revision: number; kind: string; holder: string; startedAt: string; done: Promise<void> }>();
  /** Environments whose operation ended but whose follow-up (auto-rollback, queued deploy) has not. */
  const settling = new Map<string, Promise<void>>();
  const now = () => new Date(deps.clock.now()).toISOString();

  const storeOf = (env: string) => {
    let store = stores.get(env);
    if (!store) stores.set(env, (store = deps.environmentStore(env)));
    return store;
  };
  const loading = new Map<string, Promise<EnvironmentDocument>>();
  /** Loads an environment's document once, however many callers ask at the same time. */
  const docOf = (env: string): Promise<EnvironmentDocument> => {
    let pending = loading.get(env);
    if (!pending) {
      pending = storeOf(env)
        .load()
        .then(({ doc, warning }) => {
          if (warning) deps.warn(warning);
          docs.set(env, doc);
          return doc;
        });
      loading.set(env, pending);
    }
    return pending;
  };
  const save = async (env: string) => {
    const doc = docs.get(env);
    if (doc) await storeOf(env).save(doc);
    deps.publish(env);
    await syncMonitor(env);
  };

  const monitors = new Map<string, Monitor>();
  /** How the runs this daemon released were triggered: a revision's `by` says `manual run-12`, not `push`. */
  const runTriggers = new Map<string, string>();
  let stopped = false;
  /** Aborted when the daemon stops: deploy, verify and monitor processes are killed, not orphaned. */
  const abortAll = new AbortController();
  /** Saves a step's process group in the environment's document while it runs. */
  const trackProcess = (env: string, pgid: number): (() => void) => {
    const doc = docs.get(env);
    if (!doc) return () => undefined;
    doc.pgids.push(pgid);
    void storeOf(env).save(doc);
    return () => {
      doc.pgids = doc.pgids.filter((p) => p !== pgid);
      void storeOf(env).save(doc);
    };
  };
  const logListeners = new Set<(address: string, step: string) => void>();
  const logActivity = (address: string, step: string) => {
    for (const listener of logListeners) listener(address, step);
  };
  const operationDeps: OperationDeps = { ...deps, trackProcess, logActivity };
  /** Saves the environment's document and tells clients, without touching its monitor (steps, checks, metrics changed). */
  const saveSoon = (env: string): void => {
    const doc = docs.get(env);
    if (!doc) return;
    storeOf(env)
      .save(doc)
      .then(() => deps.publish(env))
      .catch((err: Error) => deps.logger.warn(`${env}: saving its history: ${err.message}`));
  };
  /** Tells the run behind a revision what became of its deploy (a revision's status is the truth). */
  const tellRun = (env: string, revision: RevisionView, superseder?: RevisionView['kind']): void => {
    if (!revision.runId) return;
    const { outcome, message } = deployOutcomeOf(env, revision, superseder);
    deps.runDeploy(revision.runId, { env, revision: revision.revision, outcome }, message);
  };
  /** Keeps exactly one monitor per environment, on its live revision, while no operation runs. */
  const monitorChains = new Map<string, Promise<void>>();
  const syncMonitor = (env: string): Promise<void> => {
    // One sync per environment at a time: two interleaved ones could both start a monitor.
    const next = (monitorChains.get(env) ?? Promise.resolve()).then(() => syncMonitorNow(env));
    monitorChains.set(env, next.catch(() => undefined));
    return next;
  };
  const syncMonitorNow = async (env: string): Promise<void> => {
    const doc = docs.get(env);
    const live = doc ? liveRevision(doc) : null;
    const spec = config?.monitor;
    const current = monitors.get(env);
    const wanted = !stopped && spec && live && !operations.has(env) ? live : null;
    if (current && current.revision === wanted?.revision) return;
    if (current) {
      monitors.delete(env);
      await current.stop();
    }
    const target = wanted ? release(wanted.releaseId) : undefined;
    if (!wanted || !spec || !target || !config) return;
    const secrets = secretValues(config, deps.baseEnv);
    const releaseDir = await deps.releases.materialize(target);
    monitors.set(
      env,
      startMonitor(env, deps.envDir(env), releaseDir, target, wanted, spec, secrets, operationDeps, {
        onChange: () => saveSoon(env),
        onIncident: (message) => void incident(env, wanted, message),
      }),
    );
  };

  /** A monitor incident: recorded, pushed to clients, the release marked bad; with rollback.auto, back to LKG. */
  const incident = async (env: string, revision: RevisionView, message: string): Promise<void> => {
    const doc = await docOf(env);
    doc.incident = message;
    await markBad(revision.releaseId, `monitor of #${revision.revision}`, message);
    await save(env);
    if (!config?.rollback?.auto || operations.has(env)) return;
    const lkg = lastKnownGood(doc, unusable);
    if (!lkg) {
      doc.incident = `${message} — no last known good revision to roll back to`;
      await save(env);
      return;
    }
    await operate(env, lkg.releaseId, 'auto-rollback', lkg.revision, `auto: ${message}`);
  };
  const release = (id: string) => releasesDoc.releases.find((r) => r.id === id);
  /** Marked bad, or pruned by retention: either way not a release to go back to (nor the last known good). */
  const unusable = (id: string) => {
    const found = release(id);
    return !found || found.bad !== null;
  };
  const markBad = async (id: string, by: string, why: string) => {
    const target = release(id);
    if (!target || target.bad) return;
    target.bad = { by, why, at: now() };
    await deps.releasesStore.save(releasesDoc);
  };
  const knownEnv = (env: string) => (config && env in config.environments ? null : new RequestFailure('not-found', `no environment ${env}${config ? ` (environments: ${Object.keys(config.environments).join(', ')})` : ''}`));

  /** Runs one deploy/rollback to completion; the environment is held until it ends. */
  const operate = async (env: string, releaseId: string, kind: RevisionView['kind'], rollbackTo: number | null, by: string, runId: string | null = null): Promise<RevisionView | RequestFailure> => {
    const doc = await docOf(env); // before the busy check: nothing may await between check and hold
    const holder = operations.get(env);
    if (holder) return new RequestFailure('conflict', `${env} is busy: #${holder.revision} (${holder.kind}) by ${holder.holder} since ${holder.startedAt}`);
    const target = release(releaseId);
    if (!target || !config) return new RequestFailure('not-found', `no release ${releaseId} (it may have been pruned by history.keepReleases)`);
    const revision: RevisionView = {
      revision: nextRevisionNumber(doc),
      status: 'deploying',
      kind,
      releaseId,
      commit: target.commit,
      rollbackTo,
      verified: false,
      createdAt: now(),
      finishedAt: null,
      by,
      message: null,
      runId,
      metrics: {},
      gates: [],
      steps: [],
      checks: { total: 0, failed: 0 },
    };
    // Gates show the last known good's value beside each metric: the LKG before this operation.
    const lkg = lastKnownGoodOrLive(doc, unusable);
    const lkgMetrics = lkg ? (Object.keys(lkg.metrics).length > 0 ? lkg.metrics : (release(lkg.releaseId)?.metrics ?? null)) : null;
    let finished!: () => void;
    const done = new Promise<void>((resolve) => (finished = resolve));
    operations.set(env, { revision: revision.revision, kind, holder: by, startedAt: revision.createdAt, done });
    doc.revisions.push(revision);
    const previousLive = liveRevision(doc);
    let failedStage: string | null = null;
    try {
      await save(env); // the revision exists (deploying) before anything moves
      operationCrash(deps, kind, 'recorded');
      tellRun(env, revision);
      let result: Awaited<ReturnType<typeof runDeployOperation>>;
      try {
        result = await runDeployOperation(env, deps.envDir(env), target, revision, config, operationDeps, abortAll.signal, {
          lkgMetrics,
          onChange: () => saveSoon(env),
          onStatus: async (status) => {
            revision.status = status;
            // The release a manual rollback moves away from is bad from the moment the pointer moves
            // (DESIGN.md §3): if this rollback then fails, the auto-rollback must not pick it again.
            if (kind === 'rollback' && previousLive) await markBad(previousLive.releaseId, by, `rolled back from #${previousLive.revision} to #${rollbackTo}`);
            await save(env);
            operationCrash(deps, kind, 'verifying');
          },
        });
      } catch (err) {
        // A bug or an I/O error mid-operation must not leave the revision deploying/verifying forever.
        deps.logger.error(`${env} #${revision.revision}: ${(err as Error).stack ?? String(err)}`);
        result = { ok: false, stage: revision.status === 'verifying' ? 'verify' : 'deploy', message: `the operation broke off: ${(err as Error).message}` };
        for (const step of revision.steps) if (step.status === 'running' || step.status === 'pending') step.status = step.status === 'running' ? 'failed' : 'skipped';
      }
      revision.finishedAt = now();
      if (result.ok) {
        if (previousLive && previousLive !== revision) {
          previousLive.status = 'superseded';
          tellRun(env, previousLive, kind);
        }
        revision.status = 'live';
        revision.verified = true;
        revision.message = kind === 'deploy' ? null : `rolled back to #${rollbackTo}`;
        // An automatic rollback fixed the symptom, not the cause: keep saying what happened.
        doc.incident = kind === 'auto-rollback' ? autoRollbackIncident(env, by, rollbackTo, doc.revisions) : null;
        await save(env);
        tellRun(env, revision);
        operationCrash(deps, kind, 'finished');
        return revision;
      }
      revision.status = 'failed';
      revision.message = result.message;
      failedStage = result.stage;
      if (result.stage === 'integrity' || result.stage === 'materialize') {
        // Nothing moved: the live revision stays live.
        doc.incident = `#${revision.revision} refused: ${result.message}; ${previousLive ? `#${previousLive.revision} stays live` : 'nothing is live'}`;
        await save(env);
        tellRun(env, revision);
        return revision;
      }
      await markBad(releaseId, `${result.stage} of #${revision.revision}`, result.message);
      if (previousLive && previousLive.status === 'live') {
        previousLive.status = 'superseded';
        tellRun(env, previousLive, kind);
      }
      doc.incident = `${kind === 'deploy' ? '' : `${kind} `}#${revision.revision} failed ${result.stage}: ${result.message}`;
      await save(env);
      tellRun(env, revision);
      operationCrash(deps, kind, 'finished');
      return revision;
    } finally {
      operations.delete(env);
      void syncMonitor(env).catch((err: Error) => deps.logger.warn(`${env}: monitor: ${err.message}`));
      settling.set(
        env,
        afterOperation(env, revision, failedStage)
          .catch((err: Error) => deps.logger.error(`${env}: after #${revision.revision}: ${err.stack ?? err.message}`))
          .finally(() => settling.delete(env)),
      );
      finished();
      deps.publish(env);
    }
  };

  /** After an operation: auto-rollback on a failed verify, then any queued auto deploy. */
  const afterOperation = async (env: string, revision: RevisionView, failedStage: string | null): Promise<void> => {
    const doc = await docOf(env);
    if (revision.status === 'failed' && (failedStage === 'deploy' || failedStage === 'verify') && config?.rollback?.auto && revision.kind !== 'auto-rollback') {
      const lkg = lastKnownGood(doc, unusable);
      if (lkg) {
        deps.logger.warn(`${env}: #${revision.revision} failed; rolling back to last known good #${lkg.revision}`);
        await operate(env, lkg.releaseId, 'auto-rollback', lkg.revision, `auto: #${revision.revision} failed ${failedStage === 'deploy' ? 'its deploy hook' : 'verification'}`);
        return;
      }
      const withdrawn = await withdrawFailed(core, env, revision);
      doc.incident = `${doc.incident ?? ''} — no last known good revision to roll back to${withdrawn ? '; current is removed (nothing verified to serve)' : ''}`;
      await save(env);
    }
    const next = doc.queuedReleaseId;
    if (next && !operations.has(env)) {
      doc.queuedReleaseId = null;
      await save(env);
      // The environment may have been pinned, or switched to manual approval, since this was queued.
      const built = release(next);
      if (built) await handOn(env, built);
      return;
    }
    // What is live and last known good just changed: releases that were protected may go now.
    await serially(() => pruneReleases(core)).catch((err: Error) => deps.logger.warn(`release retention: ${err.message}`));
  };

  /** A built release goes on: held by a pin, waiting for approval, queued behind an operation, or deployed. */
  async function handOn(env: string, built: ReleaseView): Promise<string> {
    const doc = await docOf(env);
    const spec = config?.environments[env];
    const tell = (outcome: RunDeploy['outcome'], message: string, runId = built.runId) => {
      deps.runDeploy(runId, { env, revision: null, outcome }, message);
      return message;
    };
    if (doc.pinned) return tell('held-by-pin', `built ${built.id}; not deployed: ${env} is pinned since ${doc.pinned.at} (axum unpin ${env})`);
    if (spec?.approval === 'manual') {
      const older = doc.pendingReleaseId ? release(doc.pendingReleaseId) : undefined;
      doc.pendingReleaseId = built.id;
      await save(env);
      if (older && older.id !== built.id) tell('superseded', `built ${older.id}; a newer release (${built.id}) waits for approval in ${env} instead`, older.runId);
      return tell('awaiting-approval', `built ${built.id}; waiting for approval (axum approve ${env})`);
    }
    if (operations.has(env)) {
      const older = doc.queuedReleaseId ? release(doc.queuedReleaseId) : undefined;
      doc.queuedReleaseId = built.id; // newest wins: an older queued release is superseded
      await save(env);
      if (older && older.id !== built.id) tell('superseded', `built ${older.id}; not deployed: ${built.id} took its place in the queue of ${env}`, older.runId);
      return tell('pending', `built ${built.id}; queued to deploy to ${env} after the operation in progress${older ? ` (supersedes queued ${older.id})` : ''}`);
    }
    // Who started it, as the run says (`push run-12`, `manual run-13`); a deploy queued before a restart no longer knows.
    const by = `${runTriggers.get(built.runId) ?? 'queued'} ${built.runId}`;
    void operate(env, built.id, 'deploy', null, by, built.runId).catch((err: Error) => deps.logger.error(`${env}: deploy of ${built.id}: ${err.stack ?? err.message}`));
    return `built ${built.id}; deploying to ${env}`;
  }

  async function makeRelease(run: RunRecord, workdir: string, runConfig: PipelineConfig, metricsFile: string): Promise<ReleaseView> {
    // Named after the run; a history moved aside restarts run numbers, so never reuse an id.
    let id = `rel-${run.number}`;
    for (let n = 2; release(id); n++) id = `rel-${run.number}-${n}`;
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
    });
    deps.crash('release.stored');
    releasesDoc.releases.push(built);
    await deps.releasesStore.save(releasesDoc);
    deps.crash('release.recorded');
    return built;
  }

  /** Runs release bookkeeping one at a time. */
  let chain: Promise<unknown> = Promise.resolve();
  function serially<T>(work: () => Promise<T>): Promise<T> {
    const next = chain.then(work, work);
    chain = next.catch(() => undefined);
    return next;
  }

  /** What recovery and retention (their own files) share with the rest. */
  const core: DeploymentsCore = {
    deps,
    config: () => config,
    docs,
    docOf,
    storeOf,
    save,
    releasesDoc: () => releasesDoc,
    release,
    unusable,
    now,
    operate: (env, releaseId, kind, rollbackTo, by, runId) => operate(env, releaseId, kind, rollbackTo, by, runId ?? null),
    tellRun: (env, revision) => tellRun(env, revision),
    settling,
  };

  return {
    async start() {
      const loaded = await deps.releasesStore.load();
      if (loaded.warning) deps.warn(loaded.warning);
      releasesDoc = loaded.doc;
      // Files a crash left behind (stored, never recorded; or recorded as pruned, never deleted).
      // Only against a history that loaded whole and names what every `current` points at: a
      // releases.json moved aside or missing must not make every release look unrecorded.
      const recorded = new Set(releasesDoc.releases.map((r) => r.id));
      const envs = Object.keys(config?.environments ?? {});
      const live = await Promise.all(envs.map((env) => deps.releases.currentReleaseId(deps.envDir(env))));
      const unrecordedLive = live.filter((id): id is string => id !== null && !recorded.has(id));
      if (loaded.warning || releasesDoc.releases.length === 0 || unrecordedLive.length > 0) {
        if (loaded.warning || unrecordedLive.length > 0) deps.logger.warn(`release store not swept: ${loaded.warning ? 'the releases history was not read whole' : `current names unrecorded release(s) ${unrecordedLive.join(', ')}`}`);
      } else {
        const swept = await deps.releases.sweep(releasesDoc.releases).catch((err: Error) => {
          deps.logger.warn(`sweeping the release store: ${err.message}`);
          return { releases: [], blobs: 0 };
        });
        if (swept.releases.length > 0 || swept.blobs > 0) {
          deps.logger.info(`release store: removed ${swept.blobs} stored file(s) and ${swept.releases.length} release folder(s) no recorded release uses${swept.releases.length ? ` (${swept.releases.join(', ')})` : ''}`);
        }
      }
      for (const env of Object.keys(config?.environments ?? {})) {
        try {
          await recoverEnvironment(core, env);
          // A crash may have come between a revision's change and its run's: the revision is the truth.
          for (const revision of (await docOf(env)).revisions) if (revision.status !== 'superseded') tellRun(env, revision);
          await resumeAutoRollback(core, env);
          await syncMonitor(env);
          const doc = await docOf(env);
          const queued = doc.queuedReleaseId ? release(doc.queuedReleaseId) : undefined;
          if (queued) {
            doc.queuedReleaseId = null;
            await save(env);
            await handOn(env, queued); // queued before the restart: it still deploys
          }
        } catch (err) {
          // One broken environment must not keep the daemon (and every other environment) down.
          deps.warn(`${env}: could not recover its deployments: ${(err as Error).message}`);
        }
      }
    },
    setConfig(next) {
      config = next;
      // Environments added by an edit get their history loaded (and shown) too.
      for (const env of Object.keys(next.environments)) if (!docs.has(env)) void docOf(env).then(() => deps.publish(env));
    },
    state(env) {
      const doc = docs.get(env) ?? emptyEnvironmentDocument();
      const live = liveRevision(doc);
      const lkg = lastKnownGood(doc, unusable);
      const operation = operations.get(env);
      const view = (r: RevisionView | null) => (r ? { revision: r.revision, releaseId: r.releaseId, commit: r.commit } : null);
      const health = revisionHealth(live, lkg);
      return {
        pinned: doc.pinned !== null,
        awaitingApproval: doc.pendingReleaseId !== null,
        pendingReleaseId: doc.pendingReleaseId,
        live: view(live),
        lastKnownGood: view(lkg),
        operation: operation ? { revision: operation.revision, kind: operation.kind, holder: operation.holder, startedAt: operation.startedAt } : null,
        incident: doc.incident,
        ...health,
      };
    },
    async releaseRun(run, workdir, runConfig, metricsFile) {
      // Serialized with retention: a blob stored for a release not yet recorded must not be collected.
      const built = await serially(() => makeRelease(run, workdir, runConfig, metricsFile));
      runTriggers.set(run.id, run.trigger);
      const env = run.env ?? '';
      const message = await handOn(env, built);
      await serially(() => pruneReleases(core)).catch((err: Error) => deps.logger.warn(`release retention: ${err.message}`));
      return { releaseId: built.id, message };
    },
    history(env) {
      const unknown = knownEnv(env);
      if (unknown) return unknown;
      return [...(docs.get(env)?.revisions ?? [])].reverse();
    },
    releases() {
      return [...releasesDoc.releases].reverse();
    },
    onLogActivity(listener) {
      logListeners.add(listener);
      return () => logListeners.delete(listener);
    },
    async readLog(params) {
      return readOperationLog(params, { docs, docOf, known: (env) => knownEnv(env) === null || docs.has(env), logs: deps.logs });
    },
    async fsck() {
      const problems: { releaseId: string; problem: string }[] = [];
      for (const item of releasesDoc.releases) {
        const problem = (await deps.releases.check(item)) ?? (await deps.releases.verifyHashes(item));
        if (!problem) continue;
        problems.push({ releaseId: item.id, problem });
        await markBad(item.id, 'axum fsck', problem);
      }
      return { releases: releasesDoc.releases.length, problems };
    },
    async diff(fromId, toId) {
      const from = release(fromId);
      const to = release(toId);
      if (!from || !to) return new RequestFailure('not-found', `no release ${!from ? fromId : toId}`);
      const [back, forward] = await Promise.all([deps.git.isAncestor(to.commit, from.commit), deps.git.isAncestor(from.commit, to.commit)]);
      const direction = from.commit === to.commit ? 'same' : back ? 'back' : forward ? 'forward' : 'sideways';
      // Going back lists the commits that will no longer be live; going forward, the ones that will be.
      const commits = direction === 'back' ? await deps.git.commitsBetween(to.commit, from.commit, 50) : direction === 'same' ? [] : await deps.git.commitsBetween(from.commit, to.commit, 50);
      const [fromConfig, toConfig] = await Promise.all([deps.git.showFile(from.commit, 'axum.yml'), deps.git.showFile(to.commit, 'axum.yml')]);
      const parse = (text: string | null) => (text ? (parseYaml(text) as unknown) : null);
      let configKeys: string[];
      try {
        configKeys = changedConfigKeys(parse(fromConfig), parse(toConfig));
      } catch {
        configKeys = ['(axum.yml of one side does not parse)'];
      }
      return { from: fromId, to: toId, commits, direction, configKeys, artifacts: changedArtifacts(from, to), metrics: metricDeltas(from, to) };
    },
    async deploy(env, releaseId, by) {
      const unknown = knownEnv(env);
      if (unknown) return unknown;
      await docOf(env);
      return operate(env, releaseId, 'deploy', null, by);
    },
    async rollback(env, to, force, by) {
      const unknown = knownEnv(env);
      if (unknown) return unknown;
      const doc = await docOf(env);
      const busy = operations.get(env);
      if (busy) return new RequestFailure('conflict', `${env} is busy: #${busy.revision} (${busy.kind}) by ${busy.holder}`);
      const target = to === null ? (lastKnownGood(doc, unusable) ?? undefined) : doc.revisions.find((r) => r.revision === to);
      const refusal = rollbackRefusal(doc, target, to, target ? release(target.releaseId)?.bad : undefined, force);
      if (refusal || !target) return new RequestFailure('refused', refusal ?? 'nothing to roll back to');
      // A rollback must not be undone by the next commit: pin until `axum unpin` (before the
      // pointer moves, so no queued deploy slips in; undone if the rollback is refused).
      const pinnedBefore = doc.pinned;
      doc.pinned = { by, at: now() };
      const result = await operate(env, target.releaseId, 'rollback', target.revision, by);
      if (result instanceof RequestFailure) {
        doc.pinned = pinnedBefore;
        await save(env);
      }
      return result;
    },
    async approve(env, by) {
      const unknown = knownEnv(env);
      if (unknown) return unknown;
      const doc = await docOf(env);
      if (!doc.pendingReleaseId) return new RequestFailure('refused', `nothing is waiting for approval in ${env}`);
      const releaseId = doc.pendingReleaseId;
      doc.pendingReleaseId = null;
      const result = await operate(env, releaseId, 'deploy', null, by, release(releaseId)?.runId ?? null);
      if (result instanceof RequestFailure) doc.pendingReleaseId = releaseId; // refused: still waiting
      return result;
    },
    async pin(env, pinned, by) {
      const unknown = knownEnv(env);
      if (unknown) return unknown;
      const doc = await docOf(env);
      doc.pinned = pinned ? { by, at: now() } : null;
      await save(env);
      deps.crash('pin.recorded');
      return this.state(env);
    },
    async stop() {
      stopped = true;
      abortAll.abort();
      await Promise.all([...monitors.values()].map((m) => m.stop()));
      monitors.clear();
    },
    async idle(env) {
      while (operations.has(env) || settling.has(env)) {
        await operations.get(env)?.done;
        await settling.get(env);
      }
    },
  };
}

// What deployments remember: the environments' documents and the releases document, and the small
// verbs on them that the coordinator, recovery and retention share. It imports none of them, so
// they all depend on this file and never on each other.
import type { PipelineConfig, ReleaseView, RevisionView, RunDeploy } from '@axum/protocol';
import { deployOutcomeOf } from '../domain/deploy-outcome.js';
import type { EnvironmentDocument, ReleasesDocument } from '../domain/revisions.js';
import type { OperationDeps } from './deploy-operation.js';
import type { DocumentStore } from './ports.js';

/** What deployments need from the daemon around them. */
export interface DeploymentsDeps extends Omit<OperationDeps, 'trackProcess' | 'logActivity'> {
  releasesStore: DocumentStore<ReleasesDocument>;
  environmentStore(env: string): DocumentStore<EnvironmentDocument>;
  /** Absolute folder of an environment's `current` link. */
  envDir(env: string): string;
  /** Tells clients an environment changed. */
  publish(env: string): void;
  warn(message: string): void;
  /** What became of a run's deploy changed: the run record follows, with a line saying why. */
  runDeploy(runId: string, deploy: RunDeploy, message: string | null): void;
}

/** The records of deployments and the verbs every part of them shares. */
export interface DeployState {
  deps: DeploymentsDeps;
  config(): PipelineConfig | null;
  setConfig(config: PipelineConfig): void;
  docs: ReadonlyMap<string, EnvironmentDocument>;
  /** Loads an environment's document once, however many callers ask at the same time. */
  docOf(env: string): Promise<EnvironmentDocument>;
  storeOf(env: string): DocumentStore<EnvironmentDocument>;
  /** Persists the environment's document (when loaded) and tells clients. */
  persist(env: string): Promise<void>;
  releasesDoc(): ReleasesDocument;
  /** Loads the releases document at start; returns the load's warning. */
  loadReleases(): Promise<string | null>;
  release(id: string): ReleaseView | undefined;
  /** Marked bad, or pruned by retention: either way not a release to go back to (nor the last known good). */
  unusable(id: string): boolean;
  /** Marks a release bad (once: the first reason stays) and saves the releases document. */
  markBad(id: string, by: string, why: string): Promise<void>;
  now(): string;
  /** Tells the run behind a revision what became of its deploy (a revision's status is the truth). */
  tellRun(env: string, revision: RevisionView, superseder?: RevisionView['kind']): void;
  /** Records a step's process group in the environment's document while it runs; returns how to forget it. */
  trackProcess(env: string, pgid: number): () => void;
  /** Runs release bookkeeping (making, pruning) one at a time. */
  serially<T>(work: () => Promise<T>): Promise<T>;
}

/** The records of deployments, loaded lazily per environment. */
export function createDeployState(deps: DeploymentsDeps): DeployState {
  let config: PipelineConfig | null = null;
  let releasesDoc: ReleasesDocument = { version: 1, releases: [] };
  const docs = new Map<string, EnvironmentDocument>();
  const stores = new Map<string, DocumentStore<EnvironmentDocument>>();
  const loading = new Map<string, Promise<EnvironmentDocument>>();
  const now = () => new Date(deps.clock.now()).toISOString();
  const release = (id: string) => releasesDoc.releases.find((r) => r.id === id);
  const storeOf = (env: string) => {
    let store = stores.get(env);
    if (!store) stores.set(env, (store = deps.environmentStore(env)));
    return store;
  };
  let chain: Promise<unknown> = Promise.resolve();

  return {
    deps,
    config: () => config,
    setConfig: (next) => void (config = next),
    docs,
    docOf(env) {
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
    },
    storeOf,
    async persist(env) {
      const doc = docs.get(env);
      if (doc) await storeOf(env).save(doc);
      deps.publish(env);
    },
    releasesDoc: () => releasesDoc,
    async loadReleases() {
      const loaded = await deps.releasesStore.load();
      if (loaded.warning) deps.warn(loaded.warning);
      releasesDoc = loaded.doc;
      return loaded.warning;
    },
    release,
    unusable(id) {
      const found = release(id);
      return !found || found.bad !== null;
    },
    async markBad(id, by, why) {
      const target = release(id);
      if (!target || target.bad) return;
      target.bad = { by, why, at: now() };
      await deps.releasesStore.save(releasesDoc);
    },
    now,
    tellRun(env, revision, superseder) {
      if (!revision.runId) return;
      const { outcome, message } = deployOutcomeOf(env, revision, superseder);
      deps.runDeploy(revision.runId, { env, revision: revision.revision, outcome }, message);
    },
    trackProcess(env, pgid) {
      const doc = docs.get(env);
      if (!doc) return () => undefined;
      doc.pgids.push(pgid);
      void storeOf(env).save(doc);
      return () => {
        doc.pgids = doc.pgids.filter((p) => p !== pgid);
        void storeOf(env).save(doc);
      };
    },
    serially<T>(work: () => Promise<T>): Promise<T> {
      const next = chain.then(work, work);
      chain = next.catch(() => undefined);
      return next;
    },
  };
}

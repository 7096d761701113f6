// What deployments remember: the environments' documents and the releases document, and the small
// verbs on them that the coordinator, recovery and retention share. It imports none of them, so
// they all depend on this file and never on each other.
import type { PipelineConfig, ReleaseView, RevisionView, RunDeploy } from '@axum/protocol';
import { deployOutcomeOf } from '../domain/deploy-outcome.js';
import { environmentsOf } from '../domain/environments.js';
import { maskEnvironmentText } from '../domain/secret-book.js';
import { liveRevision, type EnvironmentDeclaration, type EnvironmentDocument, type ReleasesDocument } from '../domain/revisions.js';
import type { OperationDeps } from './deploy-operation.js';
import type { DocumentStore, RemoteHosts } from './ports.js';
import { createRemoteFleet, type RemoteFleet } from './remote-fleet.js';

/** What deployments need from the daemon around them. */
export interface DeploymentsDeps extends Omit<OperationDeps, 'trackProcess' | 'logActivity'> {
  releasesStore: DocumentStore<ReleasesDocument>;
  environmentStore(env: string): DocumentStore<EnvironmentDocument>;
  /** Absolute folder of an environment's `current` link, as the config in use places it (or the default). */
  envDir(env: string): string;
  /** Every environment that has records (an environment document on disk), whatever the config says. */
  recordedEnvironments(): Promise<string[]>;
  /** Tells clients an environment changed. */
  publish(env: string): void;
  /** OpenSSH to the hosts of remote environments (docs/remote-environments.md); absent where none is wired. */
  remoteHosts?: RemoteHosts;
  warn(message: string): void;
  /** One line of every terminal's event log, for what the daemon did on its own (absent in tests that need none). */
  say?(what: string): void;
  /** What became of a run's deploy changed: the run record follows, with a line saying why. */
  runDeploy(runId: string | null, deploy: RunDeploy, message: string | null): void;
}

/** The records of deployments and the verbs every part of them shares. */
export interface DeployState {
  deps: DeploymentsDeps;
  /** The config in use: the working tree's `axum.yml`, or the last valid one while it is not valid. */
  config(): PipelineConfig | null;
  setConfig(config: PipelineConfig): void;
  /** True when the config in use declares the environment (commits deploy to it). */
  declares(env: string): boolean;
  /**
   * Every environment with records or declared by the config in use: recovery, retention, history,
   * rollback, pin and logs serve all of them (ARCHITECTURE.md, glossary: Records).
   */
  environments(): string[];
  /** Saves the declaration of every loaded environment with records whose config changed it. */
  recordDeclarations(): void;
  /** Finds the environments with records on disk (at start). */
  loadRecorded(): Promise<void>;
  /** How the environment was last configured: the config in use, else what its document recorded. */
  declaration(env: string): EnvironmentDeclaration | null;
  /** Absolute folder of the environment's `current`: where the config in use puts it, else where its records say it was. */
  envDir(env: string): string;
  /** The config an operation on this release runs with: its own snapshot; the config in use for a release recorded before snapshots. */
  configFor(release: ReleaseView | undefined): PipelineConfig | null;
  docs: ReadonlyMap<string, EnvironmentDocument>;
  /** The loaded documents in `environments()`'s order (for listings that name environments). */
  docsInOrder(): ReadonlyMap<string, EnvironmentDocument>;
  /** The remote hosts of environments that have some, moved all or none (remote-fleet.ts). */
  fleet: RemoteFleet;
  /** Loads an environment's document once, however many callers ask at the same time. */
  docOf(env: string): Promise<EnvironmentDocument>;
  storeOf(env: string): DocumentStore<EnvironmentDocument>;
  /** True once a save of its environment's document that held this revision reached the disk. */
  onDisk(revision: RevisionView): boolean;
  /** Persists the environment's document (when loaded) and tells clients. */
  persist(env: string): Promise<void>;
  releasesDoc(): ReleasesDocument;
  /** Loads the releases document at start; returns the load's warning. */
  loadReleases(): Promise<string | null>;
  release(id: string): ReleaseView | undefined;
  /** Marked bad, or pruned by retention: either way not a release to go back to (nor the last known good). */
  unusable(id: string): boolean;
  /**
   * Marks a release bad (once: the first reason stays), journals it on the release, saves the
   * releases document and re-publishes every environment (their last known good may change).
   */
  markBad(id: string, by: string, why: string): Promise<void>;
  /**
   * Sets (`bad`) or clears (`good`) a release's mark, journaled on it, in memory only: the caller
   * saves it (`saveReleases`). The caller has checked the change is one (domain/marks.ts).
   */
  journalMark(target: ReleaseView, mark: 'good' | 'bad', by: string, why: string): void;
  /** Saves the releases document, then re-publishes every environment (their last known good may change). */
  saveReleases(): Promise<void>;
  /**
   * `journalMark`, then `saveReleases`: an operation's or a recovery's mark, which stays in memory
   * when the disk refuses it, as `markBad`'s (a request's is put back: engine/unsaved-requests.ts).
   */
  mark(target: ReleaseView, mark: 'good' | 'bad', by: string, why: string): Promise<void>;
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
  /** Environments with a document on disk: found at start, and every one saved since. */
  const recorded = new Set<string>();
  /** Revisions some save of their document wrote: the records hold them, whatever a save before failed. */
  const written = new WeakSet<RevisionView>();
  const declares = (env: string) => config !== null && Object.hasOwn(config.environments, env);
  const configuredDeclaration = (env: string): EnvironmentDeclaration | null => {
    const spec = config && declares(env) ? environmentsOf(config).find((e) => e.name === env) : undefined;
    return spec ? { branch: spec.branch, path: deps.envDir(env), protected: spec.protected, approval: spec.approval, ...(spec.hosts.length > 0 ? { hosts: spec.hosts } : {}) } : null;
  };
  // Every save records how the environment is configured now, so its records can serve it once a
  // config no longer declares it (another branch's axum.yml).
  const storeOf = (env: string) => {
    let store = stores.get(env);
    if (!store) {
      const inner = deps.environmentStore(env);
      store = {
        load: () => inner.load(),
        save(doc) {
          doc.declared = configuredDeclaration(env) ?? doc.declared;
          // An incident or a revision's line may carry outside text (an error, a symlink target).
          maskEnvironmentText(doc, deps.secretBook.mask);
          recorded.add(env);
          const held = [...doc.revisions];
          return inner.save(doc).then(() => held.forEach((revision) => written.add(revision)));
        },
      };
      stores.set(env, store);
    }
    return store;
  };
  /** A config that changes how a recorded environment is declared: its records follow. */
  const recordDeclarations = (): void => {
    for (const [env, doc] of docs) {
      if (!recorded.has(env) || !declares(env) || sameDeclaration(doc.declared, configuredDeclaration(env))) continue;
      storeOf(env)
        .save(doc)
        .catch((err: Error) => deps.logger.warn(`${env}: saving its history: ${err.message}`));
    }
  };
  const sameDeclaration = (a: EnvironmentDeclaration | null, b: EnvironmentDeclaration | null) => JSON.stringify(a) === JSON.stringify(b);
  let chain: Promise<unknown> = Promise.resolve();
  const journalMark = (target: ReleaseView, change: 'good' | 'bad', by: string, why: string): void => {
    const at = now();
    target.bad = change === 'bad' ? { by, why, at } : null;
    target.marks = [...target.marks, { mark: change, by, why, at }];
  };
  const saveReleases = async (): Promise<void> => {
    await deps.releasesStore.save(releasesDoc);
    for (const env of docs.keys()) deps.publish(env);
  };
  const mark = async (target: ReleaseView, change: 'good' | 'bad', by: string, why: string): Promise<void> => {
    journalMark(target, change, by, why);
    await saveReleases();
  };

  const self: DeployState = {
    deps,
    config: () => config,
    setConfig(next) {
      config = next;
      recordDeclarations();
    },
    recordDeclarations,
    declares,
    environments() {
      // axum.yml's order first (dev, staging, production reads as the path a release takes), then
      // environments only the history remembers: the same order before and after a restart.
      const names = new Set(Object.keys(config?.environments ?? {}));
      for (const env of [...recorded].sort()) names.add(env);
      return [...names];
    },
    async loadRecorded() {
      for (const env of await deps.recordedEnvironments()) recorded.add(env);
    },
    declaration: (env) => configuredDeclaration(env) ?? docs.get(env)?.declared ?? null,
    envDir: (env) => (declares(env) ? deps.envDir(env) : (docs.get(env)?.declared?.path ?? deps.envDir(env))),
    configFor: (target) => target?.config ?? config,
    docs,
    docsInOrder() {
      const ordered = new Map<string, EnvironmentDocument>();
      for (const env of [...this.environments(), ...docs.keys()]) {
        const doc = docs.get(env);
        if (doc && !ordered.has(env)) ordered.set(env, doc);
      }
      return ordered;
    },
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
    onDisk: (revision) => written.has(revision),
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
      // An operation's mark stays in memory when the disk is full: the next save writes it (an
      // operation that failed must not become a last known good meanwhile).
      await mark(target, 'bad', by, why);
    },
    journalMark,
    saveReleases,
    mark,
    now,
    tellRun(env, revision, superseder) {
      // A revision no run made (a rollback, a promote) may still be the deploy of a run that found it live.
      const doc = docs.get(env);
      const standing = { unusable: self.unusable(revision.releaseId), liveReleaseId: (doc && liveRevision(doc)?.releaseId) ?? null };
      const { outcome, message } = deployOutcomeOf(env, revision, standing, superseder);
      deps.runDeploy(revision.runId ?? null, { env, revision: revision.revision, outcome }, message);
    },
    trackProcess(env, pgid) {
      const doc = docs.get(env);
      if (!doc) return () => undefined;
      doc.pgids.push(pgid);
      void storeOf(env).save(doc).catch((err: Error) => deps.warn(`${env}: recording a step's process group: ${err.message}`));
      return () => {
        doc.pgids = doc.pgids.filter((p) => p !== pgid);
        void storeOf(env).save(doc).catch((err: Error) => deps.warn(`${env}: recording a step's process group: ${err.message}`));
      };
    },
    serially<T>(work: () => Promise<T>): Promise<T> {
      const next = chain.then(work, work);
      chain = next.catch(() => undefined);
      return next;
    },
    fleet: null as unknown as RemoteFleet, // set below: the fleet reads the records through this state
  };
  self.fleet = createRemoteFleet(self, deps.remoteHosts, deps.logger);
  return self;
}

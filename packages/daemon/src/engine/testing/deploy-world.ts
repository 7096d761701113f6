// A whole deployments world on fakes: one `createDeployments` wired to in-memory ports, with the
// helpers the deploy lifecycle tests share (build a release as a run would, read what `current`
// names, take the state a crash would leave at a named crash point and start a new daemon on it).
import { createSecretBook } from '../../domain/secret-book.js';
import { PipelineConfigSchema, type PipelineConfig, type ReleaseView, type RevisionView, type RunDeploy } from '@axum/protocol';
import { emptyEnvironmentDocument, type EnvironmentDocument, type ReleasesDocument } from '../../domain/revisions.js';
import type { RunRecord } from '../../domain/history.js';
import type { CrashPoint } from '../crash-points.js';
import { createDeployments, type Deployments, type DeploymentsDeps } from '../deployments.js';
import { RequestFailure } from '../pipeline.js';
import { releaseOf } from './fake-ports.js';
import {
  createFakeDocumentStore,
  createFakeGit,
  createFakeReleaseStore,
  createFakeRunner,
  createManualClock,
  createMemoryLogger,
  createMemoryLogStore,
  type FakeDocumentStore,
  type FakeFiles,
  type ReleaseStoreSnapshot,
} from './fake-ports.js';

/** What a daemon leaves behind when it dies: its documents, the release store, the files steps wrote. */
export interface WorldSnapshot {
  releases: ReleasesDocument | null;
  environments: Map<string, EnvironmentDocument | null>;
  store: ReleaseStoreSnapshot;
  files: Map<string, string>;
}

/** A config for tests: one `staging` environment, a verify step `smoke`, automatic rollback; overrides are axum.yml keys. */
export function testConfig(overrides: Record<string, unknown> = {}): PipelineConfig {
  return PipelineConfigSchema.parse({
    version: 1,
    environments: { staging: { branch: 'staging' } },
    stages: [{ name: 'build', steps: [{ name: 'train', run: 'train' }] }],
    artifacts: ['model/**'],
    verify: { steps: [{ name: 'smoke', run: 'smoke' }] },
    rollback: { auto: true },
    ...overrides,
  });
}

const ENV_ROOT = '/repo/.axum/envs/';

/** What a test's run hands on: the metrics its steps wrote, the config of its commit. */
export interface BuildOptions {
  metrics?: Record<string, number>;
  runConfig?: PipelineConfig;
}

export type DeployWorld = ReturnType<typeof createDeployWorld>;

/** A deployments instance on fakes, configured with `config`; `from` is a crashed daemon's leftovers. */
/** `extra`: ports a test adds (a scripted Prometheus), set before the deployments copy their deps. */
export function createDeployWorld(config: PipelineConfig, from?: WorldSnapshot, extra: Partial<DeploymentsDeps> = {}) {
  const files: FakeFiles = new Map(from?.files);
  const runner = createFakeRunner(files);
  const releases = createFakeReleaseStore(from?.store);
  const git = createFakeGit();
  const logs = createMemoryLogStore();
  const clock = createManualClock();
  const logger = createMemoryLogger();
  const releasesStore = createFakeDocumentStore<ReleasesDocument>(() => ({ version: 1, releases: [] }), from?.releases ?? null);
  const envStores = new Map<string, FakeDocumentStore<EnvironmentDocument>>();
  const envStore = (env: string) => {
    let store = envStores.get(env);
    if (!store) envStores.set(env, (store = createFakeDocumentStore(emptyEnvironmentDocument, from?.environments.get(env) ?? null)));
    return store;
  };
  const warnings: string[] = [];
  /** What each run was last told of its deploy (the pipeline's record follows these). */
  const told = new Map<string, RunDeploy & { message: string | null }>();
  const crashes: { point: CrashPoint; left: WorldSnapshot }[] = [];
  const snapshot = (): WorldSnapshot => ({
    releases: releasesStore.persisted(),
    environments: new Map([...envStores].map(([env, store]) => [env, store.persisted()])),
    store: releases.snapshot(),
    files: new Map(files),
  });
  const envDir = (env: string) => `${ENV_ROOT}${env}`;
  const deps: DeploymentsDeps = {
    git,
    runner,
    logs,
    releases,
    logger,
    clock,
    baseEnv: {},
    worktreeDir: (key) => `/tmp/axum-worktrees/deploy-${key}`,
    metricsFile: (key) => `/state/runs/deploy-${key}/metrics.env`,
    readText: async (file) => files.get(file) ?? '',
    maskFile: async () => undefined,
    secretBook: createSecretBook(),
    // Every crash point records what is durable there, so a test can start a daemon on any of them.
    crash: (point) => void crashes.push({ point, left: snapshot() }),
    releasesStore,
    environmentStore: envStore,
    envDir,
    // Environments with a document "on disk": the crashed daemon's, and every one saved since.
    recordedEnvironments: async () => [...new Set([...(from?.environments.keys() ?? []), ...envStores.keys()])].filter((env) => (envStores.get(env)?.persisted() ?? from?.environments.get(env) ?? null) !== null),
    publish: () => undefined,
    warn: (message) => void warnings.push(message),
    runDeploy: (runId, deploy, message) => void (runId !== null && told.set(runId, { ...deploy, message })),
    ...extra,
  };
  const deployments: Deployments = createDeployments(deps);
  deployments.setConfig(config);
  let runs = from?.releases?.releases.length ?? 0;

  const revisions = (env: string): RevisionView[] => {
    const history = deployments.history(env);
    if (history instanceof RequestFailure) throw new Error(history.message);
    return [...history].reverse();
  };

  /** A succeeded run on `env`'s branch hands its worktree on, as the pipeline does; `metrics` are what its steps wrote. */
  async function build(env = 'staging', options: BuildOptions = {}) {
    const number = ++runs;
    const metricsFile = `/state/runs/run-${number}/metrics.env`;
    files.set(metricsFile, Object.entries(options.metrics ?? {}).map(([k, v]) => `${k}=${v}\n`).join(''));
    const at = new Date(clock.now()).toISOString();
    const run: RunRecord = {
      id: `run-${number}`,
      number,
      status: 'succeeded',
      commit: number.toString(16).padStart(40, '0'),
      branch: config.environments[env]?.branch ?? env,
      env,
      trigger: 'push', reused: false,
      createdAt: at,
      startedAt: at,
      finishedAt: at,
      steps: [],
      subject: `model v${number}`,
      releaseId: null,
      message: null,
      warnings: [],
      deploy: { env, revision: null, outcome: 'pending' },
      pgids: [],
      worktree: null,
      stages: null,
    };
    return deployments.releaseRun(run, `/tmp/axum-worktrees/run-${number}`, options.runConfig ?? config, metricsFile);
  }
  /** Builds and waits until the environment has settled (deploy, verify, any automatic rollback). */
  async function ship(env = 'staging', options: BuildOptions = {}) {
    const built = await build(env, options);
    await settle(env);
    return built;
  }
  /** Waits for the operation and its follow-ups; twice, across a macrotask, so a follow-up started late is waited for too. */
  async function settle(env = 'staging') {
    await deployments.idle(env);
    await new Promise((resolve) => setTimeout(resolve, 0));
    await deployments.idle(env);
  }

  return {
    deployments,
    deps,
    runner,
    releases,
    git,
    logs,
    clock,
    logger,
    files,
    warnings,
    told,
    envStore,
    envDir,
    build,
    ship,
    settle,
    revisions,
    /** One revision by number. */
    revision(env: string, n: number): RevisionView {
      const found = revisions(env).find((r) => r.revision === n);
      if (!found) throw new Error(`${env} has no #${n}`);
      return found;
    },
    release(id: string): ReleaseView {
      const found = deployments.releases().find((r) => r.id === id);
      if (!found) throw new Error(`no release ${id}`);
      return found;
    },
    /** The release `current` names, as the release store holds it. */
    current: (env = 'staging') => releases.current.get(envDir(env)) ?? null,
    /** What was durable the n-th time the daemon passed `point`. */
    leftAt(point: CrashPoint, n = 1): WorldSnapshot {
      const found = crashes.filter((c) => c.point === point)[n - 1];
      if (!found) throw new Error(`passed ${point} ${crashes.filter((c) => c.point === point).length} time(s), not ${n}`);
      return found.left;
    },
    /**
     * Why `current` and the history disagree, or null (ARCHITECTURE.md glossary: they never do): `current` names
     * the live revision's release; with nothing live, nothing, or a failed release still serving
     * (rollback.auto off), which an incident must say, or the pause over it (an inconclusive one).
     */
    disagreement(env = 'staging'): string | null {
      const history = revisions(env);
      const cur = releases.current.get(envDir(env)) ?? null;
      const live = history.filter((r) => r.status === 'live');
      const unfinished = history.filter((r) => r.status === 'deploying' || r.status === 'verifying');
      if (unfinished.length > 0) return `#${unfinished.map((r) => r.revision).join(', #')} still unfinished while idle`;
      if (live.length > 1) return `${live.length} revisions live: #${live.map((r) => r.revision).join(', #')}`;
      const only = live[0];
      if (only) return cur === only.releaseId ? null : `current names ${cur} but #${only.revision} (${only.releaseId}) is live`;
      if (cur === null) return null;
      const newest = history.findLast((r) => r.releaseId === cur);
      const said = deployments.state(env);
      if (newest?.status === 'failed' && (said.incident || said.paused?.revision === newest.revision)) return null;
      return `current names ${cur} but nothing is live and no incident or pause says it serves failed`;
    },
  };
}

/**
 * `world(config, from?)` for a test file: each world it makes is stopped after each test (its
 * monitors and timers must not outlive it). Pass the file's `afterEach`.
 */
export function deployWorlds(afterEachHook: (fn: () => Promise<void>) => void): (config?: PipelineConfig, from?: WorldSnapshot, extra?: Partial<DeploymentsDeps>) => DeployWorld {
  const worlds: DeployWorld[] = [];
  afterEachHook(async () => {
    await Promise.all(worlds.splice(0).map((w) => w.deployments.stop()));
  });
  return (config = testConfig(), from, extra) => {
    const w = createDeployWorld(config, from, extra);
    worlds.push(w);
    return w;
  };
}

/** Holds the verify step (`smoke`) of `releaseId` (of every release: none named) open until the returned function is called. */
export function holdVerify(w: DeployWorld, releaseId?: string): () => void {
  let finish!: () => void;
  const open = new Promise<void>((resolve) => (finish = resolve));
  w.runner.script('smoke', (request) => (releaseId === undefined || releaseOf(request) === releaseId ? { until: open } : {}));
  return finish;
}

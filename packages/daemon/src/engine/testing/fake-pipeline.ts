// The runs side of a daemon on fakes: one `createPipeline` wired to a deployments world's ports and
// an in-memory runs document, for the tests of what the pipeline does with branch heads and runs;
// and the run executor's ports on the same fakes, for the tests of one run.
import { parseConfigText, type PipelineConfig } from '@axum/protocol';
import { emptyRunsDocument, type RunsDocument } from '../../domain/history.js';
import { createPipeline, type Pipeline } from '../pipeline.js';
import type { GitPort, RunsStore } from '../ports.js';
import type { ExecutorDeps } from '../run-executor.js';
import { createRunWorktrees } from '../run-worktrees.js';
import type { DeployWorld } from './deploy-world.js';

/** `text` parsed as the daemon parses axum.yml; a test config that does not parse is a bug in the test, so it throws. */
export function parsedConfig(text: string): PipelineConfig {
  const load = parseConfigText(text, 'axum.yml');
  if (!load.ok) throw new Error(load.errors[0]?.message);
  return load.config;
}

/** A pipeline and the runs document it keeps (in memory: saves are taken as done, so a test reads `doc` as the pipeline left it). */
export interface FakePipeline {
  pipeline: Pipeline;
  doc: RunsDocument;
}

/**
 * A pipeline on `w`'s fakes, not started: `git` replaces answers of the world's fake git (the heads
 * a test moves, the axum.yml a commit holds); a succeeded run hands its release on to `w`'s deployments.
 */
export function createFakePipeline(w: DeployWorld, git: Partial<GitPort>): FakePipeline {
  const doc = emptyRunsDocument();
  const store: RunsStore = { load: async () => ({ doc, warning: null }), save: async () => undefined, close: async () => undefined };
  const pipeline = createPipeline({
    ...{ git: { ...w.git, ...git }, runner: w.runner, logs: w.logs, logger: w.logger, clock: w.clock, store, crash: () => undefined, repoRoot: '/repo', baseEnv: {} },
    worktreeDir: (name) => `/tmp/axum-worktrees/${name}`,
    metricsFile: (id) => `/state/runs/${id}/metrics.env`,
    maskFile: async () => undefined,
    secretBook: w.deps.secretBook,
    releaseRun: (run, workdir, config) => w.deployments.releaseRun(run, workdir, config, `/state/runs/${run.id}/metrics.env`),
    reuseRelease: (run, config) => w.deployments.reuseRun(run, config),
    publish: () => undefined,
    warn: () => undefined,
  });
  return { pipeline, doc };
}

/**
 * What the run executor of one run talks through, on `w`'s fakes: `git` is the fake git with the
 * test's answers (the worktrees check out through it too); `overrides` replace any other port
 * (a runner that records, a `commit` that keeps each save). Saves are taken as done by default.
 */
export function createFakeExecutorDeps(w: DeployWorld, git: ExecutorDeps['git'], overrides: Partial<ExecutorDeps> = {}): ExecutorDeps {
  return {
    git,
    runner: w.runner,
    logs: w.logs,
    logger: w.logger,
    clock: w.clock,
    worktrees: createRunWorktrees({ git, dirOf: (name) => `/tmp/axum-worktrees/${name}`, logger: w.logger }),
    metricsFile: (id) => `/state/runs/${id}/metrics.env`,
    maskFile: async () => undefined,
    secretBook: w.deps.secretBook,
    baseEnv: {},
    repoRoot: '/repo',
    currentConfig: () => null,
    releaseRun: (run, workdir, config) => w.deployments.releaseRun(run, workdir, config, `/state/runs/${run.id}/metrics.env`),
    reuseRelease: (run, config) => w.deployments.reuseRun(run, config),
    logActivity: () => undefined,
    commit: async () => undefined,
    crash: () => undefined,
    ...overrides,
  };
}

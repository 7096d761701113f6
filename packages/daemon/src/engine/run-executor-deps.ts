// What executing a run needs from the pipeline around it, and what it hands back (run-executor.ts).
import type { PipelineConfig } from '@axum/protocol';
import type { RunRecord } from '../domain/history.js';
import type { SecretBook } from '../domain/secret-book.js';
import type { CrashHook } from './crash-points.js';
import type { Clock, GitPort, LogStore, Logger, StepRunner } from './ports.js';
import type { RunWorktrees } from './run-worktrees.js';

/** What executing a run needs from the pipeline around it. */
export interface ExecutorDeps {
  git: GitPort;
  runner: StepRunner;
  logs: LogStore;
  logger: Logger;
  clock: Clock;
  /** Where runs check out: a clean worktree of the run's commit, outside the repository. */
  worktrees: RunWorktrees;
  /** File steps append `name=value` metrics to. */
  metricsFile(runId: string): string;
  /**
   * Masks the secrets in a file a step wrote itself (the `AXUM_METRICS` file), in place; a file
   * with nothing to mask is left as it is. Steps write that file directly, so the masker of the
   * log cannot see it: it is scrubbed once the step's processes are gone.
   */
  maskFile(file: string, secrets: readonly string[]): Promise<void>;
  /** The daemon's environment for steps (GIT_* already scrubbed). */
  baseEnv: Record<string, string>;
  /** The repository's work tree, where `watch` runs execute in place. */
  repoRoot: string;
  /** The daemon's current valid config (a `watch` run follows the work tree, not a commit). */
  currentConfig(): PipelineConfig | null;
  /**
   * The run succeeded on a branch that feeds an environment: make its release from the worktree
   * (before the worktree goes) and hand it on. Returns the release id and what happened to it.
   */
  releaseRun(run: RunRecord, workdir: string, config: PipelineConfig): Promise<{ releaseId: string; message: string; warnings: string[] }>;
  /**
   * Before any stage (build once, promote): hands on the release the run's commit already has with
   * the same config, or says why it must build (`reused: null`, with warnings such as corrupt files).
   */
  reuseRelease(run: RunRecord, config: PipelineConfig): Promise<{ reused: { releaseId: string; message: string } | null; warnings: string[] }>;
  /** A step's log grew (throttled by the caller's readers, not here). */
  logActivity(runId: string, step: string): void;
  /** Persists the record and tells clients; resolves once durable. */
  commit(run: RunRecord): Promise<void>;
  /** `AXUM_CRASH_AT` (RELIABILITY.md). */
  crash: CrashHook;
  /** Every secret told so far: a run adds its config's, and what the history records is masked with all. */
  secretBook: SecretBook;
}

/** A run in flight: how to cancel it and when it is over (processes reaped, worktree removed). */
export interface Execution {
  /** `shutdown`: the daemon is stopping (the run ends `interrupted`, and its step's log says so). */
  cancel(reason?: 'shutdown'): void;
  done: Promise<void>;
}

import { z } from 'zod/mini';
import { RunView } from '@axum/protocol';

/** A run as persisted: what clients see, plus what crash recovery needs. */
export const RunRecord = z.object({
  ...RunView.shape,
  /** Process groups of the run's step processes, reaped after a crash. */
  pgids: z.array(z.number().check(z.int())),
  /** The run's worktree while it runs. */
  worktree: z.nullable(z.string()),
  /** Stages to run (a `watch` run runs a subset); null for all. */
  stages: z.nullable(z.array(z.string())),
  /** Who asked for a manual run (`ana via axum run`): its deploy's revision names them. */
  by: z.optional(z.string()),
  /** A manual run asked with `--force`: a reused release marked bad deploys anyway. */
  force: z.optional(z.boolean()),
  /** A manual run asked with `--rebuild`: it builds even when its commit has a release to reuse. */
  rebuild: z.optional(z.boolean()),
  /** How the lines about its deploy begin when the run reused a release (`reused rel-4, verified on staging #3`). */
  lead: z.optional(z.string()),
});
export type RunRecord = z.infer<typeof RunRecord>;

/** The runs document: `.axum/history/runs.json` plus its journal (adapters/journaled-runs-store.ts). Logs never go in here. */
export const RunsDocument = z.object({
  version: z.literal(1),
  nextRunNumber: z.number().check(z.int(), z.positive()),
  /** The last commit seen per branch; null until the daemon's first start in this repository. */
  heads: z.nullable(z.record(z.string(), z.string())),
  /** Oldest first. */
  runs: z.array(RunRecord),
});
export type RunsDocument = z.infer<typeof RunsDocument>;

export const emptyRunsDocument = (): RunsDocument => ({ version: 1, nextRunNumber: 1, heads: null, runs: [] });

/** The public view of a record. */
export function toRunView(record: RunRecord): RunView {
  const { pgids: _pgids, worktree: _worktree, stages: _stages, by: _by, force: _force, rebuild: _rebuild, lead: _lead, ...view } = record;
  return view;
}

/**
 * Retention: keeps the newest `keep` finished runs and every unfinished one.
 * Returns the ids dropped, so their log folders can go too.
 */
export function pruneRuns(runs: readonly RunRecord[], keep: number, finished: readonly string[]): { kept: RunRecord[]; dropped: string[] } {
  const done = runs.filter((r) => finished.includes(r.status));
  const excess = Math.max(0, done.length - keep);
  const dropped = new Set(done.slice(0, excess).map((r) => r.id));
  return { kept: runs.filter((r) => !dropped.has(r.id)), dropped: [...dropped] };
}

/** A run that ended without a release leads to no deploy: its pending deploy becomes `none`. */
export function settleDeployWithoutRelease(run: RunRecord): void {
  if (run.deploy && run.deploy.revision === null && run.deploy.outcome === 'pending') run.deploy = { ...run.deploy, outcome: 'none' };
}

/**
 * The declared secrets the daemon's environment lacks, set empty: a step reads a declared secret
 * as a variable that exists (`${HF_TOKEN?}`, `os.environ["HF_TOKEN"]` do not fail), as the
 * warnings about it say; its value is the daemon's when it has one.
 */
export function declaredSecretsEnv(declared: readonly string[], env: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(declared.filter((name) => !Object.hasOwn(env, name) || env[name] === undefined).map((name) => [name, '']));
}

/** Secrets the config declares that the daemon's environment does not set (steps would get them empty). */
export function unsetSecrets(config: { secrets: readonly string[] }, env: Record<string, string | undefined>): string[] {
  return config.secrets.filter((name) => !Object.hasOwn(env, name) || !env[name]);
}

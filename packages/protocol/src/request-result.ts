import { z } from 'zod/mini';
import type { RequestBody, RequestMethod } from './client-message.js';
import { LogChunk } from './daemon-message.js';
import { ReleaseDiff, ReleaseListing, ReleaseView, RevisionView } from './release.js';
import { DaemonState, EnvironmentView, RunView } from './state.js';

/**
 * The answer to `run.trigger`: the run, and whether it was there already (a run of that branch's
 * commit queued, running or succeeded is answered, not queued twice). Additive: an older daemon sends no
 * `existing`, read as a new run.
 */
export const TriggeredRun = z.extend(RunView, { existing: z._default(z.boolean(), false) });
export type TriggeredRun = z.infer<typeof TriggeredRun>;

/**
 * The answer to `releases.fsck`: how many releases were re-hashed, what was wrong with which (stored
 * files or release folder), what was wrong with each environment's `current` target, and with
 * `rebuild`, what the release index got back from the folders' manifests; with `repair`, what was
 * put right.
 */
export const FsckReport = z.object({
  releases: z.int().check(z.nonnegative()),
  problems: z.array(z.object({ releaseId: z.string(), problem: z.string() })),
  environments: z._default(z.array(z.object({ env: z.string(), problem: z.string() })), []),
  /** With `repair`: what was put right (a release folder made whole from the store, a stored file given back from a folder). */
  repaired: z._default(z.array(z.object({ releaseId: z.string(), repaired: z.string() })), []),
  rebuilt: z._default(
    z.nullable(
      z.object({
        /** Releases added to the index from their folders' manifests. */
        added: z.array(z.string()),
        /** Releases the index already had (their marks kept). */
        kept: z.int().check(z.nonnegative()),
        /** Release folders with no readable manifest (made by an older daemon): not rebuilt. */
        withoutManifest: z.array(z.string()),
      }),
    ),
    null,
  ),
});
export type FsckReport = z.infer<typeof FsckReport>;

/**
 * The answer to `backup.run`, per target: whether it was written and verified, what was sent (blobs
 * the target lacked, and the history documents) against what was already there, or why not.
 */
export const BackupTargetReport = z.object({
  target: z.string(),
  ok: z.boolean(),
  error: z.nullable(z.string()),
  /** Files the backup's manifest lists (blobs and documents). */
  files: z.int().check(z.nonnegative()),
  /**
   * Objects (one per content: paths with the same bytes share one) the target lacked and was sent,
   * and objects it had already; together, every object the manifest names.
   */
  sent: z.object({ files: z.int().check(z.nonnegative()), bytes: z.int().check(z.nonnegative()) }),
  present: z.object({ files: z.int().check(z.nonnegative()), bytes: z.int().check(z.nonnegative()) }),
  at: z.string(),
  /**
   * Stored files the releases history names that this repository's store lacks (deleted by hand, a
   * damaged disk), each as `<artifact path> of <release id> (sha256 <first 12>…)`: left out of a
   * backup that holds everything else, not a reason to back up nothing.
   */
  missing: z.optional(z.array(z.string())),
});
export type BackupTargetReport = z.infer<typeof BackupTargetReport>;
export const BackupReport = z.object({ targets: z.array(BackupTargetReport) });
export type BackupReport = z.infer<typeof BackupReport>;

/**
 * The answer to `env.pin`: the environment, and the revision unpinning deployed (the release the pin
 * held back), if any; `note` says why a held release was not deployed (bad, pruned, overtaken, or
 * waiting for the operation in progress). Both null: none waited.
 */
/** `unchanged`: the environment was pinned (or not pinned) already, and the request changed nothing. */
export const PinResult = z.extend(EnvironmentView, { deployed: z._default(z.nullable(RevisionView), null), note: z._default(z.nullable(z.string()), null), unchanged: z._default(z.boolean(), false) });
export type PinResult = z.infer<typeof PinResult>;

/**
 * The answer to `release.mark`: the release as it is now. `unchanged`: it was so already (marked bad
 * with that reason, or not marked bad) and nothing was written. Additive: an older daemon refused such a request instead.
 */
export const MarkResult = z.extend(ReleaseView, { unchanged: z._default(z.boolean(), false) });
export type MarkResult = z.infer<typeof MarkResult>;

/**
 * The answer to `env.deploy`: the new revision; or, when the release was live there already and no
 * `again` asked for a new revision, the live revision itself with `unchanged` (nothing was done).
 */
export const DeployResult = z.extend(RevisionView, { unchanged: z._default(z.boolean(), false) });
export type DeployResult = z.infer<typeof DeployResult>;

/**
 * What each method answers, one row per method (its params are the row of the same name in
 * `RequestBody`). The views are imported, not copied, so a field added to one reaches every result
 * that carries it. `satisfies` makes a method without a row, or a row without a method, a type error.
 */
const RESULT_ROWS = {
  ping: z.object({ pong: z.literal(true) }),
  'state.get': DaemonState,
  'git.reconcile': z.object({ reconciled: z.literal(true) }),
  'runs.list': z.array(RunView),
  'run.get': RunView,
  'run.trigger': TriggeredRun,
  'run.cancel': RunView,
  'logs.read': LogChunk,
  'logs.follow': z.object({ following: z.literal(true) }),
  'logs.unfollow': z.object({ following: z.literal(false) }),
  'history.get': z.array(RevisionView),
  'env.settled': z.array(RevisionView),
  'releases.diff': ReleaseDiff,
  'releases.fsck': FsckReport,
  'releases.list': z.array(ReleaseListing),
  'backup.run': BackupReport,
  'release.mark': MarkResult,
  'env.deploy': DeployResult,
  'env.promote': DeployResult,
  'env.rollback': RevisionView,
  'env.approve': RevisionView,
  'env.pin': PinResult,
  'daemon.shutdown': z.object({ stopping: z.literal(true) }),
} as const satisfies { [M in RequestMethod]: z.ZodMiniType };

/** The result of method `M`, as the daemon sends it and a client receives it once validated. */
export type ResultOf<M extends RequestMethod> = z.output<(typeof RESULT_ROWS)[M]>;

/**
 * The same table, typed per method: indexing it with a generic `M` gives a schema of `ResultOf<M>`
 * (indexing `RESULT_ROWS` would give the union of every row, which no generic caller can narrow).
 */
export const RESULT_SCHEMAS: { readonly [M in RequestMethod]: z.ZodMiniType<ResultOf<M>> } = RESULT_ROWS;

/** Params by method, as a client writes them: fields with a default may be left out. */
type ParamsTable = { [B in z.input<typeof RequestBody> as B['method']]: B['params'] };

/**
 * The params of method `M` as a client writes them. A table indexed by `M` (not `Extract` on the
 * union), so a generic `M` stays one type that a generic caller can pass on unchanged.
 */
export type ParamsOf<M extends RequestMethod> = ParamsTable[M];

import { z } from 'zod/mini';
import { BranchName } from './branch-name.js';
import { RunStatus } from './state.js';

/** Client → daemon: the first message of every connection. */
export const Hello = z.object({
  type: z.literal('hello'),
  protocolVersion: z.int(),
  client: z.object({
    name: z.string().check(z.maxLength(100)),
    version: z.string().check(z.maxLength(50)),
    pid: z.optional(z.int()),
    /** Shown to the other clients (presence, activity): the login and the terminal, for people. */
    user: z.optional(z.string().check(z.maxLength(100))),
    terminal: z.optional(z.string().check(z.maxLength(100))),
  }),
});
export type Hello = z.infer<typeof Hello>;

const requestId = z.string().check(z.minLength(1)).check(z.maxLength(64));

/** Methods a client can call, each with its params. One row per method. */
export const RequestBody = z.discriminatedUnion('method', [
  /** Returns `{ pong: true }`; a liveness check. */
  z.object({ method: z.literal('ping'), params: z._default(z.strictObject({}), {}) }),
  /** Returns the full `DaemonState`, the same as a snapshot. */
  z.object({ method: z.literal('state.get'), params: z._default(z.strictObject({}), {}) }),
  /** Compares branch heads with git now (instead of waiting for the watcher) and queues runs. Returns `{ reconciled: true }`. */
  z.object({ method: z.literal('git.reconcile'), params: z._default(z.strictObject({}), {}) }),
  /** Recent runs, newest first; `status` and `branch` keep only those runs (filtered before the limit). Returns `RunView[]`. */
  z.object({
    method: z.literal('runs.list'),
    params: z._default(
      z.strictObject({ limit: z._default(z.int().check(z.minimum(1)).check(z.maximum(10_000)), 20), status: z.optional(RunStatus), branch: z.optional(z.string().check(z.minLength(1)).check(z.maxLength(255))) }),
      { limit: 20 },
    ),
  }),
  /** One run by id (`run-12`) or number (`12`). Returns `RunView`. */
  z.object({ method: z.literal('run.get'), params: z.strictObject({ runId: z.string().check(z.minLength(1)).check(z.maxLength(64)) }) }),
  /**
   * Queues a manual run of a branch head, or of a commit reachable from the branch it runs for
   * (`branch`, a name git allows for a branch, else `checkedOut`: the branch checked out where the
   * client runs, a name git allows for a branch too, or null when HEAD is detached there: then a `commit` runs for no branch, so deploys
   * nowhere, and no `commit` is refused as a detached HEAD; absent, the daemon's own). `by` says who (the revision it deploys says so too);
   * `force` lets it deploy a reused release that is marked bad. Returns the queued `RunView`, or
   * (`existing: true`) the run of that commit for that branch already queued, running or succeeded, unless
   * `again` asks for a new one all the same. `rebuild` runs every stage even when the commit already
   * has a release made with the same config (a new release: a model trained again is another model);
   * it is a new run, never an existing one.
   */
  z.object({
    method: z.literal('run.trigger'),
    params: z._default(z.strictObject({ branch: z.optional(BranchName), checkedOut: z.optional(z.nullable(BranchName)), commit: z.optional(z.string().check(z.minLength(1)).check(z.maxLength(64))), by: z._default(z.string().check(z.maxLength(200)), 'a client'), force: z._default(z.boolean(), false), again: z._default(z.boolean(), false), rebuild: z._default(z.boolean(), false) }), { by: 'a client', force: false, again: false, rebuild: false }),
  }),
  /** Cancels a queued or running run; returns the run once its processes are gone. */
  z.object({ method: z.literal('run.cancel'), params: z.strictObject({ runId: z.string().check(z.minLength(1)).check(z.maxLength(64)) }) }),
  /** Reads a step's log from a byte offset. Returns `LogChunk`. */
  z.object({
    method: z.literal('logs.read'),
    params: z.strictObject({
        runId: z.string().check(z.minLength(1)).check(z.maxLength(64)),
        step: z.string().check(z.minLength(1)).check(z.maxLength(64)),
        offset: z._default(z.int().check(z.nonnegative()), 0),
        limit: z._default(z.int().check(z.minimum(1)).check(z.maximum(1024 * 512)), 256 * 1024),
      }),
  }),
  /**
   * Streams a step's log from `offset` as `log.chunk` messages until the step ends (then one chunk
   * with `complete: true`). Resuming after a reconnect from the last `nextOffset` gives no gap and
   * no duplicate. Returns `{ following: true }`.
   */
  z.object({
    method: z.literal('logs.follow'),
    params: z.strictObject({ runId: z.string().check(z.minLength(1)).check(z.maxLength(64)), step: z.string().check(z.minLength(1)).check(z.maxLength(64)), offset: z._default(z.int().check(z.nonnegative()), 0) }),
  }),
  /** Stops a `logs.follow`. Returns `{ following: false }`. */
  z.object({ method: z.literal('logs.unfollow'), params: z.strictObject({ runId: z.string().check(z.minLength(1)).check(z.maxLength(64)), step: z.string().check(z.minLength(1)).check(z.maxLength(64)) }) }),
  /** An environment's revisions, newest first. Returns `RevisionView[]`. */
  z.object({ method: z.literal('history.get'), params: z.strictObject({ env: z.string().check(z.minLength(1)).check(z.maxLength(64)) }) }),
  /**
   * Waits until revision `revision`'s operation has ended with what it started: the automatic
   * rollback of a failed one (`--wait` must not return in between). Returns the environment's
   * revisions then, newest first (`RevisionView[]`). Additive: a daemon older than it refuses it as an unknown method.
   */
  z.object({ method: z.literal('env.settled'), params: z.strictObject({ env: z.string().check(z.minLength(1)).check(z.maxLength(64)), revision: z.int().check(z.positive()) }) }),
  /**
   * What would change going from one release to another (commits, config keys, artifacts, metrics).
   * With `env`, each release's metrics include what its verify steps wrote there (else in any
   * environment), the gated ones first. Returns `ReleaseDiff`.
   */
  z.object({
    method: z.literal('releases.diff'),
    params: z.strictObject({ from: z.string().check(z.minLength(1)).check(z.maxLength(64)), to: z.string().check(z.minLength(1)).check(z.maxLength(64)), env: z.optional(z.string().check(z.minLength(1)).check(z.maxLength(64))) }),
  }),
  /**
   * Re-hashes every release's stored files (corrupt ones are marked bad) and materialized folders, and
   * checks every environment's `current` target (a problem raises its incident). `rebuild` first adds
   * to the release index every release a folder's manifest describes. `repair` puts right what can be:
   * a folder's changed files from the store, a lost stored file from an intact folder copy. Returns `FsckReport`.
   */
  z.object({ method: z.literal('releases.fsck'), params: z._default(z.strictObject({ rebuild: z.optional(z.boolean()), repair: z.optional(z.boolean()) }), {}) }),
  /**
   * Backs up `.axum/` to every `backup.to` target now (docs/backups.md): blobs the target lacks,
   * the history documents, then the backup's manifest. A target holding another repository's backups
   * is refused unless `takeOver` (this repository moved there). Returns `BackupReport`.
   */
  z.object({ method: z.literal('backup.run'), params: z._default(z.strictObject({ takeOver: z.optional(z.boolean()) }), {}) }),
  /** Every release, newest first (`env`: only those deployed to it). Returns `ReleaseListing[]`. */
  z.object({ method: z.literal('releases.list'), params: z._default(z.strictObject({ env: z.optional(z.string().check(z.minLength(1)).check(z.maxLength(64))) }), {}) }),
  /** Marks a release good (clears its bad mark) or bad, with a reason; journaled on the release. Returns its `ReleaseView`. */
  z.object({
    method: z.literal('release.mark'),
    params: z.strictObject({ releaseId: z.string().check(z.minLength(1)).check(z.maxLength(64)), mark: z.enum(['good', 'bad']), reason: z.optional(z.string().check(z.maxLength(500))), by: z._default(z.string().check(z.maxLength(200)), 'a client') }),
  }),
  /**
   * Deploys a release (or the release of a commit) by hand; a bad release needs `force`. Returns the
   * new `RevisionView` once verified or failed; a release live there already is answered with the
   * live revision (`unchanged`), unless `again` asks for a new revision of it.
   */
  z.object({
    method: z.literal('env.deploy'),
    params: z.strictObject({
      env: z.string().check(z.minLength(1)).check(z.maxLength(64)),
      releaseId: z.optional(z.string().check(z.minLength(1)).check(z.maxLength(64))),
      commit: z.optional(z.string().check(z.minLength(4)).check(z.maxLength(64))),
      force: z._default(z.boolean(), false),
      by: z._default(z.string().check(z.maxLength(200)), 'a client'),
      again: z._default(z.boolean(), false),
    }),
  }),
  /**
   * Deploys `from`'s live release to `to` (no rebuild); a bad release needs `force`. Returns the new
   * `RevisionView` once verified or failed; a release live in `to` already is answered with the live
   * revision (`unchanged`), as a deploy is, unless `again` asks for a new revision of it.
   */
  z.object({
    method: z.literal('env.promote'),
    params: z.strictObject({
      from: z.string().check(z.minLength(1)).check(z.maxLength(64)),
      to: z.string().check(z.minLength(1)).check(z.maxLength(64)),
      force: z._default(z.boolean(), false),
      by: z._default(z.string().check(z.maxLength(200)), 'a client'),
      /** The release the client showed as FROM's live one: refused when FROM serves another by the time it arrives. Optional: older clients send none. */
      releaseId: z.optional(z.string().check(z.minLength(1)).check(z.maxLength(64))),
      again: z._default(z.boolean(), false),
    }),
  }),
  /** Rolls back to a revision (default: last known good) and pins. Returns the new `RevisionView`. */
  z.object({
    method: z.literal('env.rollback'),
    params: z.strictObject({ env: z.string().check(z.minLength(1)).check(z.maxLength(64)), to: z._default(z.nullable(z.int().check(z.positive())), null), force: z._default(z.boolean(), false), by: z._default(z.string().check(z.maxLength(200)), 'a client') }),
  }),
  /** Deploys the release waiting for approval. Returns the new `RevisionView`. */
  // `force`: approve a release marked bad (a forced run's release waits for approval like any other).
  z.object({
    method: z.literal('env.approve'),
    params: z.strictObject({
      env: z.string().check(z.minLength(1)).check(z.maxLength(64)),
      force: z._default(z.boolean(), false),
      by: z._default(z.string().check(z.maxLength(200)), 'a client'),
      /** The release the client showed (the one waiting, or what a paused environment serves): refused when that changed in between. Optional: older clients send none. */
      releaseId: z.optional(z.string().check(z.minLength(1)).check(z.maxLength(64))),
    }),
  }),
  /**
   * Pins or unpins an environment. Unpinning deploys the newest release the pin held back (a client
   * asks first where the environment is protected). Returns its `EnvironmentView` and that deploy's revision.
   */
  z.object({ method: z.literal('env.pin'), params: z.strictObject({ env: z.string().check(z.minLength(1)).check(z.maxLength(64)), pinned: z.boolean(), by: z._default(z.string().check(z.maxLength(200)), 'a client') }) }),
  /** Asks the daemon to stop gracefully; returns `{ stopping: true }` before it exits. */
  z.object({ method: z.literal('daemon.shutdown'), params: z._default(z.strictObject({}), {}) }),
]);
export type RequestBody = z.infer<typeof RequestBody>;
export type RequestMethod = RequestBody['method'];
/** Every method name, in the order above (for `unknown-method` errors). */
export const REQUEST_METHODS: readonly RequestMethod[] = RequestBody.def.options.map((option) => option.shape.method.def.values[0]!);

/** Client → daemon: call a method; answered by a `result` or an `error` with the same id. */
export const Request = z.intersection(z.object({ type: z.literal('request'), id: requestId }), RequestBody);
export type Request = z.infer<typeof Request>;

/** Every message a client may send. */
export const ClientMessage = z.union([Hello, Request]);
export type ClientMessage = z.infer<typeof ClientMessage>;

import { z } from 'zod/mini';
import { ErrorCode } from './error-code.js';
import { BackupTargetStatus, ConfigStatus, DaemonInfo, DaemonState, EnvironmentView, RunView } from './state.js';
import { ActivityEntry, AttachedClient } from './presence.js';

/** Daemon → client: the handshake succeeded; a `snapshot` follows at once. */
export const Welcome = z.object({
  type: z.literal('welcome'),
  protocolVersion: z.int(),
  clientId: z.string(),
  daemon: DaemonInfo,
});
export type Welcome = z.infer<typeof Welcome>;

/** Daemon → client: the full state; deltas apply on top of the last one. */
export const Snapshot = z.object({ type: z.literal('snapshot'), state: DaemonState });
export type Snapshot = z.infer<typeof Snapshot>;

/**
 * Daemon → client: the answer to a request. `result` is left open here because the message names
 * only the request's id; the client, which knows the method, checks it with `decodeResult`.
 */
export const Result = z.object({ type: z.literal('result'), id: z.string(), result: z.unknown() });
export type Result = z.infer<typeof Result>;

/** Daemon → client: a typed error, for a request (`id`) or for a frame that had none (`id: null`). */
export const ErrorMessage = z.object({
  type: z.literal('error'),
  id: z.nullable(z.string()),
  code: ErrorCode,
  message: z.string(),
});
export type ErrorMessage = z.infer<typeof ErrorMessage>;

/** Delta: `axum.yml` was reloaded (or failed to); environments follow the last valid config. */
export const ConfigChanged = z.object({
  type: z.literal('config.changed'),
  config: ConfigStatus,
  environments: z.array(EnvironmentView),
});
export type ConfigChanged = z.infer<typeof ConfigChanged>;

/** Delta: a run was queued or changed (status, a step, its log size). Clients upsert it by id. */
export const RunUpdated = z.object({ type: z.literal('run.updated'), run: RunView });
export type RunUpdated = z.infer<typeof RunUpdated>;

/** The answer to `logs.read`: bytes `[offset, nextOffset)` of a step's log, decoded as UTF-8. */
export const LogChunk = z.object({
  runId: z.string(),
  step: z.string(),
  offset: z.int().check(z.nonnegative()),
  nextOffset: z.int().check(z.nonnegative()),
  data: z.string(),
  /** True once the step has finished and `nextOffset` is the end of its log. */
  complete: z.boolean(),
  /** `[byteOffset, epochMs]`: when the output at that offset was written (a side index; the log file stays the bytes as printed). */
  times: z.optional(z.array(z.tuple([z.int().check(z.nonnegative()), z.number()]))),
});
export type LogChunk = z.infer<typeof LogChunk>;

/** Stream: the next bytes of a followed step's log (see `logs.follow`). */
export const LogChunkMessage = z.extend(LogChunk, { type: z.literal('log.chunk') });
export type LogChunkMessage = z.infer<typeof LogChunkMessage>;

/** Delta: an environment changed (live revision, LKG, pin, approval, operation, incident). */
export const EnvironmentUpdated = z.object({ type: z.literal('environment.updated'), environment: EnvironmentView });
export type EnvironmentUpdated = z.infer<typeof EnvironmentUpdated>;

/** Delta: a client attached or detached. */
export const ClientsChanged = z.object({ type: z.literal('clients.changed'), clients: z.int().check(z.nonnegative()), attached: z._default(z.array(AttachedClient), []) });
export type ClientsChanged = z.infer<typeof ClientsChanged>;

/** Delta: a client did something to the shared state (a rollback, a pin, a cancel…). */
export const ActivityAdded = z.object({ type: z.literal('activity.added'), entry: ActivityEntry });
export type ActivityAdded = z.infer<typeof ActivityAdded>;

/** Delta: the daemon met a problem and recovered from it (a full disk, a history file moved aside…). */
export const WarningAdded = z.object({ type: z.literal('warning.added'), message: z.string() });
export type WarningAdded = z.infer<typeof WarningAdded>;

/** Delta: a backup target was written, or failed (docs/backups.md); also when `backup.to` changes. */
export const BackupsChanged = z.object({ type: z.literal('backups.changed'), backups: z.array(BackupTargetStatus) });
export type BackupsChanged = z.infer<typeof BackupsChanged>;

/** Delta: the daemon is stopping; clients should expect the connection to close. */
export const DaemonStopping = z.object({ type: z.literal('daemon.stopping'), reason: z.string() });
export type DaemonStopping = z.infer<typeof DaemonStopping>;

/** Every message the daemon may send. */
export const DaemonMessage = z.discriminatedUnion('type', [
  Welcome,
  Snapshot,
  Result,
  ErrorMessage,
  ConfigChanged,
  ClientsChanged,
  ActivityAdded,
  WarningAdded,
  BackupsChanged,
  RunUpdated,
  EnvironmentUpdated,
  LogChunkMessage,
  DaemonStopping,
]);
export type DaemonMessage = z.infer<typeof DaemonMessage>;

/** Messages that change a client's copy of the state. */
export type Delta = ConfigChanged | ClientsChanged | ActivityAdded | WarningAdded | BackupsChanged | RunUpdated | EnvironmentUpdated;


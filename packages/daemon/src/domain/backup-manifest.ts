// The pure rules of backups (docs/backups.md): what a backup's manifest holds, which paths a
// restore may write (a manifest is text from outside: a backup folder anyone could have edited),
// what a backup has to send, and when a backup is stale. Hashing and files are the adapters'.
import { z } from 'zod/mini';

/** The name of the manifest in a backup folder; written last, atomically. */
export const BACKUP_MANIFEST = 'axum-backup.json';
/** Where a backup folder keeps every file's content, named by its sha256. */
export const BACKUP_OBJECTS = 'objects';
/** Where a backup folder keeps the manifest of every backup it still holds (`<snapshot id>.json`; the newest is `BACKUP_MANIFEST` too). */
export const BACKUP_SNAPSHOTS = 'snapshots';
/** A snapshot's id: its manifest's `createdAt` without separators (`20261204T130102345Z`), so ids sort by time. */
export const SNAPSHOT_ID = /^[0-9]{8}T[0-9]{9}Z$/;

/** The id of the backup written at `createdAt` (an ISO time with milliseconds). */
export const snapshotId = (createdAt: string): string => createdAt.replace(/[-:.]/g, '');

/** The manifest file of snapshot `id` inside a backup folder. */
export const snapshotFile = (id: string): string => `${BACKUP_SNAPSHOTS}/${id}.json`;

/**
 * Which snapshots a target keeps after a backup: the newest `keep` (the one just written among
 * them), and which go. Ids that are not snapshot ids are neither kept nor removed.
 */
export function snapshotsToKeep(ids: Iterable<string>, keep: number): { kept: string[]; dropped: string[] } {
  const sorted = [...new Set(ids)].filter((id) => SNAPSHOT_ID.test(id)).sort().reverse();
  return { kept: sorted.slice(0, Math.max(1, keep)), dropped: sorted.slice(Math.max(1, keep)) };
}

const Sha256 = z.string().check(z.regex(/^[0-9a-f]{64}$/));

/** One file of `.axum/` the backup holds: its path under `.axum/`, its content's sha256 and size. */
export const BackupFile = z.strictObject({ path: z.string().check(z.minLength(1), z.maxLength(300)), sha256: Sha256, size: z.number().check(z.int(), z.nonnegative()) });
export type BackupFile = z.infer<typeof BackupFile>;

/** What one backup holds. The manifest file is `{ manifest, sha256 }`, sha256 over `JSON.stringify(manifest)`. */
export const BackupManifest = z.strictObject({
  version: z.literal(1),
  /** The repository root the backup was taken from (for information: a restore goes to a fresh clone). */
  repository: z.string(),
  createdAt: z.string(),
  files: z.array(BackupFile),
});
export type BackupManifest = z.infer<typeof BackupManifest>;
export const BackupManifestFile = z.strictObject({ manifest: z.unknown(), sha256: Sha256 });

const RELEASE_ID = /^rel-[0-9]+(?:-[0-9]+)?$/;
const ENV_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
/** A run's or an operation's log folder under `runs/` (`run-12`, `deploy-staging-3-…`, `monitor-…`). */
export const RUN_FOLDER_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/;
/** A step's log or its time index in that folder's `logs/` (step names are config names). */
export const LOG_FILE_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}\.(?:log|times)$/;

/**
 * Why a restore must not write `path` (relative to `.axum/`), or null. Only the files a backup
 * takes are accepted, spelt exactly: a tampered manifest whose own hash was recomputed still cannot
 * write `../../.bashrc`, a pid file, an environment's `current` or a step's metrics file.
 */
export function restorePathProblem(path: string): string | null {
  const parts = path.split('/');
  const ok =
    path === 'release-counter' ||
    path === 'history/releases.json' ||
    path === 'history/runs.json' ||
    (parts.length === 3 && parts[0] === 'history' && parts[1] === 'envs' && /^(.+)\.json$/.test(parts[2]!) && ENV_NAME.test(parts[2]!.slice(0, -5))) ||
    (parts.length === 3 && parts[0] === 'releases' && RELEASE_ID.test(parts[1]!) && parts[2] === 'manifest.json') ||
    (parts.length === 3 && parts[0] === 'store' && parts[1] === 'sha256' && /^[0-9a-f]{64}$/.test(parts[2]!)) ||
    (parts.length === 4 && parts[0] === 'runs' && RUN_FOLDER_PATTERN.test(parts[1]!) && parts[2] === 'logs' && LOG_FILE_PATTERN.test(parts[3]!));
  return ok ? null : `"${path}" is not a file a backup holds`;
}

/** A stored blob's path names its content: the manifest must agree with it. */
export function blobPathProblem(file: BackupFile): string | null {
  const match = /^store\/sha256\/([0-9a-f]{64})$/.exec(file.path);
  return match && match[1] !== file.sha256 ? `${file.path}: listed with sha256 ${file.sha256.slice(0, 12)}…, not its own name` : null;
}

/** Every problem of a parsed manifest's file list (paths a restore must not write, duplicates). */
export function manifestProblems(manifest: BackupManifest): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const file of manifest.files) {
    const problem = restorePathProblem(file.path) ?? blobPathProblem(file);
    if (problem) problems.push(problem);
    if (seen.has(file.path)) problems.push(`"${file.path}" is listed twice`);
    seen.add(file.path);
  }
  if (!seen.has('history/releases.json')) problems.push('it holds no releases history (history/releases.json)');
  return problems;
}

/**
 * What a backup to one target sends: the objects it lacks; the rest is counted as already there.
 * Both counts are objects (one per content, as the target stores them), so sent + already there is
 * every object the manifest names, however many paths share one.
 */
export function planSend(files: readonly BackupFile[], present: ReadonlySet<string>): { send: BackupFile[]; present: { files: number; bytes: number } } {
  const send: BackupFile[] = [];
  const counted = new Set<string>();
  let presentFiles = 0;
  let presentBytes = 0;
  for (const file of files) {
    // Identical content under two paths (two releases' manifests never are, but blobs and logs may be) counts, and goes, once.
    if (counted.has(file.sha256)) continue;
    counted.add(file.sha256);
    if (present.has(file.sha256)) {
      presentFiles++;
      presentBytes += file.size;
    } else send.push(file);
  }
  return { send, present: { files: presentFiles, bytes: presentBytes } };
}

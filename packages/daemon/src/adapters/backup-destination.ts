// Where a backup goes (docs/backups.md): a local folder (fs-backup-destination.ts) or a folder
// on an SSH host (ssh-backup-destination.ts). The backup writer (backup-writer.ts) decides what to
// send and in which order; a destination only moves bytes, and each keeps the same promise: objects
// land under their sha256 only whole, and the manifest naming them is published last, atomically.
import type { BackupFile } from '../domain/backup-manifest.js';
import type { CrashHook } from '../engine/crash-points.js';
import type { Source } from './fs-backup-sources.js';

/** What a destination holds now. */
export interface DestinationContents {
  /** The newest backup's manifest file as text, or null when there is none. */
  manifest: string | null;
  /** The sha256 names of the objects it holds (cut-short copies are not among them). */
  objects: Set<string>;
  /** Every snapshot's manifest file as text, by snapshot id (the newest is `manifest` too). */
  snapshots: Map<string, string>;
}

/** What `send` wrote: objects and their bytes, and the logs that vanished before they could be read. */
export interface SendResult {
  sent: number;
  bytes: number;
  /** Paths of logs run retention removed meanwhile: left out of the manifest. */
  gone: Set<string>;
}

/** One backup target's storage; every method throws with a message naming the target. */
export interface BackupDestination {
  /** How messages name it: the folder, or the host spec as written. */
  readonly label: string;
  inspect(): Promise<DestinationContents>;
  /** Puts each of `files` (the objects the target lacks) under its sha256, whole or not at all. */
  send(files: readonly BackupFile[], sources: readonly Source[], crash: CrashHook): Promise<SendResult>;
  /**
   * Makes `text` snapshot `id` and then the target's newest manifest, each atomically; before that,
   * every object sent is proven there by sha256, and (SSH) every object of `files` found there with
   * its size: what `inspect` saw may have gone since (a killed daemon's prune still on its way).
   */
  publish(text: string, id: string, crash: CrashHook, files: readonly BackupFile[]): Promise<void>;
  /** After `publish`: why the target does not hold the manifest `text` names whole, or null. */
  verify(text: string, files: readonly BackupFile[]): Promise<string | null>;
  /** Removes the snapshots `dropped`, then the objects `named` does not list, and what a backup cut short left behind. */
  prune(named: ReadonlySet<string>, dropped: readonly string[]): Promise<void>;
  /** An error of this destination in words, naming it. */
  describe(err: unknown): string;
}

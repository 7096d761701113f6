import { closeSync, fsyncSync, openSync, renameSync, rmSync } from 'node:fs';
import { assertNoStateLinks, openNoFollow } from '@axum/protocol';
import { open } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { CrashHook } from '../engine/crash-points.js';
import { writeAll } from './fs-errors.js';

/**
 * Replaces `file` with `data` atomically and durably: written to a temp file, fsync'd, renamed over
 * the old one, the folder fsync'd — a kill -9 leaves the old file or the new one, power loss too.
 * A write that fails (a full disk) removes its temp file, so it holds no space, and leaves the old
 * file untouched. `temp` defaults to `FILE.tmp` (one writer per file); writers that may overlap
 * pass a name of their own. The crash hook names the points between (RELIABILITY.md);
 * `beforeRename` lets a caller with points of its own (backups) name the same moment.
 */
export function writeFileDurably(file: string, data: string | Buffer, options: { mode?: number; temp?: string; crash?: CrashHook; beforeRename?: () => void } = {}): void {
  const temp = options.temp ?? `${file}.tmp`;
  // The folder was made (no link) when its store was; a branch checked out since may have put a link there.
  assertNoStateLinks(dirname(temp));
  const fd = openNoFollow(temp, 'w', options.mode ?? 0o600);
  try {
    writeAll(fd, typeof data === 'string' ? Buffer.from(data) : data);
    fsyncSync(fd);
  } catch (err) {
    closeSync(fd);
    rmSync(temp, { force: true });
    throw err;
  }
  closeSync(fd);
  options.crash?.('store.temp-written');
  options.beforeRename?.();
  renameSync(temp, file);
  options.crash?.('store.renamed');
  fsyncDir(dirname(file));
}

/** Makes a rename or a new file in `dir` durable: the folder's entry survives power loss. */
export function fsyncDir(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** fsyncDir without blocking the event loop (a save's rename off the path of a request). */
export async function fsyncDirAsync(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

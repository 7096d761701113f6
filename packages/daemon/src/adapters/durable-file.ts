import { closeSync, fsyncSync, openSync, renameSync, rmSync } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { CrashHook } from '../engine/crash-points.js';
import { writeAll } from './fs-errors.js';

/**
 * Replaces `file` with `data` atomically and durably: written to a temp file, fsync'd, renamed over
 * the old one, the folder fsync'd — a kill -9 leaves the old file or the new one, power loss too.
 * A write that fails (a full disk) removes its temp file, so it holds no space, and leaves the old
 * file untouched. `temp` defaults to `FILE.tmp` (one writer per file); writers that may overlap
 * pass a name of their own. The crash hook names the points between (RELIABILITY.md).
 */
export function writeFileDurably(file: string, data: string | Buffer, options: { mode?: number; temp?: string; crash?: CrashHook } = {}): void {
  const temp = options.temp ?? `${file}.tmp`;
  const fd = openSync(temp, 'w', options.mode ?? 0o600);
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
  renameSync(temp, file);
  options.crash?.('store.renamed');
  const dir = openSync(dirname(file), 'r');
  try {
    fsyncSync(dir);
  } finally {
    closeSync(dir);
  }
}

/**
 * `writeFileDurably` with every file operation on libuv's pool, in the same order with the same
 * crash points: the daemon's main thread answers requests while the disk syncs (each fsync is
 * milliseconds, and a deploy writes several documents).
 */
export async function writeFileDurablyAsync(file: string, data: string | Buffer, options: { mode?: number; temp?: string; crash?: CrashHook } = {}): Promise<void> {
  const temp = options.temp ?? `${file}.tmp`;
  const bytes = typeof data === 'string' ? Buffer.from(data) : data;
  const handle = await open(temp, 'w', options.mode ?? 0o600);
  try {
    // FileHandle.writeFile writes the whole buffer (it loops over partial writes itself).
    await handle.writeFile(bytes);
    await handle.sync();
  } catch (err) {
    await handle.close().catch(() => undefined);
    await rm(temp, { force: true });
    throw err;
  }
  await handle.close();
  options.crash?.('store.temp-written');
  await rename(temp, file);
  options.crash?.('store.renamed');
  const dir = await open(dirname(file), 'r');
  try {
    await dir.sync();
  } finally {
    await dir.close();
  }
}

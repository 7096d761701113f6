// Content-addressed files for backups and restores: every copy goes to a temp file in the folder
// it ends in, is hashed on the way, fsync'd, compared with the sha256 it must have, and only then
// renamed into place (and the folder fsync'd) — a kill -9 or a full disk leaves a `.incoming-*`
// file and never an object whose name lies about its content.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { chmod, open, readdir, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { writeFileDurably } from './durable-file.js';
import { STORED_FILE_MODE } from './owner-only.js';

const INCOMING = '.incoming-';

export const isIncoming = (name: string): boolean => name.startsWith(INCOMING);
const tempIn = (dir: string): string => join(dir, `${INCOMING}${process.pid}-${Math.random().toString(36).slice(2)}`);

export const sha256Of = (bytes: Buffer | string): string => createHash('sha256').update(bytes).digest('hex');

/**
 * The sha256 and size of a file, read as a stream; throws ENOENT and read errors. With `length`,
 * only its first `length` bytes: a log still being appended to is backed up as the prefix that
 * was there when it was listed.
 */
export async function hashFile(file: string, length?: number): Promise<{ sha256: string; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of readPrefix(file, length)) {
    hash.update(chunk);
    size += chunk.length;
  }
  return { sha256: hash.digest('hex'), size };
}

/** The bytes of `file`, or of its first `length` bytes (an empty stream for 0: `end: -1` reads all). */
async function* readPrefix(file: string, length?: number): AsyncGenerator<Buffer> {
  if (length === 0) return;
  for await (const chunk of createReadStream(file, length === undefined ? {} : { start: 0, end: length - 1 })) yield chunk as Buffer;
}

/** How a verified copy ends: its mode, how many bytes of the source it takes, a hook before the rename. */
export interface CopyOptions {
  mode?: number;
  /** Copy only the first `length` bytes (a log listed at that size, appended to since). */
  length?: number;
  /** Called with the temp copy written and fsync'd, before it is renamed: a crash point. */
  beforeRename?: () => void;
}

/**
 * Copies `source` to `target`, verified: the bytes written must hash to `sha256` (a source that
 * changed or rotted since it was listed is refused, naming `label`). Returns the bytes copied.
 */
export async function copyVerified(source: string, target: string, sha256: string, label: string, options: CopyOptions = {}): Promise<number> {
  const temp = tempIn(dirname(target));
  const hash = createHash('sha256');
  let size = 0;
  const out = await open(temp, 'w', 0o600);
  try {
    for await (const chunk of readPrefix(source, options.length)) {
      hash.update(chunk);
      size += chunk.length;
      await out.write(chunk);
    }
    await out.sync();
  } catch (err) {
    await out.close().catch(() => undefined);
    await rm(temp, { force: true });
    throw err;
  }
  await out.close();
  const actual = hash.digest('hex');
  if (actual !== sha256) {
    await rm(temp, { force: true });
    throw new Error(`${label} hashes to ${actual.slice(0, 12)}…, not ${sha256.slice(0, 12)}… (changed or corrupt)`);
  }
  await chmod(temp, options.mode ?? STORED_FILE_MODE);
  options.beforeRename?.();
  await rename(temp, target);
  await syncFolder(dirname(target));
  return size;
}

/** Removes the `.incoming-*` copies a kill cut short in `dir` (none, or no such folder: nothing). */
export async function removeIncoming(dir: string): Promise<number> {
  const names = await readdir(dir).catch(() => [] as string[]);
  const stale = names.filter(isIncoming);
  for (const name of stale) await rm(join(dir, name), { force: true });
  return stale.length;
}

/** Writes `bytes` to `target` durably (durable-file.ts) under a temp name of its own; `beforeRename` as in CopyOptions. */
export function writeBytesDurably(target: string, bytes: Buffer | string, mode = STORED_FILE_MODE, beforeRename?: () => void): void {
  writeFileDurably(target, bytes, { mode, temp: tempIn(dirname(target)), beforeRename });
}

async function syncFolder(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

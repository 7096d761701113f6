// Content-addressed files for backups and restores: every copy goes to a temp file in the folder
// it ends in, is hashed on the way, fsync'd, compared with the sha256 it must have, and only then
// renamed into place (and the folder fsync'd) — a kill -9 or a full disk leaves a `.incoming-*`
// file and never an object whose name lies about its content.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { chmod, open, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { writeFileDurably } from './durable-file.js';

const INCOMING = '.incoming-';

export const isIncoming = (name: string): boolean => name.startsWith(INCOMING);
const tempIn = (dir: string): string => join(dir, `${INCOMING}${process.pid}-${Math.random().toString(36).slice(2)}`);

export const sha256Of = (bytes: Buffer | string): string => createHash('sha256').update(bytes).digest('hex');

/** The sha256 and size of a file, read whole as a stream; throws ENOENT and read errors. */
export async function hashFile(file: string): Promise<{ sha256: string; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of createReadStream(file)) {
    hash.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  return { sha256: hash.digest('hex'), size };
}

/**
 * Copies `source` to `target`, verified: the bytes written must hash to `sha256` (a source that
 * changed or rotted since it was listed is refused, naming `label`). Returns the bytes copied.
 */
export async function copyVerified(source: string, target: string, sha256: string, label: string, mode = 0o444): Promise<number> {
  const temp = tempIn(dirname(target));
  const hash = createHash('sha256');
  let size = 0;
  const out = await open(temp, 'w', 0o600);
  try {
    for await (const chunk of createReadStream(source)) {
      hash.update(chunk as Buffer);
      size += (chunk as Buffer).length;
      await out.write(chunk as Buffer);
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
  await chmod(temp, mode);
  await rename(temp, target);
  await syncFolder(dirname(target));
  return size;
}

/** Writes `bytes` to `target` durably (durable-file.ts) under a temp name of its own. */
export function writeBytesDurably(target: string, bytes: Buffer | string, mode = 0o444): void {
  writeFileDurably(target, bytes, { mode, temp: tempIn(dirname(target)) });
}

async function syncFolder(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

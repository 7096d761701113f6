import { closeSync, fstatSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { open, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createMasker } from '../domain/masker.js';
import type { LogSink, LogStore } from '../engine/ports.js';

/** Past this many bytes a run's logs are cut, with a visible marker (never a silent pass). */
export const RUN_LOG_CAP_BYTES = 100 * 1024 * 1024;

/**
 * The daemon's per-run cap: `AXUM_LOG_CAP_BYTES` in its environment when that is a whole number
 * of at least 1024 (tests use a small cap to hit it fast; a team with huge logs may raise it),
 * else RUN_LOG_CAP_BYTES.
 */
export function logCapFromEnv(value: string | undefined, logger?: { warn(message: string): void }): number {
  if (value === undefined || value === '') return RUN_LOG_CAP_BYTES;
  const bytes = Number(value);
  if (Number.isSafeInteger(bytes) && bytes >= 1024) return bytes;
  logger?.warn(`AXUM_LOG_CAP_BYTES=${value} is not a whole number of at least 1024; the cap stays ${RUN_LOG_CAP_BYTES} bytes`);
  return RUN_LOG_CAP_BYTES;
}

/**
 * Per-step append-only log files: `<root>/<runId>/logs/<step>.log`, holding the masked bytes as
 * printed (so a file is always a byte prefix of the output), written synchronously so that what a
 * client was told exists is on disk.
 */
/** How often the time index gets an entry while output flows (one line per write, at most this often). */
const TIME_INDEX_MS = 100;

export function createFsLogStore(root: string, capBytes = RUN_LOG_CAP_BYTES, now: () => number = Date.now): LogStore {
  const runBytes = new Map<string, number>();
  const fileOf = (runId: string, step: string) => join(root, runId, 'logs', `${step}.log`);
  // Timestamps live beside the log ("offset epochMs" lines), so the log stays a byte prefix of the output.
  const timesOf = (runId: string, step: string) => join(root, runId, 'logs', `${step}.times`);
  return {
    open(runId, step, secrets) {
      mkdirSync(join(root, runId, 'logs'), { recursive: true });
      const fd = openSync(fileOf(runId, step), 'a', 0o600);
      const timesFd = openSync(timesOf(runId, step), 'a', 0o600);
      let lastStamp = -Infinity;
      const masker = createMasker(secrets);
      let size = fstatSync(fd).size; // a retry appends to the same file
      let capped = false;
      let closed = false;
      const append = (bytes: Buffer) => {
        if (bytes.length === 0 || capped) return;
        const at = now();
        if (at - lastStamp >= TIME_INDEX_MS) {
          lastStamp = at;
          writeSync(timesFd, `${size} ${at}\n`);
        }
        const used = runBytes.get(runId) ?? 0;
        if (used + bytes.length > capBytes) {
          const room = Math.max(0, capBytes - used);
          const marker = Buffer.from(`\n[axum] log cap of ${capBytes} bytes per run reached: further output of this run is dropped\n`);
          writeSync(fd, Buffer.concat([bytes.subarray(0, room), marker]));
          size += room + marker.length;
          runBytes.set(runId, capBytes);
          capped = true;
          return;
        }
        writeSync(fd, bytes);
        size += bytes.length;
        runBytes.set(runId, used + bytes.length);
      };
      const sink: LogSink = {
        write: (chunk) => {
          if (!closed) append(masker.push(chunk));
        },
        close: async () => {
          if (!closed) {
            closed = true;
            append(masker.end());
            closeSync(fd);
            closeSync(timesFd);
          }
          return size;
        },
        size: () => size,
      };
      return sink;
    },
    async read(runId, step, offset, limit) {
      let handle;
      try {
        handle = await open(fileOf(runId, step), 'r');
      } catch {
        return { data: Buffer.alloc(0), size: 0, times: [] };
      }
      try {
        const { size } = await handle.stat();
        const length = Math.max(0, Math.min(limit, size - offset));
        const data = Buffer.alloc(length);
        if (length > 0) await handle.read(data, 0, length, offset);
        const index = await readFile(timesOf(runId, step), 'utf8').catch(() => '');
        const all = index
          .split('\n')
          .map((line) => line.split(' ').map(Number) as [number, number])
          .filter(([o, t]) => Number.isFinite(o) && Number.isFinite(t));
        // The entry in force at `offset` (the last one before it) and every one inside the range.
        const before = all.filter(([o]) => o <= offset).at(-1);
        const inside = all.filter(([o]) => o > offset && o < offset + length);
        return { data, size, times: before ? [before, ...inside] : inside };
      } finally {
        await handle.close();
      }
    },
    async removeRun(runId) {
      runBytes.delete(runId);
      await rm(join(root, runId), { recursive: true, force: true });
    },
  };
}

/**
 * Masks the secrets in a small file a step wrote itself (its metrics file), in place: written to a
 * temporary file and renamed over, so a crash leaves the old or the new content, never half.
 * Nothing happens when the file is absent or holds no secret.
 */
export async function maskFileInPlace(file: string, secrets: readonly string[]): Promise<void> {
  const bytes = await readFile(file).catch(() => null);
  if (bytes === null) return;
  const masker = createMasker(secrets);
  const masked = Buffer.concat([masker.push(bytes), masker.end()]);
  if (masked.equals(bytes)) return;
  const temp = `${file}.masking`;
  await writeFile(temp, masked, { mode: 0o600 });
  await rename(temp, file);
}

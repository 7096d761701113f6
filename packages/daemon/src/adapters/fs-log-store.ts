import { closeSync, fstatSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { open, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { createMasker } from '../domain/masker.js';
import type { LogSink, LogStore } from '../engine/ports.js';

/** Past this many bytes a run's logs are cut, with a visible marker (never a silent pass). */
export const RUN_LOG_CAP_BYTES = 100 * 1024 * 1024;

/**
 * Per-step append-only log files: `<root>/<runId>/logs/<step>.log`, holding the masked bytes as
 * printed (so a file is always a byte prefix of the output), written synchronously so that what a
 * client was told exists is on disk.
 */
export function createFsLogStore(root: string, capBytes = RUN_LOG_CAP_BYTES): LogStore {
  const runBytes = new Map<string, number>();
  const fileOf = (runId: string, step: string) => join(root, runId, 'logs', `${step}.log`);
  return {
    open(runId, step, secrets) {
      mkdirSync(join(root, runId, 'logs'), { recursive: true });
      const fd = openSync(fileOf(runId, step), 'a', 0o600);
      const masker = createMasker(secrets);
      let size = fstatSync(fd).size; // a retry appends to the same file
      let capped = false;
      let closed = false;
      const append = (bytes: Buffer) => {
        if (bytes.length === 0 || capped) return;
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
        return { data: Buffer.alloc(0), size: 0 };
      }
      try {
        const { size } = await handle.stat();
        const length = Math.max(0, Math.min(limit, size - offset));
        const data = Buffer.alloc(length);
        if (length > 0) await handle.read(data, 0, length, offset);
        return { data, size };
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

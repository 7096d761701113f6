import { closeSync, constants, fstatSync, openSync, readFileSync, readSync } from 'node:fs';
import { mkdirNoFollow, openNoFollow } from '@axum/protocol';
import { describeFsError } from '../domain/disk-errors.js';
import { closeQuietly, writeAll } from './fs-errors.js';
import { parseTimes, timesIn, wholeCharacters, type TimeEntry } from './fs-log-times.js';
import { chmod, lstat, open, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
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
 * The newest bytes of each open log kept in memory, at most this many (whole writes, so up to one
 * write more). Followers at the end of a running step's log take its fresh output from here instead
 * of the file: a file read per chunk and per client (open, stat, read, close, through libuv's 4
 * threads) kept 10 followers of a 10 MB/s step ~0.3–0.8 s behind it (BENCHMARKS.md, log fan-out).
 * A follower further behind than this reads the file.
 */
export const LIVE_TAIL_BYTES = 4 * 1024 * 1024;
/** The size of the blocks an open log's tail is copied into. */
const TAIL_BLOCK_BYTES = 64 * 1024;
/** Parsed time indexes of finished logs kept for reads (a followed or re-read log is read in many chunks). */
const CLOSED_TIMES_CACHED = 64;
/** How often the time index gets an entry while output flows (one line per write, at most this often). */
const TIME_INDEX_MS = 100;


/** An open log: what has been written so far, and its newest bytes as written (masked). */
interface LiveLog {
  size: number;
  /**
   * Consecutive blocks of output, oldest first, ending at `size`: writes are copied into blocks of
   * TAIL_BLOCK_BYTES, so a step printing a line per write costs its bytes, not an object per line
   * (an `echo` loop arrives as ~14-byte writes: one entry each held 10–75× the bytes kept).
   */
  tail: { offset: number; block: Buffer; used: number; bytes: Buffer }[];
  tailBytes: number;
  /** The whole time index, in offset order (also the lines of the `.times` file). */
  times: TimeEntry[];
  /** A read-only descriptor of the file, opened by the first read behind the tail. */
  readFd: number | null;
}

/**
 * Per-step append-only log files: `<root>/<runId>/logs/<step>.log`, holding the masked bytes as
 * printed (so a file is always a byte prefix of the output), written synchronously so that what a
 * client was told exists is on disk. Reads of an open log's newest bytes are served from memory
 * (exactly the bytes written to the file), older ranges from the file.
 */
export function createFsLogStore(root: string, capBytes = RUN_LOG_CAP_BYTES, now: () => number = Date.now): LogStore {
  const runBytes = new Map<string, number>();
  const fileOf = (runId: string, step: string) => join(root, runId, 'logs', `${step}.log`);
  // Timestamps live beside the log ("offset epochMs" lines), so the log stays a byte prefix of the output.
  const timesOf = (runId: string, step: string) => join(root, runId, 'logs', `${step}.times`);
  const live = new Map<string, LiveLog>();
  // Finished logs' indexes, least recently used first. Only this daemon writes the files, and it
  // forgets an entry when it opens the log again (a retry) or removes the run.
  const closedTimes = new Map<string, TimeEntry[]>();
  // Bumped whenever a log is opened or a run removed: an index parsed by a read that overlapped one
  // may be stale, and is then not cached.
  let generation = 0;
  const rememberTimes = (k: string, times: TimeEntry[]) => {
    closedTimes.delete(k);
    closedTimes.set(k, times);
    if (closedTimes.size > CLOSED_TIMES_CACHED) closedTimes.delete(closedTimes.keys().next().value!);
  };
  return {
    open(runId, step, secrets) {
      mkdirNoFollow(join(root, runId, 'logs'));
      const k = logKey(runId, step);
      generation++;
      const fd = openNoFollow(fileOf(runId, step), 'a');
      const timesFd = openNoFollow(timesOf(runId, step), 'a');
      let lastStamp = -Infinity;
      const masker = createMasker(secrets);
      let size = fstatSync(fd).size; // a retry appends to the same file
      // A retry's earlier attempts are already indexed; reads of them go on using the index.
      const times = size === 0 ? [] : (closedTimes.get(k) ?? parseTimes(readTextOrEmpty(timesOf(runId, step))));
      closedTimes.delete(k);
      const state: LiveLog = { size, tail: [], tailBytes: 0, times, readFd: null };
      live.set(k, state);
      let capped = false;
      let closed = false;
      // The first write that failed (ENOSPC, EIO, EROFS): nothing more is written after it, so the
      // file stays a byte prefix of the output, and the step is failed with this reason.
      let failure: string | null = null;
      const keep = (bytes: Buffer) => {
        // A copy: a write may be a view of a larger buffer that the tail must not keep alive. Only
        // the filled part of a block is ever handed out, and a block is only written past it.
        const last = state.tail.at(-1);
        if (last && last.used + bytes.length <= last.block.length) {
          bytes.copy(last.block, last.used);
          last.used += bytes.length;
          last.bytes = last.block.subarray(0, last.used);
        } else {
          const block = Buffer.allocUnsafe(Math.max(TAIL_BLOCK_BYTES, bytes.length));
          bytes.copy(block, 0);
          state.tail.push({ offset: size, block, used: bytes.length, bytes: block.subarray(0, bytes.length) });
        }
        state.tailBytes += bytes.length;
        while (state.tail.length > 1 && state.tailBytes - state.tail[0]!.bytes.length >= LIVE_TAIL_BYTES) {
          state.tailBytes -= state.tail.shift()!.bytes.length;
        }
      };
      const append = (bytes: Buffer) => {
        if (bytes.length === 0 || capped) return;
        const at = now();
        if (at - lastStamp >= TIME_INDEX_MS) {
          lastStamp = at;
          writeAll(timesFd, Buffer.from(`${size} ${at}\n`));
          times.push([size, at]);
        }
        const used = runBytes.get(runId) ?? 0;
        if (used + bytes.length > capBytes) {
          const room = Math.max(0, capBytes - used);
          const marker = Buffer.from(`\n[axum] log cap of ${capBytes} bytes per run reached: further output of this run is dropped\n`);
          const last = Buffer.concat([bytes.subarray(0, room), marker]);
          writeAll(fd, last);
          keep(last);
          size += last.length;
          state.size = size;
          runBytes.set(runId, capBytes);
          capped = true;
          return;
        }
        writeAll(fd, bytes);
        keep(bytes);
        size += bytes.length;
        state.size = size;
        runBytes.set(runId, used + bytes.length);
      };
      const guarded = (bytes: Buffer) => {
        if (failure !== null) return;
        try {
          append(bytes);
        } catch (err) {
          failure = `its log could not be written (${describeFsError(err)})`;
        }
      };
      const sink: LogSink = {
        write: (chunk) => {
          if (!closed) guarded(masker.push(chunk));
        },
        close: async () => {
          if (!closed) {
            closed = true;
            guarded(masker.end());
            closeQuietly(fd);
            closeQuietly(timesFd);
            if (state.readFd !== null) closeSync(state.readFd);
            state.readFd = null;
            if (live.get(k) === state) {
              live.delete(k);
              rememberTimes(k, times);
            }
          }
          return size;
        },
        size: () => size,
        failure: () => failure,
      };
      return sink;
    },
    async read(runId, step, offset, limit) {
      const k = logKey(runId, step);
      const log = live.get(k);
      if (log) {
        let data: Buffer;
        if (offset >= (log.tail[0]?.offset ?? log.size)) {
          data = sliceTail(log, offset, limit);
        } else {
          // Behind the tail: a synchronous read of bytes written moments ago (in the page cache).
          // Through libuv's pool, open-stat-read-close per chunk was too slow for a follower that
          // fell behind a 10 MB/s step to ever catch up again.
          try {
            log.readFd ??= openSync(fileOf(runId, step), 'r');
          } catch {
            return { data: Buffer.alloc(0), size: 0, times: [], open: true }; // removed under a running step
          }
          data = Buffer.allocUnsafe(Math.max(0, Math.min(limit, log.size - offset)));
          data = data.subarray(0, readSync(log.readFd, data, 0, data.length, offset));
        }
        data = wholeCharacters(data, offset + limit >= log.size);
        return { data, size: log.size, times: timesIn(log.times, offset, data.length), open: true };
      }
      const startedAt = generation;
      let handle;
      try {
        handle = await open(fileOf(runId, step), 'r');
      } catch {
        return { data: Buffer.alloc(0), size: 0, times: [], open: live.has(k) };
      }
      try {
        const { size } = await handle.stat();
        const length = Math.max(0, Math.min(limit, size - offset));
        const read = Buffer.alloc(length);
        if (length > 0) await handle.read(read, 0, length, offset);
        // The end of a finished log is its end, even inside a character (a step may print any bytes).
        const data = !live.has(k) && offset + length >= size ? read : wholeCharacters(read, offset + limit >= size);
        let times = live.get(k)?.times ?? closedTimes.get(k);
        if (times) {
          if (!live.has(k)) rememberTimes(k, times);
        } else {
          times = parseTimes(await readFile(timesOf(runId, step), 'utf8').catch(() => ''));
          if (generation === startedAt && !live.has(k)) rememberTimes(k, times);
        }
        return { data, size, times: timesIn(times, offset, data.length), open: live.has(k) };
      } finally {
        await handle.close();
      }
    },
    async removeRun(runId) {
      runBytes.delete(runId);
      generation++;
      for (const k of [...closedTimes.keys()]) if (k.startsWith(`${runId}\u0000`)) closedTimes.delete(k);
      await rm(join(root, runId), { recursive: true, force: true });
    },
    async runIds() {
      const entries = await readdir(root, { withFileTypes: true }).catch(() => []);
      return entries.filter((e) => e.isDirectory()).map((e) => e.name);
    },
  };
}

const logKey = (runId: string, step: string) => `${runId}\u0000${step}`;

function readTextOrEmpty(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

/** Up to `limit` bytes of an open log from `offset` (inside its tail), as written. */
function sliceTail(log: LiveLog, offset: number, limit: number): Buffer {
  const end = Math.min(log.size, offset + limit);
  if (end <= offset) return Buffer.alloc(0);
  let lo = 0;
  let hi = log.tail.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (log.tail[mid]!.offset <= offset) lo = mid;
    else hi = mid - 1;
  }
  const parts: Buffer[] = [];
  for (let i = lo; i < log.tail.length; i++) {
    const { offset: at, bytes } = log.tail[i]!;
    if (at >= end) break;
    parts.push(bytes.subarray(Math.max(0, offset - at), Math.min(bytes.length, end - at)));
  }
  // One part is a view of the tail: the caller turns it into a string at once.
  return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
}

/**
 * Masks the secrets in a small file a step wrote itself (its metrics file), in place: written to a
 * temporary file and renamed over, so a crash leaves the old or the new content, never half.
 * Nothing happens when the file is absent; one that holds no secret is only made owner-only (the
 * step wrote it with its own umask, and it is kept, and backed up, beside the run's logs).
 */
export async function maskFileInPlace(file: string, secrets: readonly string[]): Promise<void> {
  const bytes = await readFile(file).catch(() => null);
  if (bytes === null) return;
  const masker = createMasker(secrets);
  const masked = Buffer.concat([masker.push(bytes), masker.end()]);
  if (masked.equals(bytes)) {
    const info = await lstat(file).catch(() => null);
    if (info?.isFile() && (info.mode & 0o077) !== 0) await chmod(file, 0o600);
    return;
  }
  const temp = `${file}.masking`;
  await writeFile(temp, masked, { mode: 0o600, flag: constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_NOFOLLOW });
  await rename(temp, file);
}

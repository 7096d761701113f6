import { encode } from '@axum/protocol';
import { RequestFailure } from './pipeline.js';
import type { LogSource } from './log-source.js';

/** A client's unsent bytes above which its log streams pause (they resume from their offset). */
export const STREAM_PAUSE_BYTES = 1024 * 1024;
// Below V8's large-object threshold (128 KiB): a chunk's buffer, string and JSON frame die young,
// in scavenges, instead of piling up in large-object space until a full GC. 256 KiB chunks gave a
// 10-client fan-out of 10 MB/s 0.4× the throughput of raw ws and a 190–230 MiB peak RSS; 64 KiB
// 1.2–1.5× and 125–130 MiB (BENCHMARKS.md, log fan-out).
const CHUNK_BYTES = 64 * 1024;
const PAUSE_RETRY_MS = 20;
// Followers at the end of a log ask for a chunk within one turn of the event loop; followers that
// fell behind (a busy machine, a slow client process) ask for the same chunks seconds apart, and
// share them only while they are still here: 8 MiB of frames covers followers ~0.8 s apart at
// 10 MB/s. When they did not share, each did the work for itself, the daemon needed twice the CPU
// and fell further behind (BENCHMARKS.md, log fan-out). Dropped after a few idle seconds, so an idle
// daemon holds none.
const SHARED_BYTES = 8 * 1024 * 1024;
const SHARED_IDLE_MS = 5_000;

interface Follow {
  runId: string;
  step: string;
  offset: number;
  pumping: boolean;
  again: boolean;
}

/** One `log.chunk` as read and encoded once; `frame` is the UTF-8 text frame, sent as is to every client. */
interface SharedChunk {
  nextOffset: number;
  complete: boolean;
  frame: Buffer;
}

/**
 * The newest chunks read for followers, by (run, step, offset), shared by every client of the daemon:
 * followers of a running step ask for the same offsets, and reading, turning into a string and
 * JSON-encoding the same 64 KiB once per client made the daemon's CPU (not the socket) the limit of a
 * 10-client fan-out. A chunk found here may end before the log's end now: it is still a valid chunk
 * (bytes in order, cut at a newline), and the follower reads on from its `nextOffset`. Reads still
 * in flight are shared too, and a read that found nothing new is not kept.
 */
class SharedReads {
  private readonly recent = new Map<string, { read: Promise<SharedChunk | RequestFailure>; bytes: number }>();
  private bytes = 0;
  private idle: ReturnType<typeof setTimeout> | null = null;

  constructor(private readonly source: LogSource) {}

  read(runId: string, step: string, offset: number): Promise<SharedChunk | RequestFailure> {
    const k = `${runId}\u0000${step}\u0000${offset}`;
    const hit = this.recent.get(k);
    if (hit) return hit.read;
    // A read behind the end of the log stops at the next multiple of CHUNK_BYTES (not 64 KiB from
    // wherever the follower is), cut back to a newline: followers that fell behind at different
    // offsets then pass through the same chunk boundaries after one read, and share the chunks from
    // there on. 32–96 KiB: never a sliver, and below V8's large-object threshold.
    let limit = CHUNK_BYTES - (offset % CHUNK_BYTES);
    if (limit < CHUNK_BYTES / 2) limit += CHUNK_BYTES;
    const read = this.source.readLog({ runId, step, offset, limit }).then((chunk) =>
      chunk instanceof RequestFailure ? chunk : { nextOffset: chunk.nextOffset, complete: chunk.complete, frame: Buffer.from(encode({ type: 'log.chunk', ...chunk })) },
    );
    const entry = { read, bytes: 0 };
    this.recent.set(k, entry);
    // Attached before any caller's, so it runs first: a later read at this offset asks again.
    const forget = () => {
      if (this.recent.get(k) !== entry) return;
      this.recent.delete(k);
      this.bytes -= entry.bytes;
    };
    read.then((chunk) => {
      if (chunk instanceof RequestFailure || (chunk.nextOffset === offset && !chunk.complete)) return forget();
      if (this.recent.get(k) !== entry) return;
      entry.bytes = chunk.frame.length;
      this.bytes += entry.bytes;
      for (const [oldest, { bytes }] of this.recent) {
        if (this.bytes <= SHARED_BYTES) break;
        this.recent.delete(oldest);
        this.bytes -= bytes;
      }
    }, forget);
    if (this.idle) this.idle.refresh();
    else {
      this.idle = setTimeout(() => {
        this.recent.clear();
        this.bytes = 0;
        this.idle = null;
      }, SHARED_IDLE_MS);
      this.idle.unref?.();
    }
    return read;
  }
}

const sharedReads = new WeakMap<LogSource, SharedReads>();

/**
 * The `logs.follow` streams of one client. Each stream sends `log.chunk` messages in offset order
 * (one read in flight per stream, so no gap and no duplicate) and pauses while the client is slow,
 * so a slow client costs a file offset, not daemon memory.
 */
export class LogFollower {
  private readonly follows = new Map<string, Follow>();
  private readonly reads: SharedReads;
  private readonly unsubscribe: () => void;
  private closed = false;

  constructor(
    private readonly source: LogSource,
    /** Sends an encoded `log.chunk` frame (shared with other clients: not to be changed). */
    private readonly sendFrame: (frame: Buffer) => void,
    private readonly buffered: () => number,
  ) {
    let reads = sharedReads.get(source);
    if (!reads) sharedReads.set(source, (reads = new SharedReads(source)));
    this.reads = reads;
    this.unsubscribe = source.onLogActivity((runId, step) => {
      const follow = this.follows.get(key(runId, step));
      if (follow) void this.pump(follow);
    });
  }

  async follow(runId: string, step: string, offset: number): Promise<{ following: true } | RequestFailure> {
    const address = await this.source.resolve(runId, step);
    if (address instanceof RequestFailure) return address;
    const follow: Follow = { runId: address, step, offset, pumping: false, again: false };
    this.follows.set(key(address, step), follow);
    void this.pump(follow);
    return { following: true };
  }

  async unfollow(runId: string, step: string): Promise<{ following: false }> {
    const address = await this.source.resolve(runId, step);
    this.follows.delete(key(address instanceof RequestFailure ? runId : address, step));
    return { following: false };
  }

  close(): void {
    this.closed = true;
    this.follows.clear();
    this.unsubscribe();
  }

  private async pump(follow: Follow): Promise<void> {
    if (follow.pumping) {
      follow.again = true;
      return;
    }
    follow.pumping = true;
    const current = () => !this.closed && this.follows.get(key(follow.runId, follow.step)) === follow;
    try {
      do {
        follow.again = false;
        for (;;) {
          if (!current()) return;
          if (this.buffered() > STREAM_PAUSE_BYTES) {
            await new Promise((resolve) => setTimeout(resolve, PAUSE_RETRY_MS));
            continue;
          }
          const chunk = await this.reads.read(follow.runId, follow.step, follow.offset);
          if (!current()) return; // unfollowed (or the client left) during the read
          if (chunk instanceof RequestFailure) {
            this.follows.delete(key(follow.runId, follow.step));
            return;
          }
          if (chunk.nextOffset === follow.offset && !chunk.complete) break; // nothing new yet
          follow.offset = chunk.nextOffset;
          this.sendFrame(chunk.frame);
          if (chunk.complete) {
            this.follows.delete(key(follow.runId, follow.step));
            return;
          }
        }
      } while (follow.again);
    } finally {
      follow.pumping = false;
    }
  }
}

const key = (runId: string, step: string) => `${runId}\u0000${step}`;

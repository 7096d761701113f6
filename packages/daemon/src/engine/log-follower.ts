import type { DaemonMessage } from '@axum/protocol';
import { RequestFailure, type Pipeline } from './pipeline.js';

/** A client's unsent bytes above which its log streams pause (they resume from their offset). */
export const STREAM_PAUSE_BYTES = 1024 * 1024;
// Below V8's large-object threshold (128 KiB): a chunk's buffer, string and JSON frame die young,
// in scavenges, instead of piling up in large-object space until a full GC. 256 KiB chunks gave a
// 10-client fan-out of 10 MB/s 0.4× the throughput of raw ws and a 190–230 MiB peak RSS; 64 KiB
// 1.2–1.5× and 125–130 MiB (BENCHMARKS.md, log fan-out).
const CHUNK_BYTES = 64 * 1024;
const PAUSE_RETRY_MS = 50;

interface Follow {
  runId: string;
  step: string;
  offset: number;
  pumping: boolean;
  again: boolean;
}

/**
 * The `logs.follow` streams of one client. Each stream sends `log.chunk` messages in offset order
 * (one read in flight per stream, so no gap and no duplicate) and pauses while the client is slow,
 * so a slow client costs a file offset, not daemon memory.
 */
export class LogFollower {
  private readonly follows = new Map<string, Follow>();
  private readonly unsubscribe: () => void;
  private closed = false;

  constructor(
    private readonly pipeline: Pipeline,
    private readonly send: (message: DaemonMessage) => void,
    private readonly buffered: () => number,
  ) {
    this.unsubscribe = pipeline.onLogActivity((runId, step) => {
      const follow = this.follows.get(key(runId, step));
      if (follow) void this.pump(follow);
    });
  }

  async follow(runId: string, step: string, offset: number): Promise<{ following: true } | RequestFailure> {
    const run = this.pipeline.get(runId);
    if (run instanceof RequestFailure) return run;
    if (!run.steps.some((s) => s.name === step)) return new RequestFailure('not-found', `${run.id} has no step ${step}`);
    const follow: Follow = { runId: run.id, step, offset, pumping: false, again: false };
    this.follows.set(key(run.id, step), follow);
    void this.pump(follow);
    return { following: true };
  }

  unfollow(runId: string, step: string): { following: false } {
    const run = this.pipeline.get(runId);
    this.follows.delete(key(run instanceof RequestFailure ? runId : run.id, step));
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
    try {
      do {
        follow.again = false;
        for (;;) {
          if (this.closed || this.follows.get(key(follow.runId, follow.step)) !== follow) return;
          if (this.buffered() > STREAM_PAUSE_BYTES) {
            await new Promise((resolve) => setTimeout(resolve, PAUSE_RETRY_MS));
            continue;
          }
          const chunk = await this.pipeline.readLog({ runId: follow.runId, step: follow.step, offset: follow.offset, limit: CHUNK_BYTES });
          if (chunk instanceof RequestFailure) {
            this.follows.delete(key(follow.runId, follow.step));
            return;
          }
          if (chunk.nextOffset === follow.offset && !chunk.complete) break; // nothing new yet
          follow.offset = chunk.nextOffset;
          this.send({ type: 'log.chunk', ...chunk });
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

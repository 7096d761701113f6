// `axum logs RUN --follow` asks the daemon for every step's log at once; the chunks come back as
// the daemon sends them: a finished step's stored log beside a later step's live one, and (a
// follow started mid-step) a stored tail that may overlap the first live bytes. This puts them back
// in the order `axum logs` prints: step by step in the run's order (steps of one stage, which run
// side by side, as they come), each step's bytes once, from its start, without a hole.
import type { LogChunk } from '@axum/protocol';

interface StepLog {
  stage: string;
  /** The next byte of this step's log to hand on. */
  offset: number;
  /** Chunks that start past `offset`, waiting for the bytes before them. */
  waiting: LogChunk[];
  /** Chunks handed on in order but held back behind an earlier step still printing its stored part. */
  held: LogChunk[];
  complete: boolean;
  ended: boolean;
}

/** The bytes of `chunk` from `offset` on (the part before it was handed on already). */
function from(chunk: LogChunk, offset: number): LogChunk {
  if (offset <= chunk.offset) return chunk;
  const rest = Buffer.from(chunk.data, 'utf8').subarray(offset - chunk.offset).toString('utf8');
  return { ...chunk, offset, data: rest };
}

/**
 * Feed it every chunk as it arrives (`add`) and the run's steps as they become known (`steps`);
 * it calls `print` with chunks in order and `end` once per step after its last byte. `gap` says
 * which bytes of a step are missing (a chunk came that starts past them), to be read and added.
 */
export function followOrder(sink: { print: (chunk: LogChunk) => void; end: (step: string) => void; gap: (step: string, offset: number) => void }) {
  const order: string[] = [];
  const logs = new Map<string, StepLog>();
  const log = (step: string, stage = '') => {
    let found = logs.get(step);
    if (!found) {
      found = { stage, offset: 0, waiting: [], held: [], complete: false, ended: false };
      logs.set(step, found);
      order.push(step);
    }
    return found;
  };
  /** A step may print once every step before it has ended, or runs beside it (same stage). */
  const mayPrint = (step: string): boolean => {
    const self = logs.get(step)!;
    for (const earlier of order) {
      if (earlier === step) return true;
      const other = logs.get(earlier)!;
      if (!other.ended && other.stage !== self.stage) return false;
    }
    return true;
  };
  const release = () => {
    for (const step of order) {
      const l = logs.get(step)!;
      if (!mayPrint(step)) continue;
      for (const chunk of l.held.splice(0)) sink.print(chunk);
      if (l.complete && !l.ended) {
        l.ended = true;
        sink.end(step);
      }
    }
  };
  const accept = (l: StepLog, chunk: LogChunk) => {
    if (chunk.data.length > 0 || chunk.complete) l.held.push(chunk);
    l.offset = chunk.nextOffset;
    if (chunk.complete) l.complete = true;
  };
  return {
    /** The run's steps in its order (from each run update): later ones may be new. */
    steps(steps: readonly { name: string; stage: string }[]) {
      for (const s of steps) log(s.name, s.stage).stage = s.stage;
      // The run's order first (a chunk may have come before the update that named its step).
      const rank = (step: string) => {
        const at = steps.findIndex((s) => s.name === step);
        return at < 0 ? steps.length : at;
      };
      order.sort((a, b) => rank(a) - rank(b));
      release();
    },
    add(chunk: LogChunk) {
      const l = log(chunk.step);
      // Bytes handed on already (an overlap of the stored tail and the live stream): dropped.
      if (chunk.nextOffset < l.offset || (chunk.nextOffset === l.offset && !chunk.complete) || l.complete) return;
      if (chunk.offset > l.offset) {
        if (!l.waiting.some((w) => w.offset === chunk.offset)) {
          l.waiting.push(chunk);
          if (l.waiting.length === 1) sink.gap(chunk.step, l.offset);
        }
        return;
      }
      accept(l, from(chunk, l.offset));
      // What waited for these bytes may go now, in order.
      for (let next = l.waiting.sort((a, b) => a.offset - b.offset)[0]; next && next.offset <= l.offset; next = l.waiting[0]) {
        l.waiting.shift();
        if (next.nextOffset > l.offset || next.complete) accept(l, from(next, l.offset));
      }
      if (l.waiting.length > 0) sink.gap(chunk.step, l.offset);
      release();
    },
    /** True once every known step has ended (printed to its last byte). */
    allEnded: (steps: readonly string[]) => steps.every((s) => logs.get(s)?.ended === true),
  };
}

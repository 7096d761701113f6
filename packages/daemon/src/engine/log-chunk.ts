import type { LogChunk } from '@axum/protocol';

/** What the log store answered for a range of a log (LogStore.read). */
export interface LogRead {
  data: Buffer;
  size: number;
  times: [number, number][];
  open: boolean;
}

/**
 * The `logs.read` answer for a run's step or an operation's step (`address` is `run-12` or
 * `production#7`): cut at the last newline so a UTF-8 character is never split across two chunks,
 * and complete only once the step has ended and its log is closed (a cancelled step's last bytes
 * are written after its status changed).
 */
export function logChunkOf(address: string, step: string, offset: number, read: LogRead, stepEnded: boolean): LogChunk {
  let bytes = read.data;
  const lastNewline = read.data.lastIndexOf(10);
  if (offset + read.data.length < read.size && lastNewline >= 0) bytes = read.data.subarray(0, lastNewline + 1);
  const nextOffset = offset + bytes.length;
  return {
    runId: address,
    step,
    offset,
    nextOffset,
    data: bytes.toString('utf8'),
    complete: stepEnded && !read.open && nextOffset >= read.size,
    times: read.times.filter(([o]) => o < nextOffset),
  };
}

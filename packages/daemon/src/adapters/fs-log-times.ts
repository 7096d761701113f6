// The pure parts of reading a step log: its time index (`.times`, "offset epochMs" lines) and
// whole UTF-8 characters at the end of a read. Split from fs-log-store.ts, which writes and serves.

/** One line of a log's time index: the byte offset and when the bytes there were written. */
export type TimeEntry = [offset: number, epochMs: number];

/** The `.times` file's "offset epochMs" lines; a torn last line (a crash mid-write) is skipped. */
export function parseTimes(text: string): TimeEntry[] {
  return text
    .split('\n')
    .map((line) => line.split(' ').map(Number) as TimeEntry)
    .filter(([o, t]) => Number.isFinite(o) && Number.isFinite(t));
}

/** The entry in force at `offset` (the last one at or before it) and every one inside the range. */
export function timesIn(times: readonly TimeEntry[], offset: number, length: number): TimeEntry[] {
  // First entry past `offset`: the index is in offset order, so a binary search, not a scan.
  let lo = 0;
  let hi = times.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (times[mid]![0] <= offset) lo = mid + 1;
    else hi = mid;
  }
  const result: TimeEntry[] = lo > 0 ? [times[lo - 1]!] : [];
  for (let i = lo; i < times.length && times[i]![0] < offset + length; i++) result.push(times[i]!);
  return result;
}

/**
 * `data` without the first bytes of a UTF-8 character whose last bytes it does not hold: a step's
 * write (a pipe read) may end inside a character, and a client at the end of a running step's log
 * would otherwise decode the two halves apart, as two U+FFFD. Those bytes come with the next read.
 * Kept as is when nothing else would be left and more bytes are not on their way (a read whose
 * `limit` is shorter than one character, or bytes that are not UTF-8 at all): a read always moves on.
 */
export function wholeCharacters(data: Buffer, atEnd: boolean): Buffer {
  for (let back = 1; back <= Math.min(3, data.length); back++) {
    const byte = data[data.length - back]!;
    if ((byte & 0xc0) === 0x80) continue; // a continuation byte: look further back for its lead
    const needs = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1;
    if (needs <= back) return data; // complete (or plain ASCII)
    const whole = data.length - back;
    return whole > 0 || atEnd ? data.subarray(0, whole) : data;
  }
  return data;
}

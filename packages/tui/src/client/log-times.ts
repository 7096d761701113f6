/**
 * The daemon's side index of a log, `[byteOffset, epochMs]` ascending by offset: when the output
 * at each offset was written (the log file itself stays the bytes as printed).
 */
export class LogTimes {
  private offsets: number[] = [];
  private times: number[] = [];

  copy(): LogTimes {
    const copy = new LogTimes();
    copy.offsets = this.offsets.slice();
    copy.times = this.times.slice();
    return copy;
  }

  add(offset: number, time: number): void {
    const n = this.offsets.length;
    const last = this.offsets[n - 1];
    if (last === undefined || offset > last) {
      this.offsets.push(offset);
      this.times.push(time);
      return;
    }
    // The entry in force at a chunk's start is sent again with the next chunk: keep one of each.
    let i = n;
    while (i > 0 && (this.offsets[i - 1] ?? 0) > offset) i--;
    if (this.offsets[i - 1] === offset) return;
    this.offsets.splice(i, 0, offset);
    this.times.splice(i, 0, time);
  }

  /** Forgets the entries before `byte`, except the one in force there. */
  dropBefore(byte: number): void {
    let drop = 0;
    while (drop + 1 < this.offsets.length && (this.offsets[drop + 1] ?? Infinity) <= byte) drop++;
    if (drop > 0) {
      this.offsets.splice(0, drop);
      this.times.splice(0, drop);
    }
  }

  /** The time in force at a byte offset (the last entry at or before it); null before the first. */
  at(byte: number): number | null {
    let lo = 0;
    let hi = this.offsets.length - 1;
    if (hi < 0 || (this.offsets[0] ?? Infinity) > byte) return null;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((this.offsets[mid] ?? Infinity) <= byte) lo = mid;
      else hi = mid - 1;
    }
    return this.times[lo] ?? null;
  }
}

/** Lines kept per followed step: older ones scroll out (the daemon still has the whole file). */
export const MAX_LOG_LINES = 10_000;

/**
 * A step's log as lines, outside React: chunks are appended as they arrive and the view reads
 * only the rows it shows. `offset` is where a resumed stream continues (no gap, no duplicate).
 */
export class LogBuffer {
  lines: string[] = [];
  /** When each line started (epoch ms), from the daemon's side index; null where unknown. */
  times: (number | null)[] = [];
  offset = 0;
  complete = false;
  /** Bumped on every change, so a coalescing timer knows when to re-render. */
  version = 0;
  private partial = '';
  /** Byte offset where the partial line began. */
  private partialStart = 0;
  private index: [number, number][] = [];
  dropped = 0;

  append(data: string, nextOffset: number, complete: boolean, times: [number, number][] = []): void {
    for (const entry of times) if (!this.index.some(([o]) => o === entry[0])) this.index.push(entry);
    this.index.sort((a, b) => a[0] - b[0]);
    const timeAt = (offset: number): number | null => {
      let found: number | null = null;
      for (const [o, t] of this.index) {
        if (o > offset) break;
        found = t;
      }
      return found;
    };
    let start = this.partial ? this.partialStart : this.offset;
    const parts = (this.partial + data).split('\n');
    this.partial = parts.pop() ?? '';
    for (const line of parts) {
      this.lines.push(line);
      this.times.push(timeAt(start));
      start += Buffer.byteLength(line) + 1;
    }
    this.partialStart = start;
    if (complete && this.partial) {
      this.lines.push(this.partial);
      this.times.push(timeAt(start));
      this.partial = '';
    }
    const excess = this.lines.length - MAX_LOG_LINES;
    if (excess > 0) {
      this.lines.splice(0, excess);
      this.times.splice(0, excess);
      this.dropped += excess;
    }
    // Entries before the oldest kept line are no longer needed (keep the one in force there).
    while (this.index.length > 1 && (this.index[1]?.[0] ?? Infinity) <= start - 4 * 1024 * 1024) this.index.shift();
    this.offset = nextOffset;
    this.complete = complete;
    this.version++;
  }

  /** The lines plus a line still being written. */
  all(): string[] {
    return this.partial ? [...this.lines, this.partial] : this.lines;
  }
}

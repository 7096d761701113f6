/** Lines kept per followed step: older ones scroll out (the daemon still has the whole file). */
export const MAX_LOG_LINES = 10_000;

/**
 * A step's log as lines, outside React: chunks are appended as they arrive and the view reads
 * only the rows it shows. `offset` is where a resumed stream continues (no gap, no duplicate).
 */
export class LogBuffer {
  lines: string[] = [];
  offset = 0;
  complete = false;
  /** Bumped on every change, so a coalescing timer knows when to re-render. */
  version = 0;
  private partial = '';
  dropped = 0;

  append(data: string, nextOffset: number, complete: boolean): void {
    const parts = (this.partial + data).split('\n');
    this.partial = parts.pop() ?? '';
    for (const line of parts) this.lines.push(line);
    if (complete && this.partial) {
      this.lines.push(this.partial);
      this.partial = '';
    }
    const excess = this.lines.length - MAX_LOG_LINES;
    if (excess > 0) {
      this.lines.splice(0, excess);
      this.dropped += excess;
    }
    this.offset = nextOffset;
    this.complete = complete;
    this.version++;
  }

  /** The lines plus a line still being written. */
  all(): string[] {
    return this.partial ? [...this.lines, this.partial] : this.lines;
  }
}

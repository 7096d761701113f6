import { MAX_LINE_CHARS } from './log-buffer.js';
import { lineMatches } from './log-search.js';
import type { LogPager } from './log-pager.js';

/** Bytes asked for per read while scanning the older lines (each read yields to the UI before the next). */
const SCAN_READ = 256 * 1024;

/** Where a whole-log search stands: `done` once every line above the kept ones has been read. */
export interface SearchProgress {
  done: boolean;
  /** Bytes of the older part read so far, and how many there are (for `searching… 42%`). */
  read: number;
  total: number;
  error: string | null;
}

/**
 * One query over a followed step's whole log: the kept lines (the live buffer) are searched in
 * memory; the older ones, which only the daemon has, are read once from offset 0 in the
 * background (`logs.read`, as the pager reads them) and their matching line numbers kept. Lines
 * are numbered as the live buffer numbers them (a line longer than MAX_LINE_CHARS still being
 * written counts as pieces), so a match found here is the line the pager shows. Counts are of the
 * whole log; until the scan is done `progress` says how far it got.
 */
export class WholeLogSearch {
  /** Absolute numbers of the matching lines read from the daemon, ascending. */
  private older: number[] = [];
  /** Complete lines read so far from the daemon, and the byte offset after them (and the partial line). */
  private lines = 0;
  private offset = 0;
  private partial = '';
  private readonly needle: string;
  private running = false;
  private stopped = false;
  private state: SearchProgress = { done: false, read: 0, total: 0, error: null };
  private readonly listeners = new Set<() => void>();

  constructor(
    readonly pager: LogPager,
    readonly query: string,
  ) {
    this.needle = query.toLowerCase();
  }

  /** Where the scan of the older lines stands; starts or continues it when the kept lines moved on. */
  progress(): SearchProgress {
    const live = this.pager.live;
    if (this.lines < live.dropped && !this.running && !this.stopped && !this.state.error) void this.scan();
    const total = live.byteAt(live.dropped) ?? this.offset;
    return { ...this.state, done: this.lines >= live.dropped && !this.running, total };
  }

  /** Called as the scan reads (and when it ends); returns how to stop listening. */
  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Ends the scan (another query, another log). */
  stop(): void {
    this.stopped = true;
    this.listeners.clear();
  }

  /** Every matching line of the whole log, as absolute numbers, ascending (the older part as far as read). */
  matches(): number[] {
    const live = this.pager.live;
    const out = this.older.filter((n) => n < live.dropped);
    for (let i = 0; i < live.length; i++) if (lineMatches(live.line(i), this.needle)) out.push(live.dropped + i);
    return out;
  }

  private async scan(): Promise<void> {
    this.running = true;
    try {
      while (!this.stopped && this.lines < this.pager.live.dropped) {
        const chunk = await this.pager.reader(this.offset, SCAN_READ);
        if (chunk.offset !== this.offset) throw new Error(`the daemon answered offset ${chunk.offset} for ${this.offset}`);
        if (chunk.nextOffset === chunk.offset) throw new Error('the older lines are no longer on the daemon');
        this.take(chunk.data);
        this.offset = chunk.nextOffset;
        this.state = { ...this.state, read: this.offset };
        this.notify();
      }
    } catch (err) {
      this.state = { ...this.state, error: err instanceof Error ? err.message : String(err) };
    } finally {
      this.running = false;
      this.notify();
    }
  }

  /** Splits read bytes into lines as the live buffer does and keeps the numbers of those that match. */
  private take(data: string): void {
    const all = this.partial + data;
    let start = 0;
    for (let cut = all.indexOf('\n'); cut >= 0; cut = all.indexOf('\n', start)) {
      if (lineMatches(all.slice(start, cut), this.needle)) this.older.push(this.lines);
      this.lines++;
      start = cut + 1;
    }
    let text = all.slice(start);
    while (text.length > MAX_LINE_CHARS) {
      if (lineMatches(text.slice(0, MAX_LINE_CHARS), this.needle)) this.older.push(this.lines);
      this.lines++;
      text = text.slice(MAX_LINE_CHARS);
    }
    this.partial = text;
  }

  private notify(): void {
    for (const listener of this.listeners) listener();
  }
}

/** The match after (or before) line `from` among `matches` (ascending), wrapping around; its place counted from 1. */
export function nextMatch(matches: readonly number[], from: number, direction: 1 | -1, inclusive: boolean): { line: number; index: number } | null {
  if (matches.length === 0) return null;
  let at: number;
  if (direction === 1) {
    at = matches.findIndex((n) => (inclusive ? n >= from : n > from));
    if (at < 0) at = 0;
  } else {
    at = matches.findLastIndex((n) => (inclusive ? n <= from : n < from));
    if (at < 0) at = matches.length - 1;
  }
  return { line: matches[at]!, index: at + 1 };
}

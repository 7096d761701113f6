import type { LogChunk } from '@axum/protocol';
import { LogBuffer, MAX_LOG_LINES } from './log-buffer.js';

/**
 * Reads the step's log from the daemon (`logs.read`): the bytes from `offset`, at most `limit`,
 * cut after a newline unless one line is longer than that. `data` is the bytes as printed, not
 * cleaned: offsets count them, and the view cleans each line as it draws it (log-layout.ts).
 */
export type LogReader = (offset: number, limit: number) => Promise<Pick<LogChunk, 'offset' | 'nextOffset' | 'data' | 'complete' | 'times'>>;

/** Bytes asked for per `logs.read` (the daemon answers at most 512 KiB). */
export const READ_LIMIT = 256 * 1024;
/** A page of older lines longer than this is not read as one piece: a window starts at its first line instead. */
export const MAX_PAGE_BYTES = 4 * 1024 * 1024;
/** Reads one load may make before it shows what it has (a window's worth of long lines). */
const MAX_READS = 40;
/** Farther than this from the window, a new window is read from the sparse index instead of paging to it. */
const JUMP_LINES = MAX_LOG_LINES / 2;

/** What the view draws, and what it is waiting for: `older`/`newer` lines the view needs and are being read. */
export interface Shown {
  lines: LogBuffer;
  loading: 'older' | 'newer' | null;
  /** Why lines above or below could not be read (the run was removed, the daemon is gone): no retry until the view moves back to the tail. */
  error: string | null;
}

interface Want {
  kind: 'older' | 'newer';
  /** Far from the window: a new one from the index rather than page after page. */
  jump: boolean;
  /** The view waits for it (not only read ahead). */
  needed: boolean;
}

/**
 * A followed step's log as far back as its first line: the live buffer keeps the newest
 * MAX_LOG_LINES; a view scrolled above them reads a *window* of older lines from the daemon, by
 * byte offset. Pages of older lines start at a line of the live buffer's sparse index (so they are
 * numbered exactly as the live lines were) and end where the window's oldest line begins; the
 * window keeps MAX_LOG_LINES, dropping lines at the far end from where the view moves (read again
 * from `offset` when it comes back). One read at a time; a view near the window's edge reads the
 * next page ahead, so scrolling line by line does not stop at every page.
 */
export class LogPager {
  private window: LogBuffer | null = null;
  /** The live buffer as last shown: the window starts from it when the view falls behind the live buffer's oldest line. */
  private lastShown: LogBuffer | null = null;
  private loading: Want | null = null;
  /** Bumped when the window is given up: a read still under way then changes nothing. */
  private token = 0;
  private error: string | null = null;
  private readonly listeners = new Set<() => void>();

  constructor(
    readonly live: LogBuffer,
    readonly reader: LogReader,
  ) {}

  /** Every line of the log so far, kept or not (the line still being written included). */
  get total(): number {
    return this.live.dropped + this.live.length;
  }

  /** A read from the daemon is under way. */
  get reading(): boolean {
    return this.loading !== null;
  }

  /** Called when a read has brought lines in (or failed); returns how to stop. */
  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * The lines for a view whose first line is `top` (numbered from the log's first line; null
   * follows the tail) and that shows `rows` lines. At or below the live buffer's oldest line: the
   * live buffer as it is now. Above it: the window, and a read of what the view needs (or will
   * soon) starts; until it arrives the window shows what it has, so the screen does not jump.
   */
  show(top: number | null, rows: number): Shown {
    const live = this.live;
    if (top === null || top >= live.dropped) {
      this.leaveWindow();
      this.lastShown = live.snapshot();
      return { lines: this.lastShown, loading: null, error: null };
    }
    // Under a firehose the live buffer scrolls a view's lines out between two frames: the last frame's lines are the window.
    const window = (this.window ??= this.lastShown ?? live.snapshot());
    this.lastShown = null;
    const want = this.wanted(window, top, rows);
    if (want && !this.error && !this.loading) this.load(window, want, top, rows);
    const waiting = this.loading?.needed ? this.loading.kind : null;
    return { lines: window, loading: this.error ? null : waiting, error: this.error };
  }

  private wanted(window: LogBuffer, top: number, rows: number): Want | null {
    const end = window.dropped + window.length;
    const bottom = Math.min(top + rows, this.total);
    const more = window.offset < this.live.offset;
    if (top < window.dropped) return { kind: 'older', jump: window.dropped - top > JUMP_LINES, needed: true };
    if (bottom > end && more) return { kind: 'newer', jump: top - end > JUMP_LINES, needed: true };
    // Read ahead: within two screens of the window's edge.
    if (window.dropped > 0 && top - window.dropped < 2 * rows) return { kind: 'older', jump: false, needed: false };
    if (more && end - bottom < 2 * rows) return { kind: 'newer', jump: false, needed: false };
    return null;
  }

  private load(window: LogBuffer, want: Want, top: number, rows: number): void {
    const token = this.token;
    this.loading = want;
    const task = want.jump ? this.windowAt(top, top + rows) : want.kind === 'older' ? this.older(window, top + rows) : this.newer(window, Math.max(window.dropped, top - rows));
    task.then(
      (next) => {
        if (token !== this.token) return;
        this.window = next;
        this.loading = null;
        // A window that still starts below the view's line cannot get closer (lines too long to hold): stop asking.
        if (want.jump && want.kind === 'older' && top < next.dropped) this.error = 'the older lines are too long to page in';
        this.notify();
      },
      (err: unknown) => {
        if (token !== this.token) return;
        this.loading = null;
        this.error = err instanceof Error ? err.message : String(err);
        this.notify();
      },
    );
  }

  /** Back at the tail: the window and any read under way are given up. */
  private leaveWindow(): void {
    if (this.window === null && this.loading === null && this.error === null) return;
    this.window = null;
    this.loading = null;
    this.error = null;
    this.token++;
  }

  /** The page before the window: from the index line before its oldest line up to that line. */
  private async older(window: LogBuffer, until: number): Promise<LogBuffer> {
    const end = window.byteAt(window.dropped);
    const mark = this.live.indexedBefore(window.dropped - 1);
    if (end === null || mark === null) throw new Error('the older lines are not indexed');
    if (end - mark.byte <= MAX_PAGE_BYTES) {
      const { data, times } = await this.readRange(mark.byte, end);
      if (window.prepend(data, mark.byte, mark.line, times)) {
        window.trimEnd();
        return window;
      }
    }
    // Too large a page, or numbered otherwise than the bytes split (a line cut into pieces): a new window from the index line.
    return this.windowAt(mark.line, until);
  }

  /**
   * The lines after the window; its oldest ones scroll out, as in the live buffer, but never line
   * `keep` or after it: a read of short lines can hold many times MAX_LOG_LINES, so only as many
   * lines as leave `keep` in the window are taken (the rest is read again when wanted).
   */
  private async newer(window: LogBuffer, keep: number): Promise<LogBuffer> {
    const chunk = await this.reader(window.offset, READ_LIMIT);
    if (chunk.offset !== window.offset) throw new Error(`the daemon answered offset ${chunk.offset} for ${window.offset}`);
    // Bytes the live buffer already holds are gone from the daemon (the run's logs were removed): asking again would spin.
    if (chunk.nextOffset === chunk.offset && !chunk.complete) throw new Error('the log is no longer on the daemon');
    let { data, nextOffset, complete } = chunk;
    const room = Math.max(1, MAX_LOG_LINES - (window.end - keep));
    let cut = -1;
    for (let n = 0; n < room; n++) {
      cut = data.indexOf('\n', cut + 1);
      if (cut < 0) break;
    }
    if (cut >= 0 && cut < data.length - 1) {
      data = data.slice(0, cut + 1);
      nextOffset = chunk.offset + Buffer.byteLength(data);
      complete = false;
    }
    window.append(data, nextOffset, complete, chunk.times ?? []);
    return window;
  }

  /** A new window from the index line at or before `line`, read until it holds line `until` (or the reads' cap). */
  private async windowAt(line: number, until: number): Promise<LogBuffer> {
    const mark = this.live.indexedBefore(line);
    if (mark === null) throw new Error('the older lines are not indexed');
    const window = LogBuffer.startingAt(mark.line, mark.byte);
    for (let reads = 0; reads < MAX_READS && window.dropped + window.length <= until && !window.complete; reads++) await this.newer(window, mark.line);
    return window;
  }

  /** The bytes [from, to) of the log, which end at a line's start: whole lines. */
  private async readRange(from: number, to: number): Promise<{ data: string; times: [number, number][] }> {
    let data = '';
    const times: [number, number][] = [];
    for (let at = from; at < to; ) {
      const chunk = await this.reader(at, Math.min(READ_LIMIT, to - at));
      if (chunk.offset === at && chunk.nextOffset === at) throw new Error('the log is no longer on the daemon');
      if (chunk.offset !== at || chunk.nextOffset < at || chunk.nextOffset > to) throw new Error(`the daemon answered bytes ${chunk.offset}-${chunk.nextOffset} for ${at}-${to}`);
      data += chunk.data;
      times.push(...(chunk.times ?? []));
      at = chunk.nextOffset;
    }
    return { data, times };
  }

  private notify(): void {
    for (const listener of this.listeners) listener();
  }
}

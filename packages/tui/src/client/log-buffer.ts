import { byteLength, lineByteStarts, newlines, type Piece } from './log-pieces.js';
import { countMatches, findLine } from './log-search.js';
import { LogTimes } from './log-times.js';

/** Lines kept per followed step: older ones scroll out (the daemon still has the whole file). */
export const MAX_LOG_LINES = 10_000;
/** Characters kept per followed step, whatever the lines' length: 10,000 very long lines must not hold gigabytes. */
export const MAX_LOG_CHARS = 8 * 1024 * 1024;
/** A line longer than this (output without newlines, e.g. a progress bar drawn with \r) is shown in pieces of this size. */
export const MAX_LINE_CHARS = 256 * 1024;
/** The sparse line index keeps the byte offset of every this many-th line: where paging back starts reading. */
export const LINE_INDEX_STRIDE = 1000;

/**
 * A step's log outside React, bounded (MAX_LOG_LINES, MAX_LOG_CHARS): chunks are appended as
 * they arrive and split into lines only when a line is read, so the cost of a chunk is one scan
 * for its newlines whatever the rate, and the view pays only for the rows it shows. `offset` is
 * where a resumed stream continues (no gap, no duplicate).
 *
 * Lines are addressed two ways: by *index* among the kept lines (0 = the oldest kept, `length`
 * counts the line still being written) and by *absolute number* from the log's first line
 * (`dropped + index`), which stays the same line while older lines scroll out.
 */
export class LogBuffer {
  offset = 0;
  complete = false;
  /** Bumped on every change. */
  version = 0;
  /** Lines scrolled out of the buffer (the absolute number of the oldest kept line). */
  dropped = 0;
  /** Absolute number after the last complete line: every line received so far, kept or not. */
  end = 0;
  private pieces: Piece[] = [];
  /** pieces[head] is the oldest piece still kept (shifting a long array on every chunk is quadratic). */
  private head = 0;
  private chars = 0;
  private partial = '';
  private partialAscii = true;
  /** Byte offset where the partial line began. */
  private partialStart = 0;
  /**
   * The sparse line index: lineStarts[i] is the byte offset where line i * LINE_INDEX_STRIDE starts.
   * Filled as lines pass through (a followed log is read from offset 0), kept after they scroll
   * out: a page of older lines read from one of these starts at a known line number, so its lines
   * are numbered as the live ones were.
   */
  private lineStarts: number[] = [];
  /** The daemon's side index: when the output at each byte offset was written. */
  private stamps = new LogTimes();
  private readonly listeners = new Set<() => void>();

  /** Kept lines, plus a line still being written. */
  get length(): number {
    return this.end - this.dropped + (this.partial ? 1 : 0);
  }

  append(data: string, nextOffset: number, complete: boolean, times: [number, number][] = []): void {
    for (const [o, t] of times) this.stamps.add(o, t);
    // The daemon sends the bytes [offset, nextOffset) decoded: as many characters as bytes means ASCII.
    const ascii = this.partialAscii && nextOffset - this.offset === data.length;
    let start = this.partial ? this.partialStart : this.offset;
    const text = this.partial ? this.partial + data : data;
    const last = text.lastIndexOf('\n');
    let rest = text;
    if (last >= 0) {
      const whole = last === text.length - 1 ? text : text.slice(0, last + 1);
      this.push(whole, newlines(whole), start, ascii);
      start += byteLength(whole, ascii);
      rest = last === text.length - 1 ? '' : text.slice(last + 1);
    }
    // A line without an end in sight is cut, so one line cannot hold unbounded memory either.
    while (rest.length > MAX_LINE_CHARS || (complete && rest)) {
      const cut = rest.slice(0, MAX_LINE_CHARS);
      this.push(cut, Uint32Array.of(cut.length), start, ascii);
      start += byteLength(cut, ascii);
      rest = rest.slice(cut.length);
    }
    this.partial = rest;
    this.partialAscii = ascii || !rest;
    this.partialStart = start;
    this.evict();
    this.offset = nextOffset;
    this.complete = complete;
    this.version++;
    for (const listener of this.listeners) listener();
  }

  /**
   * The buffer as it is now, unchanged by later appends (do not append to it). Cheap: pieces are
   * never modified, so it shares them; it holds at most what the buffer holds, so a view that
   * keeps one (to stay on lines the buffer has scrolled out) holds at most twice the cap.
   */
  snapshot(): LogBuffer {
    const copy = new LogBuffer();
    copy.offset = this.offset;
    copy.complete = this.complete;
    copy.version = this.version;
    copy.dropped = this.dropped;
    copy.end = this.end;
    copy.pieces = this.pieces.slice(this.head);
    copy.chars = this.chars;
    copy.partial = this.partial;
    copy.partialAscii = this.partialAscii;
    copy.partialStart = this.partialStart;
    copy.stamps = this.stamps.copy();
    return copy;
  }

  /**
   * An empty buffer for a window of the log that starts at line `line`, byte `byte` (a line's
   * start): the lines paged in from the daemon (see log-pager.ts) are appended to it, or prepended.
   */
  static startingAt(line: number, byte: number): LogBuffer {
    const window = new LogBuffer();
    window.dropped = window.end = line;
    window.offset = window.partialStart = byte;
    return window;
  }

  /** The nearest line of the sparse index at or before `line`: a line number and where it starts. */
  indexedBefore(line: number): { line: number; byte: number } | null {
    const i = Math.min(Math.floor(Math.max(0, line) / LINE_INDEX_STRIDE), this.lineStarts.length - 1);
    const byte = this.lineStarts[i];
    return byte === undefined ? null : { line: i * LINE_INDEX_STRIDE, byte };
  }

  /** Byte offset in the log where line `absolute` starts, if it is kept (or is the next line to come). */
  byteAt(absolute: number): number | null {
    return this.byteOf(absolute);
  }

  /**
   * Puts whole older lines before the oldest kept one: `data` is the bytes `[byteStart, start of
   * the oldest kept line)`, and `first` the number of its first line. False (nothing changed)
   * when the bytes do not end where the kept lines begin, or do not split into as many lines as
   * the numbering says (a line the live buffer cut into pieces, see MAX_LINE_CHARS): the caller
   * then starts a new window at `first` instead.
   */
  prepend(data: string, byteStart: number, first: number, times: [number, number][] = []): boolean {
    const oldest = this.byteOf(this.dropped);
    const bytes = Buffer.byteLength(data);
    if (!data.endsWith('\n') || first >= this.dropped || oldest !== byteStart + bytes) return false;
    const ascii = bytes === data.length;
    const ends = newlines(data);
    if (ends.length !== this.dropped - first) return false;
    const piece: Piece = { text: data, ends, first, byteStart, ascii };
    if (this.head > 0) this.pieces[--this.head] = piece;
    else this.pieces.unshift(piece);
    this.dropped = first;
    this.chars += data.length;
    for (const [o, t] of times) if (o < (oldest ?? 0)) this.stamps.add(o, t);
    this.version++;
    return true;
  }

  /**
   * Keeps at most `lines` lines (and about MAX_LOG_CHARS characters) from the oldest kept one,
   * dropping the newer ones: a window paged back from the tail stays bounded. The dropped lines
   * are read again from `offset` (appended) when the view comes back down to them.
   */
  trimEnd(lines = MAX_LOG_LINES): void {
    let end = Math.min(this.end, this.dropped + lines);
    let chars = this.chars;
    for (let i = this.pieces.length - 1; i > this.head && chars > MAX_LOG_CHARS; i--) {
      const piece = this.pieces[i] as Piece;
      chars -= piece.text.length;
      end = Math.min(end, Math.max(this.dropped, piece.first));
    }
    if (end === this.end && !this.partial) return;
    // Where the first line dropped starts, found while its piece is still there.
    const byte = this.byteOf(end) as number;
    while (this.pieces.length - 1 > this.head && (this.pieces.at(-1) as Piece).first >= end) this.chars -= (this.pieces.pop() as Piece).text.length;
    this.end = end;
    this.partialStart = this.offset = byte;
    this.partial = '';
    this.partialAscii = true;
    this.complete = false;
    this.version++;
  }

  /** Called after every append; returns how to stop. */
  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The kept line at `index` (the last index is the line still being written, if any). */
  line(index: number): string {
    const absolute = this.dropped + index;
    if (index < 0 || absolute > this.end || (absolute === this.end && !this.partial)) return '';
    if (absolute === this.end) return this.partial;
    const piece = this.pieceOf(absolute);
    const k = absolute - piece.first;
    return piece.text.slice(k === 0 ? 0 : (piece.ends[k - 1] ?? 0) + 1, piece.ends[k]);
  }

  /** Up to `count` kept lines from `index`. */
  lines(index: number, count: number): string[] {
    const out: string[] = [];
    for (let i = Math.max(0, index); i < Math.min(this.length, index + count); i++) out.push(this.line(i));
    return out;
  }

  /** When the kept line at `index` was written (epoch ms), from the daemon's side index; null where unknown. */
  timeOf(index: number): number | null {
    const byte = this.byteOf(this.dropped + index);
    return byte === null ? null : this.stamps.at(byte);
  }

  /** The index of the first kept line from `from` in `direction` (wrapping) that shows `query`; -1 if none does. */
  find(query: string, from: number, direction: 1 | -1): number {
    return findLine(this, query, from, direction);
  }

  /** Where the kept line at `at` stands among the kept lines that show `query` (`index` from 1). */
  matchCount(query: string, at: number): { index: number; total: number } {
    return countMatches(this, query, at);
  }

  private push(text: string, ends: Uint32Array, byteStart: number, ascii: boolean): void {
    this.index(text, ends, byteStart, ascii);
    this.pieces.push({ text, ends, first: this.end, byteStart, ascii });
    this.end += ends.length;
    this.chars += text.length;
  }

  /** Adds the piece's lines that fall on the sparse index's stride (the piece starts at line `end`). */
  private index(text: string, ends: Uint32Array, byteStart: number, ascii: boolean): void {
    let bytes = byteStart;
    let from = 0;
    for (let line = this.lineStarts.length * LINE_INDEX_STRIDE; line < this.end + ends.length; line += LINE_INDEX_STRIDE) {
      // Only the lines passed in order from the log's start are indexed (a window starts elsewhere).
      if (line < this.end) return;
      const k = line - this.end;
      const at = k === 0 ? 0 : (ends[k - 1] ?? 0) + 1;
      bytes += ascii ? at - from : Buffer.byteLength(text.slice(from, at));
      from = at;
      this.lineStarts.push(bytes);
    }
  }

  private evict(): void {
    if (this.end - this.dropped > MAX_LOG_LINES) this.dropped = this.end - MAX_LOG_LINES;
    for (;;) {
      const oldest = this.pieces[this.head];
      if (!oldest) break;
      const past = oldest.first + oldest.ends.length;
      const tooBig = this.chars > MAX_LOG_CHARS && this.head < this.pieces.length - 1;
      if (past > this.dropped && !tooBig) break;
      this.dropped = Math.max(this.dropped, past);
      this.chars -= oldest.text.length;
      this.pieces[this.head++] = undefined as unknown as Piece;
    }
    if (this.head > 64 && this.head * 2 > this.pieces.length) {
      this.pieces = this.pieces.slice(this.head);
      this.head = 0;
    }
    // Side-index entries before the oldest kept line are no longer needed (keep the one in force there).
    this.stamps.dropBefore(this.byteOf(this.dropped) ?? this.partialStart);
  }

  /** The kept piece holding complete line `absolute` (binary search: pieces are in order). */
  private pieceOf(absolute: number): Piece {
    let lo = this.head;
    let hi = this.pieces.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((this.pieces[mid] as Piece).first <= absolute) lo = mid;
      else hi = mid - 1;
    }
    return this.pieces[lo] as Piece;
  }

  /** Byte offset in the log where line `absolute` starts; null if it is not kept. */
  private byteOf(absolute: number): number | null {
    if (absolute < this.dropped || absolute > this.end) return null;
    if (absolute === this.end) return this.partialStart;
    const piece = this.pieceOf(absolute);
    const k = absolute - piece.first;
    const at = k === 0 ? 0 : (piece.ends[k - 1] ?? 0) + 1;
    return piece.byteStart + (piece.ascii ? at : lineByteStarts(piece)[k]!);
  }
}

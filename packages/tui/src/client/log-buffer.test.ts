import { describe, expect, it } from 'vitest';
import { LINE_INDEX_STRIDE, LogBuffer, MAX_LINE_CHARS, MAX_LOG_CHARS, MAX_LOG_LINES } from './log-buffer.js';

/** Appends `text` as the daemon would send it: offsets in bytes. */
function feed(buffer: LogBuffer, text: string, complete = false, times: [number, number][] = []): void {
  buffer.append(text, buffer.offset + Buffer.byteLength(text), complete, times);
}

const all = (buffer: LogBuffer) => buffer.lines(0, buffer.length);

describe('LogBuffer', () => {
  it('joins lines split across chunks and remembers the offset to resume from', () => {
    const buffer = new LogBuffer();
    buffer.append('epoch 1\nepo', 11, false);
    expect(all(buffer)).toEqual(['epoch 1', 'epo']);
    expect(buffer.length).toBe(2);
    buffer.append('ch 2\n', 16, false);
    expect(all(buffer)).toEqual(['epoch 1', 'epoch 2']);
    expect(buffer.offset).toBe(16);
    buffer.append('done', 20, true);
    expect(all(buffer)).toEqual(['epoch 1', 'epoch 2', 'done']);
    expect(buffer.end).toBe(3);
    expect(buffer.complete).toBe(true);
  });

  it('reads any line of many chunks, empty lines included, and nothing out of range', () => {
    const buffer = new LogBuffer();
    feed(buffer, 'a\n\nb\nc');
    feed(buffer, 'c\nd\n');
    feed(buffer, '\n');
    expect(all(buffer)).toEqual(['a', '', 'b', 'cc', 'd', '']);
    expect(buffer.line(3)).toBe('cc');
    expect(buffer.lines(4, 10)).toEqual(['d', '']);
    expect(buffer.line(6)).toBe('');
    expect(buffer.line(-1)).toBe('');
  });

  it('dates each line from the side index by its byte offset, across non-ASCII text', () => {
    const buffer = new LogBuffer();
    // 'a\n' is bytes 0–1, 'bé\n' 2–5 (é is two bytes), 'c\n' 6–7, 'dé' 8–10.
    feed(buffer, 'a\nbé\n', false, [[0, 1000]]);
    feed(buffer, 'c\nd', false, [[0, 1000], [6, 2000]]);
    feed(buffer, 'é\n', false, [[6, 2000], [9, 3000]]);
    expect(all(buffer)).toEqual(['a', 'bé', 'c', 'dé']);
    expect([0, 1, 2, 3].map((i) => buffer.timeOf(i))).toEqual([1000, 1000, 2000, 2000]);
    const late = new LogBuffer();
    feed(late, 'x\ny\n', false, [[2, 5000]]);
    expect([late.timeOf(0), late.timeOf(1)]).toEqual([null, 5000]);
  });

  it('keeps a bounded number of lines, numbered from the first line of the log', () => {
    const buffer = new LogBuffer();
    feed(buffer, Array.from({ length: MAX_LOG_LINES + 5 }, (_, i) => `line ${i + 1}\n`).join(''));
    expect(buffer.length).toBe(MAX_LOG_LINES);
    expect(buffer.dropped).toBe(5);
    expect(buffer.line(0)).toBe('line 6');
    expect(buffer.line(MAX_LOG_LINES - 1)).toBe(`line ${MAX_LOG_LINES + 5}`);
    // Many small chunks: the oldest pieces go, the numbering goes on.
    for (let i = 0; i < 3 * MAX_LOG_LINES; i++) feed(buffer, `more ${i}\n`);
    expect(buffer.length).toBe(MAX_LOG_LINES);
    expect(buffer.end).toBe(4 * MAX_LOG_LINES + 5);
    expect(buffer.dropped).toBe(3 * MAX_LOG_LINES + 5);
    expect(buffer.line(0)).toBe(`more ${2 * MAX_LOG_LINES}`);
    expect(buffer.line(MAX_LOG_LINES - 1)).toBe(`more ${3 * MAX_LOG_LINES - 1}`);
  });

  it('keeps a bounded number of characters however long the lines, and cuts a line that never ends', () => {
    const buffer = new LogBuffer();
    const long = `${'x'.repeat(60 * 1024)}\n`;
    for (let i = 0; i < (2 * MAX_LOG_CHARS) / long.length; i++) feed(buffer, long);
    expect(buffer.length).toBeLessThan((MAX_LOG_CHARS / long.length) * 1.1);
    expect(buffer.length).toBeGreaterThan(10);
    expect(buffer.line(buffer.length - 1)).toBe('x'.repeat(60 * 1024));
    const endless = new LogBuffer();
    for (let i = 0; i < 10; i++) feed(endless, 'y'.repeat(64 * 1024));
    expect(endless.length).toBe(3);
    expect(endless.line(0).length).toBe(MAX_LINE_CHARS);
    expect(endless.line(2).length).toBe(10 * 64 * 1024 - 2 * MAX_LINE_CHARS);
  });

  it('finds lines case-insensitively from a line, in both directions, wrapping around', () => {
    const buffer = new LogBuffer();
    feed(buffer, 'Error one\nok\nerror two\nok\npartial ERROR');
    expect(buffer.find('error', 0, 1)).toBe(0);
    expect(buffer.find('error', 1, 1)).toBe(2);
    expect(buffer.find('error', 3, 1)).toBe(4);
    expect(buffer.find('ERROR', 1, -1)).toBe(0);
    expect(buffer.find('error', 0, -1)).toBe(0);
    expect(buffer.find('two', 3, 1)).toBe(2);
    expect(buffer.find('missing', 0, 1)).toBe(-1);
    expect(buffer.find('ok\nerror', 0, 1)).toBe(-1);
  });

  it('counts the matching lines, and where a line stands among them (match 2 of 3)', () => {
    const buffer = new LogBuffer();
    feed(buffer, 'Error one\nok\nerror two\nok\npartial ERROR');
    expect(buffer.matchCount('error', 0)).toEqual({ index: 1, total: 3 });
    expect(buffer.matchCount('error', 2)).toEqual({ index: 2, total: 3 });
    expect(buffer.matchCount('error', 4)).toEqual({ index: 3, total: 3 });
    expect(buffer.matchCount('missing', 0)).toEqual({ index: 0, total: 0 });
  });

  it('finds what the pane draws: not inside a control sequence or a colour, across the sequences it removes', () => {
    const buffer = new LogBuffer();
    feed(buffer, 'title\x1b]2;secret\x07\nclear\x1b[2J\n\x1b[32mgre\x1b[0men\n');
    expect(buffer.find('secret', 0, 1)).toBe(-1);
    expect(buffer.find('2J', 0, 1)).toBe(-1);
    expect(buffer.find('32m', 0, 1)).toBe(-1);
    expect(buffer.find('green', 0, 1)).toBe(2);
  });

  it('snapshots: a snapshot keeps its lines, stamps and numbering after the buffer scrolls them out', () => {
    const buffer = new LogBuffer();
    feed(buffer, Array.from({ length: MAX_LOG_LINES }, (_, i) => `old ${i}\n`).join('') + 'part', false, [[0, 1000]]);
    const snap = buffer.snapshot();
    feed(buffer, 'ial\n', false, [[0, 1000], [buffer.offset, 2000]]);
    for (let i = 0; i < 3; i++) feed(buffer, Array.from({ length: MAX_LOG_LINES }, (_, j) => `new ${i}.${j}\n`).join(''), false, [[buffer.offset, 3000 + i]]);
    expect(buffer.line(0)).toBe('new 2.0');
    expect(buffer.dropped).toBe(3 * MAX_LOG_LINES + 1);
    expect(snap.length).toBe(MAX_LOG_LINES + 1);
    expect(snap.dropped).toBe(0);
    expect(snap.line(0)).toBe('old 0');
    expect(snap.line(MAX_LOG_LINES - 1)).toBe(`old ${MAX_LOG_LINES - 1}`);
    expect(snap.line(MAX_LOG_LINES)).toBe('part');
    expect(snap.timeOf(5)).toBe(1000);
    expect(snap.find('old 17', 0, 1)).toBe(17);
  });

  it('tells subscribers about every append', () => {
    const buffer = new LogBuffer();
    let calls = 0;
    const off = buffer.subscribe(() => calls++);
    feed(buffer, 'a\n');
    feed(buffer, 'b');
    off();
    feed(buffer, '\n');
    expect(calls).toBe(2);
    expect(buffer.version).toBe(3);
  });
});

describe('LogBuffer: the sparse line index, and windows paged in', () => {
  const numbered = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => `${(from + i) % 7 === 0 ? 'é' : 'l'} ${from + i}\n`).join('');

  it('indexes every LINE_INDEX_STRIDE-th line by its byte offset, across chunks and non-ASCII text, after the lines scrolled out', () => {
    const text = numbered(0, 3 * MAX_LOG_LINES);
    const buffer = new LogBuffer();
    // Chunks that cut lines in two, as the daemon's may.
    for (let at = 0; at < text.length; at += 777) feed(buffer, text.slice(at, at + 777));
    expect(buffer.dropped).toBe(2 * MAX_LOG_LINES);
    const bytes = Buffer.from(text);
    for (const line of [0, 1, 999, 1000, 1001, 12_345, 3 * MAX_LOG_LINES - 1]) {
      const mark = buffer.indexedBefore(line);
      expect(mark?.line).toBe(Math.floor(line / LINE_INDEX_STRIDE) * LINE_INDEX_STRIDE);
      const next = bytes.indexOf(10, mark?.byte);
      expect(bytes.subarray(mark?.byte, next).toString()).toMatch(new RegExp(`^. ${mark?.line}$`));
    }
    expect(buffer.indexedBefore(10 * MAX_LOG_LINES)?.line).toBe(3 * MAX_LOG_LINES - LINE_INDEX_STRIDE);
    expect(new LogBuffer().indexedBefore(0)).toBeNull();
  });

  it('prepends whole older lines that end where the kept ones begin, and refuses any that do not', () => {
    const text = numbered(0, 3000);
    const bytes = Buffer.from(text);
    const startOf = (line: number) => Buffer.byteLength(numbered(0, line));
    const window = LogBuffer.startingAt(2000, startOf(2000));
    window.append(numbered(2000, 3000), bytes.length, true);
    expect(window.line(0)).toBe('l 2000');
    expect(window.prepend(numbered(1000, 2000), startOf(1000) + 1, 1000)).toBe(false);
    expect(window.prepend(numbered(1001, 2000), startOf(1001), 1000)).toBe(false);
    expect(window.prepend(numbered(1000, 2000), startOf(1000), 1000)).toBe(true);
    expect(window.dropped).toBe(1000);
    expect(window.line(0)).toBe('l 1000');
    expect(window.line(1)).toBe('é 1001');
    expect(window.byteAt(1001)).toBe(startOf(1001));
    expect(window.line(1999)).toBe('l 2999');
    // Bounded from the newer end: those lines are read again from `offset`.
    window.trimEnd(500);
    expect([window.dropped, window.end, window.length, window.complete]).toEqual([1000, 1500, 500, false]);
    expect(window.offset).toBe(startOf(1500));
    window.append(numbered(1500, 1600), startOf(1600), false);
    expect(window.line(499)).toBe('l 1499');
    expect(window.line(500)).toBe('l 1500');
    expect(window.line(596)).toBe('é 1596');
    expect(window.byteAt(1599)).toBe(startOf(1599));
  });

  it('trims a window to about MAX_LOG_CHARS whatever its lines', () => {
    const long = `${'x'.repeat(64 * 1024)}\n`;
    const count = 16 * Math.ceil((2 * MAX_LOG_CHARS) / long.length / 16);
    const byteOf = (line: number) => line * long.length;
    const window = LogBuffer.startingAt(count, byteOf(count));
    const pieces = Array.from({ length: count }, () => long);
    let at = count;
    // Page by page from the end, as the pager does: the newest pages go once there are too many characters.
    for (; at > 0; at -= 16) {
      expect(window.prepend(pieces.slice(at - 16, at).join(''), byteOf(at - 16), at - 16)).toBe(true);
      window.trimEnd();
    }
    expect(window.dropped).toBe(0);
    expect(window.length * long.length).toBeLessThanOrEqual(MAX_LOG_CHARS + 16 * long.length);
    expect(window.offset).toBe(byteOf(window.end));
  });
});

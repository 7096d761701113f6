import { describe, expect, it } from 'vitest';
import { LogBuffer, MAX_LINE_CHARS, MAX_LOG_CHARS, MAX_LOG_LINES } from './log-buffer.js';

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

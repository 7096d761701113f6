import { describe, expect, it } from 'vitest';
import { LogBuffer, MAX_LOG_CHARS, MAX_LOG_LINES } from './log-buffer.js';
import { LogPager, type LogReader } from './log-pager.js';

/** Line n (from 0) of the test log, numbered from 1; every 7th has a two-byte character, so bytes and characters differ. */
const lineText = (n: number) => `line ${String(n + 1).padStart(5, '0')}${n % 7 === 0 ? ' é' : ''}`;
const numbered = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => `${lineText(from + i)}\n`).join('');

/** A daemon that answers `logs.read` over a log of these bytes as pipeline.ts does: cut after the last newline unless at the end. */
function fakeDaemon(initial: string) {
  let bytes = Buffer.from(initial);
  let finished = false;
  const reads: number[] = [];
  const reader: LogReader = async (offset, limit) => {
    await new Promise((resolve) => setImmediate(resolve));
    reads.push(offset);
    let data = bytes.subarray(offset, Math.min(bytes.length, offset + limit));
    const newline = data.lastIndexOf(10);
    if (offset + data.length < bytes.length && newline >= 0) data = data.subarray(0, newline + 1);
    return { offset, nextOffset: offset + data.length, data: data.toString('utf8'), complete: finished && offset + data.length >= bytes.length, times: [] };
  };
  return {
    reader,
    reads,
    write: (text: string) => (bytes = Buffer.concat([bytes, Buffer.from(text)])),
    finish: () => (finished = true),
    size: () => bytes.length,
  };
}

/** Follows the fake's log into `live` as `logs.follow` would: every byte from the offset it has, in chunks. */
async function follow(live: LogBuffer, daemon: ReturnType<typeof fakeDaemon>): Promise<void> {
  while (live.offset < daemon.size()) {
    const chunk = await daemon.reader(live.offset, 64 * 1024);
    live.append(chunk.data, chunk.nextOffset, chunk.complete);
  }
}

/** What the view draws with its first line at `top` (null: the tail), once the reads it started are done. */
async function screen(pager: LogPager, top: number | null, rows: number) {
  for (let i = 0; i < 10_000; i++) {
    const shown = pager.show(top, rows);
    if (!pager.reading) {
      const first = top === null ? shown.lines.dropped + Math.max(0, shown.lines.length - rows) : top;
      return { ...shown, first, text: shown.lines.lines(first - shown.lines.dropped, rows) };
    }
    await new Promise((resolve) => setImmediate(resolve));
  }
  throw new Error('the pager never settled');
}

const expected = (first: number, rows: number, total: number) => Array.from({ length: Math.max(0, Math.min(rows, total - first)) }, (_, i) => lineText(first + i));

describe('LogPager: the lines the live buffer no longer keeps, paged in from the daemon by byte offset', () => {
  const TOTAL = 50_000;
  const ROWS = 37;

  it('pages to the first line and back down to the tail, each screen exact, the window bounded', async () => {
    const daemon = fakeDaemon(numbered(0, TOTAL));
    daemon.finish();
    const live = new LogBuffer();
    await follow(live, daemon);
    expect(live.dropped).toBe(TOTAL - MAX_LOG_LINES);
    const pager = new LogPager(live, daemon.reader);
    expect((await screen(pager, null, ROWS)).text).toEqual(expected(TOTAL - ROWS, ROWS, TOTAL));
    // Following the tail reads nothing back.
    const before = daemon.reads.length;
    // PgUp (a page less a line) from the tail to the first line.
    let largest = 0;
    let top = TOTAL - ROWS;
    for (;;) {
      top = Math.max(0, top - (ROWS - 1));
      const shown = await screen(pager, top, ROWS);
      expect(shown.text).toEqual(expected(top, ROWS, TOTAL));
      expect(shown.loading).toBeNull();
      largest = Math.max(largest, shown.lines.length);
      if (top === 0) break;
    }
    expect((await screen(pager, 0, ROWS)).text[0]).toBe('line 00001 é');
    expect(largest).toBeLessThanOrEqual(MAX_LOG_LINES + 1);
    // Pages of about LINE_INDEX_STRIDE lines: 40,000 lines back in tens of reads, not thousands.
    expect(daemon.reads.length - before).toBeLessThan(200);
    // PgDn back down to the tail: the lines the window dropped are read again; at the live buffer, the live lines.
    for (;;) {
      top = Math.min(TOTAL - ROWS, top + (ROWS - 1));
      const shown = await screen(pager, top, ROWS);
      expect(shown.text).toEqual(expected(top, ROWS, TOTAL));
      largest = Math.max(largest, shown.lines.length);
      if (top === TOTAL - ROWS) break;
    }
    expect(largest).toBeLessThanOrEqual(MAX_LOG_LINES + 1);
  });

  it('goes to line 1 at once (g) and to the middle, reading from the sparse index, not page by page', async () => {
    const daemon = fakeDaemon(numbered(0, TOTAL));
    daemon.finish();
    const live = new LogBuffer();
    await follow(live, daemon);
    const pager = new LogPager(live, daemon.reader);
    await screen(pager, null, ROWS);
    const before = daemon.reads.length;
    const first = pager.show(0, ROWS);
    // Until the page arrives the window shows what it has (no blank screen) and says it is loading.
    expect(first.loading).toBe('older');
    expect(first.lines.length).toBeGreaterThan(0);
    const top = await screen(pager, 0, ROWS);
    expect(top.text).toEqual(expected(0, ROWS, TOTAL));
    expect(daemon.reads.slice(before)[0]).toBe(0);
    expect(daemon.reads.length - before).toBeLessThan(10);
    const middle = await screen(pager, 25_432, ROWS);
    expect(middle.text).toEqual(expected(25_432, ROWS, TOTAL));
    expect(middle.lines.length).toBeLessThanOrEqual(MAX_LOG_LINES);
    // One line up from a page's first line: the page before it, numbered as the live buffer numbered it.
    const edge = middle.lines.dropped;
    expect((await screen(pager, edge - 1, ROWS)).text).toEqual(expected(edge - 1, ROWS, TOTAL));
  });

  it('keeps its place while the step still writes under it, and reads down to the new tail', async () => {
    const daemon = fakeDaemon(numbered(0, 20_000));
    const live = new LogBuffer();
    await follow(live, daemon);
    const pager = new LogPager(live, daemon.reader);
    await screen(pager, null, ROWS);
    expect((await screen(pager, 123, ROWS)).text).toEqual(expected(123, ROWS, 20_000));
    daemon.write(numbered(20_000, 45_000));
    await follow(live, daemon);
    expect(live.dropped).toBe(35_000);
    expect((await screen(pager, 123, ROWS)).text).toEqual(expected(123, ROWS, 45_000));
    // Past the window's end (far): a window from the index, not 30 pages.
    const before = daemon.reads.length;
    expect((await screen(pager, 30_010, ROWS)).text).toEqual(expected(30_010, ROWS, 45_000));
    expect(daemon.reads.length - before).toBeLessThan(10);
    // Near the live buffer: down page by page, then the live lines themselves.
    for (let top = 30_010; top < 35_100; top += ROWS - 1) expect((await screen(pager, top, ROWS)).text).toEqual(expected(top, ROWS, 45_000));
  });

  it('keeps lines longer than a read exact, and the window within MAX_LOG_CHARS', async () => {
    // 600 lines of 40 KiB: 24 MiB, far more characters than a buffer keeps.
    const long = (n: number) => `${lineText(n)} ${'x'.repeat(40 * 1024)}`;
    const text = Array.from({ length: 600 }, (_, n) => `${long(n)}\n`).join('');
    const daemon = fakeDaemon(text);
    daemon.finish();
    const live = new LogBuffer();
    await follow(live, daemon);
    expect(live.dropped).toBeGreaterThan(300);
    const pager = new LogPager(live, daemon.reader);
    await screen(pager, null, 10);
    for (let top = live.dropped - 9; top >= 0; top = top === 0 ? -1 : Math.max(0, top - 9)) {
      const shown = await screen(pager, top, 10);
      expect(shown.text).toEqual(Array.from({ length: 10 }, (_, i) => long(top + i)));
      expect(shown.lines.length * 40 * 1024).toBeLessThanOrEqual(MAX_LOG_CHARS + 5 * 1024 * 1024);
    }
  });

  it('says why when the daemon cannot answer, and asks again only after the view went back to the tail', async () => {
    const daemon = fakeDaemon(numbered(0, TOTAL));
    daemon.finish();
    const live = new LogBuffer();
    await follow(live, daemon);
    let fail = true;
    let asked = 0;
    const pager = new LogPager(live, async (offset, limit) => {
      asked++;
      if (fail) throw new Error('no run run-3');
      return daemon.reader(offset, limit);
    });
    await screen(pager, null, ROWS);
    const failed = await screen(pager, 0, ROWS);
    expect(failed.error).toBe('no run run-3');
    expect(failed.loading).toBeNull();
    await screen(pager, 0, ROWS);
    expect(asked).toBe(1);
    fail = false;
    await screen(pager, null, ROWS);
    expect((await screen(pager, 0, ROWS)).text).toEqual(expected(0, ROWS, TOTAL));
  });

  it('stops asking when the daemon no longer has the bytes (a removed run): no request loop', async () => {
    const daemon = fakeDaemon(numbered(0, 20_000));
    const live = new LogBuffer();
    await follow(live, daemon);
    let asked = 0;
    const pager = new LogPager(live, async (offset) => {
      asked++;
      await new Promise((resolve) => setImmediate(resolve));
      return { offset, nextOffset: offset, data: '', complete: false, times: [] };
    });
    await screen(pager, null, ROWS);
    // A page before the window, and a window far from it: both stop at the first empty answer.
    for (const top of [9_990, 100]) {
      asked = 0;
      expect((await screen(pager, top, ROWS)).error).toBe('the log is no longer on the daemon');
      for (let i = 0; i < 5; i++) await screen(pager, top, ROWS);
      expect(asked).toBe(1);
      await screen(pager, null, ROWS);
    }
  });
});

import { describe, expect, it } from 'vitest';
import { LogBuffer, MAX_LOG_LINES } from './log-buffer.js';
import { LogPager } from './log-pager.js';
import { WholeLogSearch, nextMatch } from './whole-log-search.js';

/** A followed log of `count` lines (the buffer keeps the newest MAX_LOG_LINES), and a daemon that serves every byte. */
function followed(count: number, line: (i: number) => string) {
  const text = Array.from({ length: count }, (_, i) => `${line(i)}\n`).join('');
  const bytes = Buffer.from(text);
  const buffer = new LogBuffer();
  for (let at = 0; at < bytes.length; at += 64 * 1024) {
    const end = Math.min(bytes.length, at + 64 * 1024);
    buffer.append(bytes.subarray(at, end).toString('utf8'), end, false);
  }
  let reads = 0;
  const pager = new LogPager(buffer, async (offset, limit) => {
    reads++;
    let data = bytes.subarray(offset, Math.min(bytes.length, offset + limit));
    if (offset + data.length < bytes.length) data = data.subarray(0, data.lastIndexOf(10) + 1);
    return { offset, nextOffset: offset + data.length, data: data.toString('utf8'), complete: false, times: [] };
  });
  return { pager, reads: () => reads };
}

const settled = (search: WholeLogSearch) =>
  new Promise<void>((resolve) => {
    if (search.progress().done) return resolve();
    const off = search.subscribe(() => {
      if (search.progress().done || search.progress().error) {
        off();
        resolve();
      }
    });
  });

describe('a search of the whole log', () => {
  it('finds and counts the lines above the kept ones (read from the daemon), numbered as the pager shows them', async () => {
    // 25,000 lines: the newest 10,000 kept; 11 matches, one of them far above the kept lines.
    const marked = new Set([5, 20_000, 20_001, 21_000, 22_000, 23_000, 24_000, 24_100, 24_200, 24_300, 24_999]);
    const { pager, reads } = followed(25_000, (i) => (marked.has(i) ? `line ${i} NEEDLE` : `line ${i}`));
    expect(pager.live.dropped).toBe(25_000 - MAX_LOG_LINES);
    const search = new WholeLogSearch(pager, 'needle');
    const first = search.progress();
    expect(first.done).toBe(false);
    await settled(search);
    expect(reads()).toBeGreaterThan(0);
    const matches = search.matches();
    expect(matches).toEqual([...marked].sort((a, b) => a - b));
    expect(nextMatch(matches, 24_999, 1, false)).toEqual({ line: 5, index: 1 });
    expect(nextMatch(matches, 5, -1, false)).toEqual({ line: 24_999, index: 11 });
    expect(nextMatch(matches, 20_000, 1, true)).toEqual({ line: 20_000, index: 2 });
    // The line it names is the one the pager draws there.
    const shown = pager.show(5, 3);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const window = pager.show(5, 3).lines;
    expect(shown).toBeDefined();
    expect(window.line(5 - window.dropped)).toBe('line 5 NEEDLE');
  });

  it('reads nothing when every line is kept, and says no match', async () => {
    const { pager, reads } = followed(100, (i) => `line ${i}`);
    const search = new WholeLogSearch(pager, 'zzz');
    expect(search.progress().done).toBe(true);
    expect(search.matches()).toEqual([]);
    expect(nextMatch([], 0, 1, true)).toBeNull();
    expect(reads()).toBe(0);
  });
});

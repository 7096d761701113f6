import { render } from 'ink-testing-library';
import { describe, expect, it } from 'vitest';
import { LogBuffer } from '../client/log-buffer.js';
import { LogPager } from '../client/log-pager.js';
import { initialTuiState, reduce, type TuiAction, type TuiState } from '../state/tui-state.js';
import type { LogPosition } from './RunView.js';
import { useLogSearch } from './use-log-search.js';

/** 25,000 lines (the newest 10,000 kept), `NEEDLE` on 11 of them, one far above the kept ones; a daemon that answers slowly. */
function followed(): LogPager {
  const marked = new Set([5, 20_000, 20_001, 21_000, 22_000, 23_000, 24_000, 24_100, 24_200, 24_300, 24_999]);
  const bytes = Buffer.from(Array.from({ length: 25_000 }, (_, i) => `line ${i}${marked.has(i) ? ' NEEDLE' : ''}\n`).join(''));
  const buffer = new LogBuffer();
  buffer.append(bytes.toString('utf8'), bytes.length, false);
  return new LogPager(buffer, async (offset, limit) => {
    await new Promise((resolve) => setTimeout(resolve, 5));
    let data = bytes.subarray(offset, Math.min(bytes.length, offset + limit));
    if (offset + data.length < bytes.length) data = data.subarray(0, data.lastIndexOf(10) + 1);
    return { offset, nextOffset: offset + data.length, data: data.toString('utf8'), complete: false, times: [] };
  });
}

describe('the log search from the keys', () => {
  it('shows how far the scan of the older lines got, then jumps to the first match of the whole log, counted whole', async () => {
    const pager = followed();
    const actions: TuiAction[] = [];
    const stateRef = { current: { ...initialTuiState, search: { editing: false, input: '', query: 'needle', match: null }, view: { kind: 'run', runId: 'run-1', step: 0, scroll: null } } as TuiState };
    const positionRef: { current: LogPosition | null } = { current: { rows: 10, from: 24_990, min: 0, max: 24_990, shown: pager.live, total: 25_000 } };
    let jump: ReturnType<typeof useLogSearch> | null = null;
    const Probe = () => {
      jump = useLogSearch(pager, positionRef, stateRef, (action) => {
        actions.push(action);
        stateRef.current = reduce(stateRef.current, action);
      });
      return null;
    };
    render(<Probe />);
    const apply = (action: TuiAction) => {
      actions.push(action);
      return (stateRef.current = reduce(stateRef.current, action));
    };
    stateRef.current = jump!(stateRef.current, 1, apply, true);
    expect(stateRef.current.notice).toMatch(/^\/needle: searching the older lines… \d+%$/);
    for (let i = 0; i < 200 && !/line \d+ of/.test(stateRef.current.notice ?? ''); i++) await new Promise((resolve) => setTimeout(resolve, 10));
    // Following the tail, Enter looks from the last line on: it matches, the 11th of the whole log.
    expect(stateRef.current.notice).toBe('/needle: line 25000 of 25000');
    expect(stateRef.current.search.match).toMatchObject({ index: 11, total: 11 });
    // n wraps to the log's first match, line 6, which only the daemon had: counted, without reading again.
    stateRef.current = jump!(stateRef.current, 1, apply, false);
    expect(stateRef.current.notice).toBe('/needle: line 6 of 25000');
    expect(stateRef.current.search.match).toMatchObject({ index: 1, total: 11 });
    expect(stateRef.current.view).toMatchObject({ kind: 'run', scroll: 5 });
    stateRef.current = jump!(stateRef.current, 1, apply, false);
    expect(stateRef.current.search.match).toMatchObject({ index: 2, total: 11 });
    expect(stateRef.current.notice).toBe('/needle: line 20001 of 25000');
    // N goes back, across the top, to the last.
    stateRef.current = jump!({ ...stateRef.current, view: { kind: 'run', runId: 'run-1', step: 0, scroll: 5 } }, -1, apply, false);
    expect(stateRef.current.search.match).toMatchObject({ index: 11, total: 11 });
  });
});

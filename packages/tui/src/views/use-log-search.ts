import { useRef, type MutableRefObject } from 'react';
import { WholeLogSearch, nextMatch } from '../client/whole-log-search.js';
import type { LogPager } from '../client/log-pager.js';
import { reduce, type TuiAction, type TuiState } from '../state/tui-state.js';
import type { LogPosition } from './RunView.js';
import { stamped } from './stamped.js';

/** `n`/`N` and Enter after `/`: the jump to a match of the whole log (whole-log-search.ts), for the App's key handling. */
export function useLogSearch(log: LogPager | null, positionRef: MutableRefObject<LogPosition | null>, stateRef: MutableRefObject<TuiState>, dispatchNow: (action: TuiAction) => void) {
  const dispatch = (action: TuiAction) => dispatchNow(stamped(action));
  /** The search of the log on screen (one query over the whole log; another query or log starts a new one). */
  const searchRef = useRef<WholeLogSearch | null>(null);
  /** Stops listening for the scan a jump waits for. */
  const waitingRef = useRef<(() => void) | null>(null);
  const searchFor = (pager: LogPager, query: string): WholeLogSearch => {
    const was = searchRef.current;
    if (was && was.query === query && was.pager === pager) return was;
    was?.stop();
    return (searchRef.current = new WholeLogSearch(pager, query));
  };

  /**
   * Moves the log view to the next (or previous) line matching the query in the whole log, from
   * the top line shown. Lines above the kept ones are read from the daemon first: until then the
   * footer says how far it got and the UI stays live; the jump happens when they are read.
   */
  const jumpToMatch = (current: TuiState, direction: 1 | -1, apply: (a: TuiAction) => TuiState, fromTop: boolean): TuiState => {
    const query = current.search.query;
    const position = positionRef.current;
    if (!query || !position || !log || current.view.kind !== 'run') return current;
    const search = searchFor(log, query);
    const progress = search.progress();
    waitingRef.current?.();
    waitingRef.current = null;
    if (!progress.done && !progress.error) {
      const percent = (p: { read: number; total: number }) => `/${query}: searching the older lines… ${p.total > 0 ? Math.min(99, Math.floor((100 * p.read) / p.total)) : 0}%`;
      const off = search.subscribe(() => {
        const now = search.progress();
        if (!now.done && !now.error) return dispatch({ type: 'notice', message: percent(now), sticky: true });
        off();
        waitingRef.current = null;
        let latest = stateRef.current;
        if (latest.search.query !== query || latest.view.kind !== 'run') return;
        const applyLatest = (a: TuiAction): TuiState => {
          const at = stamped(a);
          dispatchNow(at);
          return (latest = reduce(latest, at));
        };
        stateRef.current = jumpToMatch(latest, direction, applyLatest, fromTop);
      });
      waitingRef.current = off;
      return apply({ type: 'notice', message: percent(progress), sticky: true });
    }
    const matches = search.matches();
    const partial = progress.error ? ` (lines above ${log.live.dropped + 1} not searched: ${progress.error})` : '';
    const top = current.view.scroll ?? Math.max(0, position.total - 1);
    const hit = nextMatch(matches, top, direction, fromTop);
    if (!hit) return apply({ type: 'notice', message: `/${query}: no match${partial}` });
    current = apply({ type: 'log.goto', line: hit.line });
    current = apply({ type: 'search.match', index: hit.index, total: matches.length, line: hit.line });
    // Numbered as the log pane numbers lines: from the log's first line.
    return apply({ type: 'notice', message: `/${query}: line ${hit.line + 1} of ${position.total}${partial}` });
  };
  return jumpToMatch;
}

import { Box, Text } from 'ink';
import { minuteText, type ReleaseListing } from '@axum/protocol';
import { useEffect } from 'react';
import type { DaemonLink } from '../client/live-connection.js';
import type { TuiAction, TuiState, View } from '../state/tui-state.js';
import { badText, humanSize, liveInText, verifiedText } from '../state/releases.js';
import { fitCell, fitColumns } from './column-fit.js';
import { GUTTER, gutter } from './gutter.js';
import { wrapText } from './wrap-text.js';
import { listWindow, moreText } from './list-window.js';

/**
 * The columns: the release, where it is live and its bad mark always, and its subject (what it is);
 * where the row is too narrow COMMIT goes first, then VERIFIED (the selected release's line under the
 * list says both). The subject takes what is left.
 */
const COLUMNS = [
  { title: 'RELEASE', cap: 10, priority: 0 },
  { title: 'COMMIT', cap: 8, priority: 2 },
  { title: 'SUBJECT', cap: 30, priority: 0, flex: true, grows: true },
  { title: 'LIVE IN', cap: 20, priority: 0, grows: true },
  { title: 'VERIFIED', cap: 12, priority: 1, grows: true },
  { title: 'BAD', cap: 3, priority: 0 },
] as const;

const cellsOf = (r: ReleaseListing): string[] => [r.id, r.commit.slice(0, 8), r.subject, r.liveIn.length > 0 ? liveInText(r) : '', r.verifiedIn.length > 0 ? verifiedText(r) : '', r.bad ? 'BAD' : ''];

/**
 * Every release, newest first (build once, promote): where each is live, where it was verified, and
 * its bad mark; the selected release's mark (who, when, why) under the list. `b` marks, `u` clears.
 */
export function ReleasesView({ state, view, link, dispatch, rows, columns, chrome = 6 }: { state: TuiState; view: Extract<View, { kind: 'releases' }>; link: DaemonLink | null; dispatch: (action: TuiAction) => void; rows: number; columns: number; chrome?: number }) {
  // Reload whenever an environment changes (a deploy, a rollback, a promote from another terminal) or
  // something is done (a mark from another terminal is an activity).
  const key = `${(state.daemon?.environments ?? []).map((e) => `${e.name}:${e.live?.revision}:${e.serving?.revision}:${e.operation?.revision}:${e.lastKnownGood?.revision}`).join(',')}|${state.daemon?.activity.at(-1)?.at ?? ''}|${state.daemon?.activity.length ?? 0}`;
  useEffect(() => {
    if (!link) return;
    link.request('releases.list', {}).then(
      (releases) => dispatch({ type: 'releases.loaded', releases }),
      (err: Error) => dispatch({ type: 'notice', message: `releases: ${err.message}` }),
    );
  }, [link, key, dispatch]);
  const releases = state.releases;
  if (!releases) return <Text dimColor>loading the releases…</Text>;
  const cells = releases.map(cellsOf);
  const widths = fitColumns(
    COLUMNS.map((c, j) => {
      const widest = Math.max(c.title.length, ...cells.map((row) => row[j]!.length));
      // Spare width: where a release is live first, then its subject, then where it was verified.
      return { title: c.title, wants: Math.min(c.cap, widest), priority: c.priority, flex: 'flex' in c, ...('grows' in c ? { full: widest } : {}) };
    }),
    columns - GUTTER.length,
  );
  const line = (texts: readonly string[]) => texts.map((text, j) => fitCell(text, widths[j]!, j === COLUMNS.length - 1)).join('');
  const selected = releases[view.selected];
  // The selected release's facts and its bad mark, each on at most two rows, so a long reason is
  // read, not cut, at 80 columns.
  const detail = selected
    ? wrapText(
        `${selected.id}${widths[1] === 0 ? ` · ${selected.commit.slice(0, 8)}` : ''}${selected.liveIn.length > 0 ? ` · live in ${liveInText(selected)}` : ''}${selected.verifiedIn.length > 0 ? ` · verified ${verifiedText(selected)}` : ''} · ${humanSize(selected.size)} · made ${minuteText(selected.createdAt)} by ${selected.runId}${selected.bad ? '' : ' · not marked bad'}`,
        columns,
        { maxRows: 2 },
      )
    : [];
  const bad = selected?.bad ? wrapText(badText(selected), columns, { maxRows: 2 }) : [];
  // The list takes the rows the header and footer (`chrome`), the title, the heading and those facts
  // leave; more releases than that: one of them says how many are above and below the window.
  const { start, size, cut } = listWindow(releases.length, view.selected, rows - chrome - 2 - detail.length - bad.length);
  return (
    <Box flexDirection="column">
      <Text bold wrap="truncate-end">
        releases <Text dimColor>· {releases.length} · newest first{columns >= 100 ? ' · the same bytes go from one environment to the next' : ''}</Text>
      </Text>
      <Text bold wrap="truncate-end">
        {GUTTER}
        {line(COLUMNS.map((c) => c.title))}
      </Text>
      {releases.length === 0 && <Text dimColor>no releases yet: a succeeded run on a branch that feeds an environment makes one</Text>}
      {releases.slice(start, start + size).map((r, i) => (
        <Text key={r.id} inverse={start + i === view.selected} color={r.bad ? 'red' : r.liveIn.length > 0 ? 'green' : undefined} wrap="truncate-end">
          {gutter(start + i === view.selected)}
          {line(cellsOf(r))}
        </Text>
      ))}
      {cut && (
        <Text dimColor wrap="truncate-end">
          {moreText(start, releases.length - start - size, 'j/k, PgUp/PgDn; axum releases')}
        </Text>
      )}
      {detail.map((row, i) => (
        <Text key={`detail-${i}`}>{row}</Text>
      ))}
      {bad.map((row, i) => (
        <Text key={`bad-${i}`} color="red">
          {row}
        </Text>
      ))}
    </Box>
  );
}

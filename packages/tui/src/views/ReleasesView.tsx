import { Box, Text } from 'ink';
import { minuteText } from '@axum/protocol';
import { useEffect } from 'react';
import type { DaemonLink } from '../client/live-connection.js';
import type { TuiAction, TuiState, View } from '../state/tui-state.js';
import { badText, humanSize, liveInText, verifiedText } from '../state/releases.js';
import { GUTTER, gutter } from './gutter.js';
import { wrapText } from './wrap-text.js';

/** Least widths; past 80 columns LIVE IN and VERIFIED grow to their text, then the subject takes the rest. */
const ID = 8;
const COMMIT = 9;
const LIVE = 12;
const VERIFIED = 20;
const BAD = 4;
/** The subject's width at 80 columns: what it keeps before LIVE IN and VERIFIED grow. */
const SUBJECT = 24;

const cell = (text: string, width: number) => (text.length >= width ? `${text.slice(0, width - 2)}… ` : text.padEnd(width));

/**
 * Every release, newest first (build once, promote): where each is live, where it was verified, and
 * its bad mark; the selected release's mark (who, when, why) under the list. `b` marks, `u` clears.
 */
export function ReleasesView({ state, view, link, dispatch, rows, columns }: { state: TuiState; view: Extract<View, { kind: 'releases' }>; link: DaemonLink | null; dispatch: (action: TuiAction) => void; rows: number; columns: number }) {
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
  // Spare width goes to LIVE IN and VERIFIED first (where a release is matters more than its subject), up to what they hold.
  const need = (texts: string[], least: number) => Math.max(least, ...texts.map((t) => t.length + 2));
  let spare = Math.max(0, columns - GUTTER.length - ID - COMMIT - LIVE - VERIFIED - BAD - 1 - SUBJECT);
  const live = LIVE + Math.min(spare, need(releases.map(liveInText), LIVE) - LIVE);
  spare -= live - LIVE;
  const verified = VERIFIED + Math.min(spare, need(releases.map(verifiedText), VERIFIED) - VERIFIED);
  const subject = Math.max(8, columns - GUTTER.length - ID - COMMIT - live - verified - BAD - 1);
  const size = Math.max(1, rows - 13);
  const start = Math.max(0, Math.min(view.selected - size + 1, releases.length - size));
  const selected = releases[view.selected];
  // The selected release's facts and its bad mark, each on at most two rows (the four `size` leaves
  // them), so a long reason is read, not cut, at 80 columns.
  const detail = selected
    ? wrapText(
        `${selected.id}${selected.liveIn.length > 0 ? ` · live in ${liveInText(selected)}` : ''}${selected.verifiedIn.length > 0 ? ` · verified ${verifiedText(selected)}` : ''} · ${humanSize(selected.size)} · made ${minuteText(selected.createdAt)} by ${selected.runId}${selected.bad ? '' : ' · not marked bad'}`,
        columns,
        { maxRows: 2 },
      )
    : [];
  const bad = selected?.bad ? wrapText(badText(selected), columns, { maxRows: 2 }) : [];
  return (
    <Box flexDirection="column">
      <Text bold wrap="truncate-end">
        releases <Text dimColor>· {releases.length} · newest first · the same bytes go from one environment to the next</Text>
      </Text>
      <Text bold wrap="truncate-end">
        {GUTTER}
        {'RELEASE'.padEnd(ID)}
        {'COMMIT'.padEnd(COMMIT)}
        {'SUBJECT'.padEnd(subject)}
        {'LIVE IN'.padEnd(live)}
        {'VERIFIED'.padEnd(verified)}BAD
      </Text>
      {releases.length === 0 && <Text dimColor>no releases yet: a succeeded run on a branch that feeds an environment makes one</Text>}
      {releases.slice(start, start + size).map((r, i) => (
        <Text key={r.id} inverse={start + i === view.selected} color={r.bad ? 'red' : r.liveIn.length > 0 ? 'green' : undefined} wrap="truncate-end">
          {gutter(start + i === view.selected)}
          {cell(r.id, ID)}
          {cell(r.commit.slice(0, 8), COMMIT)}
          {cell(r.subject, subject)}
          {cell(r.liveIn.length > 0 ? liveInText(r) : '', live)}
          {cell(r.verifiedIn.length > 0 ? verifiedText(r) : '', verified)}
          {r.bad ? 'BAD' : ''}
        </Text>
      ))}
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

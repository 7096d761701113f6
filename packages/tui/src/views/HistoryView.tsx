import { Box, Text } from 'ink';
import { useEffect } from 'react';
import type { DaemonLink } from '../client/live-connection.js';
import type { EnvironmentView, RevisionView } from '@axum/protocol';
import type { TuiAction, TuiState, View } from '../state/tui-state.js';
import { gateBadge, pauseLine, revisionStatusText, revisionStatusWord, servingOf, servingText } from '../state/selectors.js';
import { fitCell, fitColumns } from './column-fit.js';
import { GUTTER, gutter } from './gutter.js';
import { HostsPanel } from './HostsPanel.js';
import { revisionHostsLine } from '../state/host-rows.js';
import { wrapText } from './wrap-text.js';
import { listWindow, moreText } from './list-window.js';

/** How long ago, in at most four characters: `42s`, `17m`, `5h`, `12d`. */
export function age(iso: string, now = Date.now()): string {
  const s = Math.max(0, Math.floor((now - Date.parse(iso)) / 1000));
  return s < 60 ? `${s}s` : s < 3600 ? `${Math.floor(s / 60)}m` : s < 86_400 ? `${Math.floor(s / 3600)}h` : `${Math.floor(s / 86_400)}d`;
}

/**
 * KIND in at most 14 columns, so GATES keeps `✗ accuracy 0.035 +1` and BY 12 at 80 (`push
 * run-12`): `rollback → #7`, and an automatic rollback `auto → #7`.
 */
export const kindCell = (r: { kind: string; rollbackTo: number | null }): string => (r.kind === 'deploy' ? 'deploy' : `${r.kind === 'auto-rollback' ? 'auto' : 'rollback'} → #${r.rollbackTo}`);

/**
 * The columns: the revision, its status, its kind and who made it always (BY takes the rest of the
 * row, the revision's message after it); where the row is too narrow AGE goes first, then GATES and
 * BY are narrowed (historyWidths), then RELEASE goes, then GATES (Enter opens the revision with all three).
 */
const COLUMNS = [
  { title: 'REV', cap: 7, priority: 0 },
  // 10 fits every status but `inconclusive` (12): the column widens to it only when a revision shows
  // it, so the usual row at 80 keeps AGE and BY 12 (`push run-12`); with it, AGE may go first.
  { title: 'STATUS', cap: 10, priority: 0, widest: 12 },
  { title: 'KIND', cap: 14, priority: 0 },
  { title: 'RELEASE', cap: 7, priority: 2 },
  { title: 'GATES', cap: 19, priority: 1 },
  { title: 'AGE', cap: 3, priority: 3 },
  { title: 'BY', cap: 24, priority: 0, flex: true },
] as const;

/**
 * How a STATUS cell says a superseded revision a rollback took `current` from, narrowest first:
 * `axum history`'s words where the row has room to spare for them, else shorter, so that no other
 * column is narrowed or left out for it (who rolled back stays whole). Never a bare `superseded`,
 * which reads as replaced by a newer deploy.
 */
export const ROLLED_BACK = ['reverted', 'rolled back', 'superseded, rolled back'] as const;

/** A revision's STATUS cell (`form`: of ROLLED_BACK): a failed revision `current` still serves says so (paused over it: inconclusive, a person decides). */
export function statusCell(env: EnvironmentView, r: RevisionView, form = ROLLED_BACK.length - 1): string {
  const serving = servingOf(env);
  if (serving?.failed && r.revision === serving.revision) return env.paused?.revision === r.revision ? 'SERVING ?' : 'SERVING ✗';
  const text = revisionStatusText(r);
  return text === revisionStatusWord(r) ? text : ROLLED_BACK[form]!;
}

/** What GATES and BY are narrowed to before RELEASE goes: `✓ accuracy…` and `push run-12`. */
const NARROW = { GATES: 12, BY: 12 } as const;

/**
 * The width of each column at `columns` (the gutter taken), for revisions whose STATUS and BY cells
 * are these: every status word whole. RELEASE is kept while narrowing GATES, then BY (a long name:
 * `ana via axum rollback`), then both, keeps it: the first of those that does is taken. `forms`:
 * a STATUS cell in each of its forms, narrowest (`status`) first; STATUS grows to the widest form
 * the row's spare width holds (no column narrowed or left out for it).
 */
export function historyWidths(cells: readonly { status: string; by: string; gates?: string; forms?: readonly string[] }[], columns: number): number[] {
  const base = historyWidthsTo(cells, columns, 0);
  // A name with the revision's message after it is whole with one more column (the cut's `…`).
  const byWhole = Math.max(2, ...cells.map((r) => r.by.length + 1));
  const forms = Math.max(0, ...cells.map((r) => r.forms?.length ?? 0));
  for (let form = forms - 1; form > 0; form--) {
    const full = Math.max(...cells.map((r) => (r.forms?.[form] ?? r.status).length));
    const widths = historyWidthsTo(cells, columns, full);
    // What BY takes is spare only down to its widest name: below that, the width was not spare.
    const costs = widths.some((w, j) => j !== STATUS && j !== BY && w !== base[j]) || widths[BY]! < Math.min(base[BY]!, byWhole);
    if (widths[STATUS]! - 1 >= full && !costs) return widths;
  }
  return base;
}

/** The widest form of ROLLED_BACK every STATUS cell shows whole in a column `width` wide. */
export const statusForm = (env: EnvironmentView, revisions: readonly RevisionView[], width: number): number =>
  [2, 1].find((form) => revisions.every((r) => statusCell(env, r, form).length <= width - 1)) ?? 0;

const STATUS = COLUMNS.findIndex((c) => c.title === 'STATUS');
const BY = COLUMNS.length - 1;

function historyWidthsTo(cells: readonly { status: string; by: string; gates?: string }[], columns: number, full: number): number[] {
  // GATES wants its widest badge (its cap when not given): what it does not need goes to BY.
  const gates = cells.every((r) => r.gates !== undefined) ? Math.max('GATES'.length, ...cells.map((r) => r.gates!.length)) : Number.MAX_SAFE_INTEGER;
  const fit = (narrow: { GATES?: number; BY?: number }) =>
    fitColumns(
      COLUMNS.map((c) => ({
        title: c.title,
        // BY, with the revision's message after it, takes what is left; it wants the widest name shown whole.
        wants: Math.min(
          (narrow as Record<string, number | undefined>)[c.title] ?? Number.MAX_SAFE_INTEGER,
          c.title === 'GATES' ? gates : Number.MAX_SAFE_INTEGER,
          'flex' in c ? Math.min(c.cap, Math.max(2, ...cells.map((r) => r.by.length))) : 'widest' in c ? Math.min(c.widest, Math.max(c.cap, ...cells.map((r) => r.status.length))) : c.cap,
        ),
        priority: c.priority,
        flex: 'flex' in c,
        ...(c.title === 'STATUS' && full > 0 ? { full } : {}),
      })),
      columns - GUTTER.length,
    );
  const release = COLUMNS.findIndex((c) => c.title === 'RELEASE');
  const tries = [{}, { GATES: NARROW.GATES }, { BY: NARROW.BY }, NARROW].map(fit);
  return tries.find((widths) => widths[release]! > 0) ?? tries.at(-1)!;
}

/** An environment's revisions, newest first; live and last known good marked; `r` rolls back to the selected one. */
export function HistoryView({ state, view, link, dispatch, rows, columns = 80, chrome = 6 }: { state: TuiState; view: Extract<View, { kind: 'history' }>; link: DaemonLink | null; dispatch: (action: TuiAction) => void; rows: number; columns?: number; chrome?: number }) {
  const env = state.daemon?.environments.find((e) => e.name === view.env);
  const revisions = state.histories[view.env];
  // Reload whenever the environment changes (a deploy, a rollback from another terminal…).
  const key = env ? `${env.live?.revision}:${env.operation?.revision}:${env.lastKnownGood?.revision}:${env.pinned}:${env.paused?.revision}:${env.incident}` : '';
  useEffect(() => {
    if (!link) return;
    link.request('releases.list', {}).then(
      (releases) => dispatch({ type: 'releases.loaded', releases }),
      () => undefined,
    );
    link.request('history.get', { env: view.env }).then(
      (revisions) => dispatch({ type: 'history.loaded', env: view.env, revisions }),
      (err: Error) => dispatch({ type: 'notice', message: `history of ${view.env}: ${err.message}` }),
    );
  }, [link, view.env, key, dispatch]);
  const bad = (releaseId: string) => Object.hasOwn(state.bad, releaseId);
  if (!env) return <Text dimColor>no environment {view.env}</Text>;
  if (!revisions) return <Text dimColor>loading the history of {view.env}…</Text>;
  // A remote environment's hosts take their rows (a heading, one per host, the selected revision's line) from the revisions'.
  const hostsLine = revisionHostsLine(revisions[view.selected]);
  const hostRows = (env.hosts ?? []).length > 0 ? 1 + (env.hosts ?? []).length + (hostsLine ? 1 : 0) : 0;
  // The pause says what a and r do and why: wrapped, at most two rows, counted (a third row from
  // Ink's own wrapping would push the frame to the terminal's height: flicker). ⏸ is two columns wide.
  const pause = env.paused ? wrapText(`⏸ ${pauseLine(env, true)}`, columns - 1, { maxRows: 2 }) : [];
  // Here r acts on the row, not on the last known good (the dashboard's r goes there): last, as the
  // least news; the title takes a second row rather than cut it at 80 columns. Said only where a
  // revision other than what serves is listed: with none there is nothing to select and roll back to.
  const title = wrapText(
    `${env.name} ← ${env.branch} · live ${servingText(env)} · last known good ${env.lastKnownGood ? `#${env.lastKnownGood.revision}` : '—'}${env.pinned ? ' · pinned' : ''}${env.paused ? ' · PAUSED' : ''}${env.protected ? ' · protected' : ''}${revisions.some((r) => r.revision !== servingOf(env)?.revision) ? ' · r rolls back to the selected revision' : ''}`,
    columns,
    { maxRows: 2 },
  );
  // The header and footer (`chrome`, the terminal's last row in it), this view's title, pause, incident and heading.
  // A history longer than that says how many revisions are above and below the window, on one of those rows.
  const { start, size, cut } = listWindow(revisions.length, view.selected, rows - chrome - 1 - title.length - pause.length - (env.incident ? 1 : 0) - hostRows);
  const widths = historyWidths(revisions.map((r) => ({ status: statusCell(env, r, 0), by: r.by, gates: gateBadge(r), forms: ROLLED_BACK.map((_, form) => statusCell(env, r, form)) })), columns);
  const form = statusForm(env, revisions, widths[STATUS]!);
  const line = (texts: readonly string[]) => texts.map((text, j) => fitCell(text, widths[j]!, j === COLUMNS.length - 1)).join('');
  return (
    <Box flexDirection="column">
      {title.map((row, i) => (
        <Text key={`title-${i}`} bold={i === 0 && row.startsWith(env.name)}>
          {row}
        </Text>
      ))}
      {pause.map((row, i) => (
        <Text key={`pause-${i}`} color="yellow">
          {row}
        </Text>
      ))}
      {env.incident && (
        <Text color="red" wrap="truncate-end">
          ! {env.incident}
        </Text>
      )}
      <HostsPanel env={env} revisions={revisions} age={age} />
      <Text bold wrap="truncate-end">
        {GUTTER}
        {line(COLUMNS.map((c) => c.title))}
      </Text>
      {revisions.length === 0 && <Text dimColor>no revisions yet: a succeeded run on {env.branch} deploys one</Text>}
      {revisions.slice(start, start + size).map((r, i) => {
        // One mark beside the number, where 80 columns never cut it: the status says live; a release is never both LKG and bad.
        const mark = bad(r.releaseId) ? 'BAD' : r.revision === env.lastKnownGood?.revision ? 'LKG' : '';
        // A failed revision that `current` still serves (rollback.auto off) says so in its status.
        const status = statusCell(env, r, form);
        return (
          <Text key={r.revision} inverse={start + i === view.selected} color={revisionStatusWord(r) === 'inconclusive' ? 'yellow' : r.status === 'failed' ? 'red' : r.status === 'live' ? 'green' : undefined} wrap="truncate-end">
            {gutter(start + i === view.selected)}
            {line([`#${r.revision}${mark ? ` ${mark}` : ''}`, status, kindCell(r), r.releaseId, gateBadge(r), age(r.createdAt), `${r.by}${r.message ? ` — ${r.message}` : ''}`])}
          </Text>
        );
      })}
      {cut && (
        <Text dimColor wrap="truncate-end">
          {moreText(start, revisions.length - start - size, `j/k, PgUp/PgDn; axum history ${env.name}`)}
        </Text>
      )}
      {hostsLine && <Text wrap="truncate-end">{hostsLine}</Text>}
    </Box>
  );
}

import { Box, Text, Transform } from 'ink';
import type { StepView } from '@axum/protocol';
import { useEffect, useMemo, useRef, useState } from 'react';
import type { DaemonLink } from '../client/live-connection.js';
import { LogBuffer } from '../client/log-buffer.js';
import { LogPager } from '../client/log-pager.js';
import type { TuiState, View } from '../state/tui-state.js';
import { FramePacer } from './log-frames.js';
import { isPlain, layoutLog, truncateEnd } from './log-layout.js';
import { formatDuration } from './Elapsed.js';
import { OperationHeader, operationHeaderLines } from './OperationHeader.js';
import { deployBadge, deployOutcomeText, revisionAddress, revisionAt, revisionStatusText, stepStatusText } from '../state/selectors.js';
import { wrapText } from './wrap-text.js';
import { gutter } from './gutter.js';

const STATUS_MARK: Record<string, string> = { pending: '·', running: '▶', succeeded: '✓', failed: '✗', 'timed-out': '⏱', cancelled: '⊘', skipped: '–', interrupted: '↯', inconclusive: '?' };

/**
 * Follows one step's log into a ring buffer outside React (from offset 0, and from the last
 * offset after a reconnect: no gap, no duplicate), with a pager that reads the lines the buffer
 * no longer keeps back from the daemon. The App owns it, not the run view, so the follow outlives
 * what covers the view (the help overlay): closing the overlay used to follow again from offset 0
 * and replay the whole log.
 */
export function useStepLog(link: DaemonLink | null, runId: string | null, step: string | undefined): LogPager | null {
  const pager = useMemo(
    () =>
      runId && step
        ? new LogPager(new LogBuffer(), (offset, limit) => (link ? link.request('logs.read', { runId, step, offset, limit }) : Promise.reject(new Error('not connected to the daemon'))))
        : null,
    [link, runId, step],
  );
  useEffect(() => {
    if (!link || !runId || !step || !pager) return;
    const buffer = pager.live;
    const follow = () => void link.request('logs.follow', { runId, step, offset: buffer.offset }).catch(() => undefined);
    const offChunk = link.onLogChunk((chunk) => {
      if (chunk.runId !== runId || chunk.step !== step || chunk.offset !== buffer.offset) return;
      buffer.append(chunk.data, chunk.nextOffset, chunk.complete, chunk.times ?? []);
    });
    const offReconnect = link.onReconnect(follow);
    follow();
    return () => {
      offChunk();
      offReconnect();
      void link.request('logs.unfollow', { runId, step }).catch(() => undefined);
    };
  }, [link, runId, step, pager]);
  return pager;
}

/** Re-renders the view for new log lines, coalesced into frames (see log-frames.ts). */
function useLogFrames(pager: LogPager | null): void {
  const [, setFrame] = useState(0);
  useEffect(() => {
    if (!pager) return;
    const buffer = pager.live;
    const pacer = new FramePacer(
      { now: () => performance.now(), setTimeout: (fn, ms) => setTimeout(fn, ms), clearTimeout: (t) => clearTimeout(t as NodeJS.Timeout) },
      () => buffer.end,
      () => setFrame((n) => n + 1),
    );
    const off = buffer.subscribe(() => pacer.changed());
    // Lines paged in from the daemon are drawn at once: the view was waiting for them.
    const offPages = pager.subscribe(() => setFrame((n) => n + 1));
    return () => {
      off();
      offPages();
      pacer.stop();
    };
  }, [pager]);
}

/** Blank rows of the given height: what Ink lays out for a block of plain rows (see PlainRows). */
const placeholders: string[] = [];
const placeholder = (rows: number) => (placeholders[rows] ??= Array.from({ length: rows }, () => ' ').join('\n'));

/**
 * Rows already cut to the terminal's width (one column per character). Ink lays out and caches
 * every distinct <Text> string for good (its measure and wrap caches never forget) and measures
 * each line's width on every frame: a firehose would put hundreds of new lines a second through
 * that (12 MiB of heap per 90,000 lines, measured). Here Ink lays out a blank placeholder (a
 * handful of distinct strings), styles it, and each row replaces the blank at output time, inside
 * whatever color codes Ink put around it.
 */
function PlainRows({ rows, color, dimColor }: { rows: string[]; color?: string | undefined; dimColor?: boolean }) {
  const blank = placeholder(rows.length);
  return (
    <Transform transform={(styled, row) => styled.replace(' ', () => rows[row] ?? '')}>
      {/* Unstyled rows (nearly all of a log) skip the nested <Text>: it costs a little on every frame. */}
      {color || dimColor ? (
        <Text color={color} dimColor={dimColor}>
          {blank}
        </Text>
      ) : (
        blank
      )}
    </Transform>
  );
}

/** Box-drawing and the middle dot take one column like ASCII: the log header goes through PlainRows too. */
const isPlainHeader = (text: string) => isPlain(text.replace(/[─·]/g, '-'));

/**
 * Where the log view is, for the scrolling and search keys: absolute line numbers (see
 * LogBuffer), and the lines the screen shows, which a search must look in (under a firehose the
 * live buffer has scrolled them out by the time a key arrives).
 */
export interface LogPosition {
  /** Log rows on screen: what PgUp/PgDn move by. */
  rows: number;
  from: number;
  min: number;
  max: number;
  shown: LogBuffer;
  /** Lines in the whole log so far (numbered from 1 to this). */
  total: number;
}

/**
 * How many lines the step printed since the view left the tail (null while following): the
 * count is taken at the first frame drawn scrolled.
 */
function useNewLines(pager: LogPager | null, scroll: number | null): number | null {
  const left = useRef<{ pager: LogPager; end: number } | null>(null);
  if (!pager || scroll === null) {
    left.current = null;
    return null;
  }
  if (left.current?.pager !== pager) left.current = { pager, end: pager.live.end };
  return pager.live.end - left.current.end;
}

/** What the view shows above the log: a run, or a revision's operations (`production#7`); `columns` wraps a run's message. */
function subjectOf(state: TuiState, id: string, columns: number) {
  if (revisionAddress(id)) {
    const revision = revisionAt(state, id);
    if (!revision) return null;
    return { id, status: revisionStatusText(revision), title: revision.verified ? ' · verified' : '', extra: operationHeaderLines(revision), steps: revision.steps, revision };
  }
  const run = state.daemon?.runs.find((r) => r.id === id);
  if (!run) return null;
  const deploy = run.deploy && run.deploy.outcome !== 'none' ? ` · deploy ${deployBadge(run)}` : '';
  // Why the run ended as it did (a reused release refused, a deploy that failed) is the first thing
  // to read when no step ran: wrapped in full, never cut at the width with the title.
  const bad = run.deploy?.outcome === 'refused-bad' || run.deploy?.outcome === 'failed' || run.status === 'failed';
  const message = run.message ? wrapText(`— ${run.message}`, columns, { indent: '  ', maxRows: 4 }).map((text) => ({ text, ...(bad ? { color: 'red' } : {}) })) : [];
  const outcome = deployOutcomeText(run, state.daemon?.environments.find((e) => e.name === run.deploy?.env)?.live);
  const outcomeRows = outcome ? wrapText(outcome, columns, { indent: '  ', maxRows: 2 }).map((text) => ({ text, ...(bad ? { color: 'red' } : {}) })) : [];
  const warnings = run.warnings.map((w) => ({ text: `warning: ${w}`, color: 'yellow' }));
  return { id: run.id, status: run.status, title: `${deploy} · ${run.trigger} · ${run.branch} ${run.commit.slice(0, 8)} ${run.subject}`, extra: [...message, ...outcomeRows, ...warnings], steps: interruptedSteps(run), reused: run.reused ? run.releaseId : null };
}

/**
 * An interrupted run's steps as shown: the step the daemon's stop or crash cut short is `cancelled`
 * on the wire (the step statuses clients know), though no person cancelled it — shown `interrupted`.
 */
function interruptedSteps(run: { status: string; steps: StepView[] }): (Omit<StepView, 'status'> & { status: StepView['status'] | 'interrupted' })[] {
  return run.status === 'interrupted' ? run.steps.map((s) => (s.status === 'cancelled' ? { ...s, status: 'interrupted' as const } : s)) : run.steps;
}

/** A run or a revision: its steps, and the selected step's log (following the tail unless scrolled). */
export function RunView({
  state,
  view,
  log,
  rows,
  columns,
  chrome = 6,
  positionRef,
}: {
  state: TuiState;
  view: Extract<View, { kind: 'run' }>;
  log: LogPager | null;
  rows: number;
  columns: number;
  /** Rows the header and footer take, the terminal's last row with them. */
  chrome?: number;
  positionRef: { current: LogPosition | null };
}) {
  useLogFrames(log);
  const newLines = useNewLines(log, view.scroll);
  const subject = subjectOf(state, view.runId, columns);
  const step = subject?.steps[view.step];
  if (!subject) {
    positionRef.current = null;
    return <Text dimColor>{revisionAddress(view.runId) ? `loading ${view.runId}…` : `${view.runId} is no longer in the recent runs (axum logs ${view.runId})`}</Text>;
  }
  // The frame stays below the terminal's height: the header and footer (`chrome`), the title line,
  // extra lines, steps, the margin and the log's title; the search being typed takes a log row.
  // Many steps (a revision's monitor checks) give way before the log's three rows: a window of them around the selected one.
  const around = chrome + 1 + subject.extra.length + 2 + (state.search.editing ? 1 : 0);
  const stepRows = Math.max(1, Math.min(subject.steps.length, rows - around - 3));
  const stepTop = Math.max(0, Math.min(view.step - Math.floor(stepRows / 2), subject.steps.length - stepRows));
  const logRows = Math.max(3, rows - around - stepRows);
  // Scrolled above the lines the live buffer keeps: a window read back from the daemon (log-pager.ts).
  const shown = log?.show(view.scroll, logRows) ?? null;
  const lines = shown?.lines ?? null;
  const dropped = lines?.dropped ?? 0;
  // Where the last n/N landed among the matching lines (of this log only): drawn as the current match.
  const found = state.search.match;
  const ours = state.search.query && found && found.runId === view.runId && found.step === view.step ? found : null;
  const layout = lines
    ? layoutLog(lines, { follow: view.scroll === null, top: (view.scroll ?? 0) - dropped, rows: logRows, columns, wrap: state.wrap, timestamps: state.timestamps, query: state.search.query, current: ours?.line !== undefined ? ours.line - dropped : null })
    : { top: 0, count: 0, maxTop: 0, blocks: [] };
  // Lines are numbered from the log's first line: every one of them can be scrolled to.
  const total = log?.total ?? 0;
  const max = log ? log.live.dropped + Math.max(0, log.live.length - logRows) : 0;
  const first = dropped + layout.top;
  // Scrolled, the keys move from the line asked for, not the one drawn while its page is read: two `k` are two lines.
  const from = view.scroll === null ? first : Math.min(max, Math.max(0, view.scroll));
  positionRef.current = lines ? { rows: logRows, from, min: 0, max, shown: lines, total } : null;
  const loading = shown?.loading === 'older' ? ' · loading older lines…' : shown?.loading === 'newer' ? ' · loading lines…' : '';
  const failed = shown?.error ? ` · ${shown.error}` : '';
  // Changes with every frame under a firehose: kept out of Ink's text caches when it can be (PlainRows).
  // A finished step's log grows no more: nothing to follow, only its end to go to.
  const growing = step?.status === 'running' || step?.status === 'pending';
  const following = !growing ? (newLines === null ? '' : ' · G to the end') : newLines === null ? ' · following' : newLines > 0 ? ` · ${newLines} new line${newLines === 1 ? '' : 's'} (G to follow)` : ' · G to follow';
  // A skipped step printed nothing: say why there are no lines instead of `lines 0-0 of 0`.
  const skipped = step?.status === 'skipped' && total === 0 ? `── ${step.name} · skipped, nothing ran${'reused' in subject && subject.reused ? ` (the run reused ${subject.reused})` : ''}` : null;
  const match = ours ? ` · match ${ours.index} of ${ours.total}` : '';
  const title = skipped ?? (step ? `── ${step.name} · lines ${layout.count === 0 ? 0 : first + 1}-${first + layout.count} of ${total}${match}${loading}${failed}${following}` : 'no steps yet');
  return (
    <Box flexDirection="column">
      <Text wrap="truncate-end">
        <Text bold>{subject.id}</Text> {subject.status}
        {subject.title}
      </Text>
      <OperationHeader lines={subject.extra} />
      {subject.steps.slice(stepTop, stepTop + stepRows).map((s, at) => {
        const i = stepTop + at;
        return (
          <Text key={s.name} inverse={i === view.step} wrap="truncate-end">
            {gutter(i === view.step)}
            {STATUS_MARK[stepStatusText(s, 'revision' in subject ? subject.revision : undefined)] ?? '?'} {s.stage}/{s.name} {stepStatusText(s, 'revision' in subject ? subject.revision : undefined)}
            {s.exitCode !== null ? ` (exit ${s.exitCode})` : ''}
            {s.durationMs !== null ? ` ${formatDuration(s.durationMs)}` : ''}
          </Text>
        );
      })}
      {subject.steps.length === 0 && <Text dimColor>no deploy hook, verify step or monitor check ran here</Text>}
      <Box flexDirection="column" marginTop={1}>
        {isPlainHeader(title) ? (
          <PlainRows rows={[truncateEnd(title, columns)]} dimColor />
        ) : (
          <Text dimColor wrap="truncate-end">
            {title}
          </Text>
        )}
        {layout.blocks.map((block, i) =>
          block.kind === 'plain' ? (
            <PlainRows key={i} rows={block.rows} />
          ) : (
            <Text key={i} wrap={state.wrap ? 'wrap' : 'truncate-end'}>
              {block.text}
            </Text>
          ),
        )}
      </Box>
    </Box>
  );
}

import { Box, Text, useApp, type Key } from 'ink';
import { useCallback, useEffect, useMemo, useReducer, useRef } from 'react';
import type { DaemonConnection } from '../client/daemon-connection.js';
import { keepConnected, type DaemonLink } from '../client/live-connection.js';
import { resolveKey } from '../keymap.js';
import { initialTuiState, reduce, type TuiAction, type TuiState } from '../state/tui-state.js';
import { confirmKey } from '../state/confirm-keys.js';
import { revisionAddress, stepsOf } from '../state/selectors.js';
import { confirmationFor } from '../state/actions.js';
import { diffTarget } from '../state/diff-target.js';
import { attemptText, refusedEvent } from '../state/event-log.js';
import { ConfirmDialog } from './ConfirmDialog.js';
import { Dashboard } from './Dashboard.js';
import { Footer } from './Footer.js';
import { chromeRows } from './chrome-rows.js';
import { Header } from './Header.js';
import { HelpOverlay } from './HelpOverlay.js';
import { EventsOverlay } from './EventsOverlay.js';
import { HistoryView } from './HistoryView.js';
import { ReleasesView } from './ReleasesView.js';
import { RunView, useStepLog, type LogPosition } from './RunView.js';
import { useTerminalSize } from './use-terminal-size.js';
import { useKeyPresses } from './use-key-presses.js';
import { useLogSearch } from './use-log-search.js';
import { useConfirmedActions } from './use-confirmed-actions.js';
import { NOTICE_HOLD_MS } from '../state/notices.js';
import { stamped } from './stamped.js';
import type { Narration } from './run-tui.js';

/** The smallest terminal the screens are laid out for (80×24 is the comfortable minimum). */
const MIN_COLUMNS = 60;
const MIN_ROWS = 16;

/** The whole TUI: one reducer owns the state; components render it; the keymap maps keys to actions. */
export function App({ repoRoot, connection, narration, started }: { repoRoot: string; connection: DaemonConnection; narration?: Narration | undefined; started?: string | undefined }) {
  const [state, dispatchNow] = useReducer(reduce, initialTuiState);
  // Notices and deltas carry when they came: an event log entry made of one keeps that time (the reducer reads no clock).
  const dispatch = useCallback((action: TuiAction) => dispatchNow(stamped(action)), []);
  const { exit } = useApp();
  const { rows, columns } = useTerminalSize();
  const linkRef = useRef<DaemonLink | null>(null);
  const stateRef = useRef<TuiState>(state);
  stateRef.current = state;

  // A daemon this terminal started is news, as a command says it on stderr: the footer, and the event
  // log, before the line of the connection to it (effects run in order).
  useEffect(() => {
    if (started) dispatch({ type: 'notice', message: started, log: true });
  }, [started]);

  useEffect(() => {
    const link = keepConnected(repoRoot, dispatch, connection);
    linkRef.current = link;
    return () => link.stop();
  }, [repoRoot, connection]);

  // The bad marks, known on every screen: `P` and `r` refuse a bad release before asking, not after
  // the typed confirmation. Reloaded as environments move and as marks are made (an activity).
  const connected = state.connection.kind === 'connected' ? state.connection.clientId : null;
  const marksKey = `${connected}|${(state.daemon?.environments ?? []).map((e) => `${e.name}:${e.live?.revision}:${e.serving?.revision}`).join(',')}|${state.daemon?.activity.length ?? 0}|${state.daemon?.activity.at(-1)?.at ?? ''}`;
  useEffect(() => {
    const link = linkRef.current;
    if (!link || !connected) return;
    link.request('releases.list', {}).then(
      (releases) => dispatch({ type: 'releases.loaded', releases }),
      () => undefined,
    );
  }, [marksKey]);

  // The demo's narration is what the person watches: a held refusal or failure does not swallow it.
  useEffect(() => narration?.subscribe((line) => dispatch({ type: 'notice', message: line, sticky: true, level: 'high' })), [narration]);

  // A local action's notice goes after NOTICE_HOLD_MS; a refusal stops holding the footer then.
  useEffect(() => {
    if (state.notice === null || (state.noticeScope === null && state.noticeLevel !== 'high')) return;
    const timer = setTimeout(() => dispatch({ type: 'notice.expire', id: state.noticeId }), NOTICE_HOLD_MS);
    return () => clearTimeout(timer);
  }, [state.noticeId, state.noticeLevel]);

  const { perform, withDiff } = useConfirmedActions(linkRef, stateRef, dispatch);

  /** The log of the run view's step, followed while that view is open, even under the help overlay. */
  const runView = state.view.kind === 'run' ? state.view : null;
  const stepName = runView ? stepsOf(state, runView.runId)[runView.step]?.name : undefined;
  // A revision's operations: its steps come with the environment's history, reloaded as the environment changes.
  const revisionView = runView ? revisionAddress(runView.runId) : null;
  const revisionEnv = revisionView ? state.daemon?.environments.find((e) => e.name === revisionView.env) : undefined;
  useEffect(() => {
    const link = linkRef.current;
    if (!revisionView || !link) return;
    link.request('history.get', { env: revisionView.env }).then(
      (revisions) => dispatch({ type: 'history.loaded', env: revisionView.env, revisions }),
      (err: Error) => dispatch({ type: 'notice', message: `history of ${revisionView.env}: ${(err as Error).message}`, level: 'high' }),
    );
  }, [revisionView?.env, revisionEnv]);
  const log = useStepLog(linkRef.current, runView?.runId ?? null, stepName);
  /** Where the run view is and the lines it shows, read by the scrolling keys and `n`/`N` (lines live outside React). */
  const positionRef = useRef<LogPosition | null>(null);

  const jumpToMatch = useLogSearch(log, positionRef, stateRef, dispatchNow);

  const reduceNow = (current: TuiState, action: TuiAction): TuiState => {
    const at = stamped(action);
    dispatchNow(at);
    return reduce(current, at);
  };

  /** One key press against `current` (the state as of the previous press): a refusal on screen is seen, what waited shows — behind the key's own notice if it makes one (else it is shown for no time). */
  const handlePress = (current: TuiState, input: string, key: Key): TuiState => {
    if (current.noticeLevel !== 'high') return handleKey(current, input, key);
    const seen = reduceNow(current, { type: 'notice.seen' });
    const after = handleKey(seen, input, key);
    return current.pendingNotice === null ? after : reduceNow(after, { type: 'notice.rewait', message: current.pendingNotice, id: seen.noticeId });
  };

  const handleKey = (current: TuiState, input: string, key: Key): TuiState => {
    const apply = (action: TuiAction): TuiState => reduceNow(current, action);
    // Ctrl-C quits from anywhere, as in k9s and lazygit: typing a filter, a search or a confirmation
    // included (it would otherwise type a "c"). Nothing is half-done by it: a dialog acts on Enter only.
    if (key.ctrl && input === 'c') {
      exit();
      return current;
    }
    if (current.filter.editing) {
      if (key.escape) return apply({ type: 'filter.done', clear: true });
      if (key.return) return apply({ type: 'filter.done', clear: false });
      return apply({ type: 'filter.key', input, backspace: key.backspace || key.delete });
    }
    if (current.search.editing) {
      if (key.escape) return apply({ type: 'search.done', commit: false });
      if (key.return) {
        current = apply({ type: 'search.done', commit: true });
        return jumpToMatch(current, 1, apply, true);
      }
      return apply({ type: 'search.key', input, backspace: key.backspace || key.delete });
    }
    if (current.confirm) {
      const step = confirmKey(current.confirm, input, key);
      const attempt = attemptText(current.confirm.action);
      if (step.kind === 'cancel') {
        current = apply({ type: 'confirm.close' });
        return apply({ type: 'notice', message: 'cancelled: nothing changed', log: `cancelled: ${attempt} — nothing changed` });
      }
      if (step.kind === 'perform') void perform(step.action);
      if (step.kind === 'mismatch') {
        // The dialog stays open, its input cleared: the name retyped goes to it, not to the view's keys.
        current = apply({ type: 'notice', message: step.message, level: 'high', log: `not confirmed: ${attempt} — ${step.message.replace(/^not confirmed: /, '')}` });
        return apply({ type: 'confirm.mismatch', message: step.message });
      }
      if (step.kind === 'perform') return apply({ type: 'confirm.close' });
      if (step.kind === 'type') return apply({ type: 'confirm.key', input: step.input, backspace: step.backspace });
      if (step.kind === 'next') return apply({ type: 'confirm.open', confirm: step.confirm });
      return current;
    }
    const hit = resolveKey(current, input, key);
    if (!hit) return current;
    // Before the daemon's first state there is nothing to act on: keys are dropped (as before Ink
    // loaded: commands/tui.ts), not kept for a frame the person has not seen yet; quitting still works.
    if (!current.daemon && hit.binding.command.kind !== 'quit') return current;
    if (hit.disabled) return apply({ type: 'notice', message: `${hit.binding.label}: ${hit.disabled}`, level: 'high', log: `key ${hit.binding.label} (${hit.binding.hint ?? hit.binding.description}) did nothing — ${hit.disabled}` });
    const command = hit.binding.command;
    if (command.kind === 'quit') {
      exit();
      return current;
    }
    if (command.kind === 'dispatch') {
      // Scrolling moves from the lines on screen (also when following the tail), within the kept lines.
      const position = positionRef.current;
      if (command.action.type === 'log.scroll' && position) {
        // A page is the log rows on screen, less one kept for context (as less does).
        const pageRows = command.action.pageRows !== undefined ? Math.max(1, position.rows - 1) : undefined;
        // Scrolled, from the line the state asks for: the presses of one burst ("jjjj") each move on from the last.
        const scrolled = current.view.kind === 'run' && current.view.scroll !== null;
        return apply({ ...command.action, ...(pageRows !== undefined ? { pageRows } : {}), ...(scrolled ? {} : { from: position.from }), min: position.min, max: position.max });
      }
      return apply(command.action);
    }
    if (command.kind === 'search') return jumpToMatch(current, command.direction, apply, false);
    if (command.kind === 'navigate') {
      const next = command.build(current);
      return next ? apply(next) : current;
    }
    const action = command.build(current);
    if (!action) return current;
    const confirm = confirmationFor(action, current);
    if (confirm && 'refused' in confirm) return apply({ type: 'notice', message: `refused: ${confirm.refused}`, level: 'high', log: refusedEvent(action, confirm.refused) });
    if (!confirm) void perform(action);
    else if (diffTarget(confirm.action, current)) void withDiff(confirm);
    else return apply({ type: 'confirm.open', confirm });
    return current;
  };

  useKeyPresses((presses) => {
    // Keys typed faster than a frame (or pasted) arrive as one chunk: handle them one by one,
    // each against the state the previous one left.
    let current = stateRef.current;
    for (const press of presses) current = handlePress(current, press.input, press.key);
    stateRef.current = current;
  });

  const body = useMemo(() => {
    if (state.helpOpen) return <HelpOverlay state={state} rows={rows} columns={columns} />;
    if (state.eventsOpen) return <EventsOverlay state={state} rows={rows} columns={columns} chrome={chromeRows(state)} />;
    if (state.view.kind === 'run') return <RunView state={state} view={state.view} log={log} rows={rows} columns={columns} chrome={chromeRows(state)} positionRef={positionRef} />;
    if (state.view.kind === 'history') return <HistoryView state={state} view={state.view} link={linkRef.current} dispatch={dispatch} rows={rows} columns={columns} chrome={chromeRows(state)} />;
    if (state.view.kind === 'releases') return <ReleasesView state={state} view={state.view} link={linkRef.current} dispatch={dispatch} rows={rows} columns={columns} chrome={chromeRows(state)} />;
    return <Dashboard state={state} rows={rows} columns={columns} chrome={chromeRows(state)} />;
  }, [state, rows, columns, log]);

  if (rows < MIN_ROWS || columns < MIN_COLUMNS) {
    // Below this the frame cannot stay under the terminal's height: say so instead of flickering.
    return (
      <Box flexDirection="column">
        <Text wrap="truncate-end">axum: the terminal is {columns}×{rows};</Text>
        <Text wrap="truncate-end">it needs at least {MIN_COLUMNS}×{MIN_ROWS}.</Text>
        <Text wrap="truncate-end">Enlarge it, or q to quit.</Text>
      </Box>
    );
  }

  // The help is the whole screen: with the header and footer around it, the keys' descriptions
  // would be cut at 80×24 (Esc or ? gives the screen back).
  if (state.helpOpen && !state.confirm) return body;

  return (
    <Box flexDirection="column">
      <Header state={state} columns={columns} />
      {/* A dialog takes the view's place: both together would outgrow a small terminal's height. */}
      {state.confirm ? <ConfirmDialog confirm={state.confirm} columns={columns} maxRows={rows - chromeRows(state)} /> : body}
      {state.search.editing && <Text color="yellow">/{state.search.input}<Text inverse> </Text>  (Enter to search, Esc to cancel)</Text>}
      <Footer state={state} columns={columns} />
    </Box>
  );
}

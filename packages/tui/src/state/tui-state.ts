import { applyDelta } from '@axum/protocol';
import { revisionAddress, servingOf, stepsOf } from './selectors.js';
import { visibleEnvironments } from './dashboard-filter.js';
import { rowRuns, runRows } from './run-rows.js';
import { expireNotice, levelOf, noticeFor, releaseNotice, rewaitNotice, screenOf, withNotice } from './notices.js';
import { staleConfirmNotice } from './confirm-watch.js';
import { connectionLine, eventEntries, keepEvent, keptAcrossRestart } from './event-log.js';
import { openView, closeView } from './view-stack.js';
import { clamp, firstFailedOr, followedStep, moveSelection, servingRow, withWantedStep } from './selection.js';

export { connectionLabel } from './notices.js';

export type { ConnectionStatus, View, Confirm, PendingAction, TuiState, TuiAction } from './tui-types.js';
import type { TuiAction, TuiState } from './tui-types.js';

export const initialTuiState: TuiState = {
  connection: { kind: 'connecting' },
  daemon: null,
  helpOpen: false,
  eventsOpen: false,
  eventsSelected: null,
  view: { kind: 'dashboard' },
  behind: [],
  focus: 'environments',
  selected: 0,
  selectedRun: 0,
  unfolded: [],
  histories: {},
  bad: {},
  releases: null,
  confirm: null,
  notice: null,
  noticeScope: null,
  noticeLevel: 'normal',
  noticeId: 0,
  pendingNotice: null,
  localEvents: [],
  filter: { editing: false, text: '' },
  search: { editing: false, input: '', query: null },
  wrap: false,
  timestamps: false,
};

/** The TUI's one reducer: pure, so every transition is a unit test. */
export function reduce(state: TuiState, action: TuiAction): TuiState {
  const next = step(state, action);
  // A new notice says itself how long it holds (withNotice).
  if (next.noticeId !== state.noticeId) return next;
  // The next screen clears a local action's notice (`/zzz: no match` is about the log it searched).
  if (state.noticeScope !== null && screenOf(next.view) !== state.noticeScope) return { ...next, ...releaseNotice(next, false) };
  return next;
}

function step(state: TuiState, action: TuiAction): TuiState {
  switch (action.type) {
    case 'connection.connected': {
      // A notice about the lost connection is stale once connected again: a reconnect says itself.
      // A restarted daemon starts with no activity: the event log keeps what the last one said.
      const line = connectionLine(state.daemon, action.state);
      const kept = keptAcrossRestart(state.daemon, action.state, state.localEvents);
      const again = state.connection.kind !== 'connected' && state.connection.kind !== 'connecting';
      const connected: TuiState = {
        ...state,
        connection: { kind: 'connected', clientId: action.clientId },
        daemon: action.state,
        localEvents: keepEvent(kept, { at: action.at ?? new Date(0).toISOString(), who: '', what: line, clientId: '', origin: 'here' }),
        ...(again ? withNotice({ ...state, notice: null }, line, 'normal', null) : {}),
      };
      // A confirmation asked before the link went may be about what no longer holds.
      const stale = staleConfirmNotice(state.confirm, action.state);
      return stale === null ? connected : { ...connected, confirm: null, ...withNotice(connected, stale, 'high', null) };
    }
    case 'connection.lost':
      // What is on screen is stale from the first loss until the next snapshot: keep that first time.
      return {
        ...state,
        connection: { kind: 'reconnecting', attempt: action.attempt, reason: action.reason, retryInMs: action.retryInMs, since: state.connection.kind === 'reconnecting' ? state.connection.since : action.at, at: action.at },
      };
    case 'connection.failed':
      return { ...state, connection: { kind: 'failed', reason: action.reason } };
    case 'daemon.delta': {
      if (!state.daemon) return state;
      const daemon = applyDelta(state.daemon, action.delta);
      // The cursor stays on the item, not the row: a new run on top must not move it to another run —
      // except on the top row, which stays the top (the newest run), as k9s and lazygit keep it.
      // A row of folded runs is the same row while it holds one of the runs it held.
      const runIds = new Set(rowRuns(runRows(state)[state.selectedRun]).map((r) => r.id));
      const envName = visibleEnvironments(state)[state.selected]?.name;
      const runs = runRows({ ...state, daemon });
      const environments = visibleEnvironments({ ...state, daemon });
      const runAt = runs.findIndex((row) => rowRuns(row).some((r) => runIds.has(r.id)));
      const envAt = environments.findIndex((e) => e.name === envName);
      const said = noticeFor(action.delta, state.connection.kind === 'connected' ? state.connection.clientId : null);
      // Another terminal's act or a warning: not a local action's, so it does not go with the screen.
      const notice = said !== null ? withNotice(state, said, levelOf(said), null) : null;
      const count = eventEntries(state).length;
      // A confirmation asked about what no longer holds is closed, saying so: confirmed, it would do something else.
      const stale = staleConfirmNotice(state.confirm, daemon);
      return {
        ...state,
        ...notice,
        ...(stale !== null ? { confirm: null, ...withNotice({ ...state, ...notice }, stale, 'high', null) } : {}),
        daemon,
        view: followedStep(state.view, state.daemon, daemon),
        selected: envAt >= 0 ? envAt : clamp(state.selected, environments.length),
        selectedRun: runAt >= 0 && state.selectedRun !== 0 ? runAt : clamp(state.selectedRun, runs.length),
        // The event log keeps its newest entries: when one drops off the top, the selection stays on its entry.
        eventsSelected: state.eventsSelected === null ? null : Math.max(0, state.eventsSelected - (count + (action.delta.type === 'activity.added' ? 1 : 0) - eventEntries({ daemon, localEvents: state.localEvents }).length)),
      };
    }
    case 'daemon.stopping': {
      // Kept in the event log too: the lines after it (reconnected, the daemon restarted) follow from it.
      const what = `daemon stopping: ${action.reason}`;
      return { ...state, ...withNotice(state, what, 'high', null), localEvents: keepEvent(state.localEvents, { at: action.at ?? new Date(0).toISOString(), who: '', what, clientId: '', origin: 'here' }) };
    }
    case 'help.toggle':
      // Over the event log, the help names its keys; closing the help goes back to it.
      return { ...state, helpOpen: !state.helpOpen };
    case 'events.toggle':
      // Opens on the newest entry.
      return { ...state, eventsOpen: !state.eventsOpen, eventsSelected: null, helpOpen: false };
    case 'events.move': {
      const count = eventEntries(state).length;
      if (!state.eventsOpen || count === 0) return state;
      const now = Math.min(state.eventsSelected ?? count - 1, count - 1);
      const to = action.by === 'top' ? 0 : action.by === 'bottom' ? count - 1 : Math.min(count - 1, Math.max(0, now + action.by));
      // On the newest entry the selection follows new ones (null), as a log's tail does.
      return { ...state, eventsSelected: to >= count - 1 ? null : to };
    }
    case 'back': {
      if (state.helpOpen) return { ...state, helpOpen: false };
      if (state.eventsOpen) return { ...state, eventsOpen: false };
      if (state.view.kind === 'dashboard' && state.filter.text) return step(state, { type: 'filter.done', clear: true });
      // Back to the view it was opened from: an incident opened on the dashboard goes back there.
      if (state.behind.length > 0) return closeView(state);
      // Opened with nothing under it: a revision's operations go back to its environment's history, on that revision.
      const at = state.view.kind === 'run' ? revisionAddress(state.view.runId) : null;
      if (at) {
        const index = state.histories[at.env]?.findIndex((r) => r.revision === at.revision) ?? -1;
        return { ...state, view: { kind: 'history', env: at.env, selected: Math.max(0, index) } };
      }
      return closeView(state);
    }
    case 'focus.toggle':
      return state.view.kind === 'dashboard' ? { ...state, focus: state.focus === 'environments' ? 'runs' : 'environments' } : state;
    case 'selection.move':
      return moveSelection(state, action.by);
    case 'open': {
      if (state.view.kind === 'history') {
        const revision = state.histories[state.view.env]?.[state.view.selected];
        return revision ? openView(state, { kind: 'run', runId: `${state.view.env}#${revision.revision}`, step: firstFailedOr(revision.steps, 0), scroll: null }) : state;
      }
      if (state.view.kind !== 'dashboard' || !state.daemon) return state;
      if (state.focus === 'runs') {
        const row = runRows(state)[state.selectedRun];
        // A row of folded superseded runs shows them, each a row of its own, the cursor on the newest.
        if (row?.kind === 'fold') return { ...state, unfolded: [...state.unfolded, ...row.runs.map((r) => r.id)] };
        const run = row?.run;
        // At the step that matters: the first failed one, else the one running now, else the one cancelled or interrupted.
        const running = run?.steps.findIndex((s) => s.status === 'running') ?? -1;
        const at = running >= 0 ? running : (run?.steps.findIndex((s) => s.status === 'cancelled') ?? -1);
        return run ? openView(state, { kind: 'run', runId: run.id, step: firstFailedOr(run.steps, Math.max(0, at)), scroll: null }) : state;
      }
      const env = visibleEnvironments(state)[state.selected];
      // Reopened on what serves now, never on the row left last time: that revision may be BAD since.
      if (!env) return state;
      const serving = servingOf(env)?.revision;
      return openView(state, { kind: 'history', env: env.name, selected: servingRow(state.histories[env.name], serving), ...(serving !== undefined ? { want: serving } : {}) });
    }
    case 'operation.open': {
      const view = { kind: 'run' as const, runId: action.runId, step: 0, scroll: null };
      return openView({ ...state, helpOpen: false }, action.step ? withWantedStep(state, { ...view, wantStep: action.step }) : view);
    }
    case 'log.scroll': {
      if (state.view.kind !== 'run') return state;
      const by = action.by;
      const min = action.min ?? 0;
      const base = action.from ?? state.view.scroll ?? Number.MAX_SAFE_INTEGER;
      const scroll = by === 'bottom' ? null : by === 'top' ? min : Math.min(action.max ?? Number.MAX_SAFE_INTEGER, Math.max(min, base + by * (action.pageRows ?? 1)));
      return { ...state, view: { ...state.view, scroll } };
    }
    case 'history.loaded': {
      let next: TuiState = { ...state, histories: { ...state.histories, [action.env]: action.revisions } };
      // A revision deployed from elsewhere lands on top: the cursor stays on the revision it was on.
      if (state.view.kind === 'history' && state.view.env === action.env) {
        // Just opened: on the revision that serves (the loaded list may be newer than the one it opened with).
        const { want, ...view } = state.view;
        const was = want ?? state.histories[action.env]?.[state.view.selected]?.revision;
        const at = action.revisions.findIndex((r) => r.revision === was);
        next = { ...next, view: { ...view, selected: at >= 0 ? at : clamp(state.view.selected, action.revisions.length) } };
      }
      return next.view.kind === 'run' && next.view.wantStep ? { ...next, view: withWantedStep(next, next.view) } : next;
    }
    case 'releases.loaded': {
      const bad = Object.fromEntries(action.releases.flatMap((r) => (r.bad ? [[r.id, { by: r.bad.by, why: r.bad.why }]] : [])));
      if (state.view.kind !== 'releases') return { ...state, bad, releases: action.releases };
      // A release made elsewhere lands on top: the cursor stays on the release it was on.
      const was = state.releases?.[state.view.selected]?.id;
      const at = action.releases.findIndex((r) => r.id === was);
      return { ...state, bad, releases: action.releases, view: { ...state.view, selected: at >= 0 ? at : clamp(state.view.selected, action.releases.length) } };
    }
    case 'releases.open':
      return openView({ ...state, helpOpen: false, eventsOpen: false }, { kind: 'releases', selected: 0 });
    case 'confirm.open':
      // A notice from before (a refusal, a result) is not about this question: it leaves the footer (the event log keeps it).
      return { ...state, confirm: { ...action.confirm, input: '' }, notice: null };
    case 'confirm.key':
      if (!state.confirm) return state;
      return { ...state, confirm: { ...state.confirm, input: action.backspace ? state.confirm.input.slice(0, -1) : state.confirm.input + action.input } };
    case 'confirm.mismatch':
      return state.confirm ? { ...state, confirm: { ...state.confirm, input: '', mismatch: action.message } } : state;
    case 'confirm.details':
      return state.confirm && (action.forAction === undefined || state.confirm.action === action.forAction) ? { ...state, confirm: { ...state.confirm, details: action.details, ...(action.diff ? { diff: action.diff } : {}) } } : state;
    case 'confirm.close':
      return { ...state, confirm: null };
    case 'notice': {
      const entry = action.log ? { at: action.at ?? new Date(0).toISOString(), who: '', what: typeof action.log === 'string' ? action.log : action.message, clientId: '', origin: 'here' as const } : null;
      return { ...state, ...withNotice(state, action.message, action.level ?? 'normal', action.sticky ? null : screenOf(state.view)), ...(entry ? { localEvents: keepEvent(state.localEvents, entry) } : {}) };
    }
    case 'notice.expire':
      return expireNotice(state, action.id);
    case 'notice.seen':
      return state.noticeLevel === 'high' ? { ...state, ...releaseNotice(state, true) } : state;
    case 'notice.rewait':
      return { ...state, ...rewaitNotice(state, action.message, action.id) };
    case 'filter.start':
      return { ...state, filter: { ...state.filter, editing: true } };
    case 'filter.key': {
      // Applied as typed: the selection goes back to the first row that still shows.
      const text = action.backspace ? state.filter.text.slice(0, -1) : state.filter.text + action.input;
      return { ...state, filter: { editing: true, text }, selected: 0, selectedRun: 0 };
    }
    case 'filter.done': {
      if (action.clear) return { ...state, filter: { editing: false, text: '' }, selected: 0, selectedRun: 0 };
      const done = { ...state, filter: { ...state.filter, editing: false } };
      // A filter that leaves the focused list empty and the other not: the focus goes where the rows
      // are, so that the selection shows and Enter opens something.
      const envs = visibleEnvironments(done).length;
      const runs = runRows(done).length;
      if (done.focus === 'environments' && envs === 0 && runs > 0) return { ...done, focus: 'runs' };
      if (done.focus === 'runs' && runs === 0 && envs > 0) return { ...done, focus: 'environments' };
      return done;
    }
    case 'search.start':
      return { ...state, search: { ...state.search, editing: true, input: '' } };
    case 'search.key':
      return { ...state, search: { ...state.search, input: action.backspace ? state.search.input.slice(0, -1) : state.search.input + action.input } };
    case 'search.done':
      // A new query's matches are counted again (the jump that follows sets them).
      return action.commit && state.search.input
        ? { ...state, search: { editing: false, input: '', query: state.search.input, match: null } }
        : { ...state, search: { ...state.search, editing: false, input: '' } };
    case 'search.match':
      return state.view.kind === 'run' ? { ...state, search: { ...state.search, match: { index: action.index, total: action.total, runId: state.view.runId, step: state.view.step, ...(action.line !== undefined ? { line: action.line } : {}) } } } : state;
    case 'log.goto':
      return state.view.kind === 'run' ? { ...state, view: { ...state.view, scroll: Math.max(0, action.line) } } : state;
    case 'wrap.toggle':
      return { ...state, wrap: !state.wrap };
    case 'step.first-failed': {
      const view = state.view;
      if (view.kind !== 'run') return state;
      const steps = stepsOf(state, view.runId);
      const index = steps.findIndex((s) => s.status === 'failed' || s.status === 'timed-out');
      return index < 0 ? { ...state, ...withNotice(state, `no step failed in ${view.runId}`, 'normal', screenOf(view)) } : { ...state, view: { ...view, step: index, scroll: null } };
    }
    case 'timestamps.toggle':
      return { ...state, timestamps: !state.timestamps };
  }
}

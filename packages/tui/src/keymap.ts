import type { Key } from 'ink';
import type { PendingAction, TuiAction, TuiState, View } from './state/tui-state.js';
import { incidentLog, noIncidentOutputReason, revisionAddress } from './state/selectors.js';
import { visibleEnvironments } from './state/dashboard-filter.js';
import { runRows, selectedRunOf } from './state/run-rows.js';
import { nextEnvironment } from './state/releases.js';
import { userName } from './user-name.js';
import { confirmationFor } from './state/actions.js';

/** Where keys go: a view, or the event log overlay (`e`) drawn over it. */
export type Screen = View['kind'] | 'events';

/** The screen the keys of `state` act on. */
export const screenFor = (state: TuiState): Screen => (state.eventsOpen ? 'events' : state.view.kind);

/**
 * What each screen is called where a person reads it (the `?` overlay's title): a revision's
 * operations share the run view's keys, but they are a revision, not a run.
 */
const SCREEN_NAMES: Record<Screen, (view: View) => string> = {
  dashboard: () => 'dashboard',
  run: (view) => (view.kind === 'run' ? (revisionAddress(view.runId) ? `revision ${view.runId}` : `run ${view.runId}`) : 'run'),
  history: (view) => (view.kind === 'history' ? `history of ${view.env}` : 'history'),
  releases: () => 'releases',
  events: () => 'events',
};

/** The name of the screen the keys of `state` act on, as the help's title says it. */
export const screenName = (state: TuiState): string => SCREEN_NAMES[screenFor(state)](state.view);

/** What a binding does: a reducer action, an action that needs the daemon (maybe after a confirmation), or quit. */
export type Command =
  | { kind: 'dispatch'; action: TuiAction }
  /** A reducer action that depends on what is selected (null: nothing to do). */
  | { kind: 'navigate'; build: (state: TuiState) => TuiAction | null }
  | { kind: 'search'; direction: 1 | -1 }
  | { kind: 'daemon'; build: (state: TuiState) => PendingAction | null }
  | { kind: 'quit' };

/** One row per key: input handling, the footer and the `?` overlay all read this table. */
export interface Binding {
  /** As shown to the user. */
  label: string;
  description: string;
  /** The screens where the key works (`events`: the event log overlay, over any view). */
  views: readonly Screen[];
  matches(input: string, key: Key): boolean;
  command: Command;
  /** Why the key does nothing right now, or null when it is enabled. */
  disabledReason?: (state: TuiState) => string | null;
  /** Shown in the one-line footer (the overlay shows every binding). */
  footer: boolean;
  /** The footer's word for it (the overlay shows the description). */
  hint?: string;
  /** Held with Ctrl: `ctrl+r` is not `r` (a key pressed with Ctrl matches only a binding that asks for it). */
  ctrl?: boolean;
  /** False for the second half of a pair the overlay already shows in one row (`j/k`, `[ ]`, `n/N`). */
  inHelp?: boolean;
  /** False where the key means nothing at all on its screen (`x` on a revision's operations, which are no run): left out of input, the footer and the overlay. */
  appliesTo?: (state: TuiState) => boolean;
}

/** Events a page key moves by (the overlay shows at least this many at 80×24). */
const EVENTS_PAGE = 8;
const ALL: readonly Screen[] = ['dashboard', 'run', 'history', 'releases', 'events'];
/** The screens that are lists of rows: the same keys move in each (j/k, PgUp/PgDn, g/G). */
const LISTS: readonly Screen[] = ['dashboard', 'history', 'releases'];
/** Rows a page key moves a list's selection by (the runs list shows about this many at 80×24). */
const LIST_PAGE = 10;
const selectedEnv = (state: TuiState) => (state.view.kind === 'history' ? state.daemon?.environments.find((e) => e.name === (state.view as { env: string }).env) : visibleEnvironments(state)[state.selected]);
const selectedRun = (state: TuiState) => (state.view.kind === 'run' ? state.daemon?.runs.find((r) => r.id === (state.view as { runId: string }).runId) : selectedRunOf(state));
const envFocus = (state: TuiState) => (state.view.kind === 'dashboard' && state.focus !== 'environments' ? 'Tab to the environments first' : null);
const runFocus = (state: TuiState) => (state.view.kind === 'dashboard' && state.focus !== 'runs' ? 'Tab to the runs first' : null);
/** Why a dashboard list has no row to go to or open (the filter hides them all, or there are none yet), or null. */
const emptyList = (state: TuiState, list: 'environments' | 'runs'): string | null => {
  if (state.view.kind !== 'dashboard' || (list === 'runs' ? runRows(state) : visibleEnvironments(state)).length > 0) return null;
  return state.filter.text ? `no ${list === 'runs' ? 'run' : 'environment'} matches /${state.filter.text} (Esc clears the filter)` : `no ${list} yet`;
};
const selectedRelease = (state: TuiState) => (state.view.kind === 'releases' ? state.releases?.[state.view.selected] : undefined);
const finished = new Set(['succeeded', 'failed', 'cancelled', 'superseded', 'interrupted']);
const cancellable = (state: TuiState) => (selectedRun(state) && !finished.has(selectedRun(state)!.status) ? null : 'the run is not queued or running');
/** The revision a run's deploy made (`staging#5`), or null: none yet, or the view is a revision's. */
const deployOf = (state: TuiState) => {
  const deploy = state.view.kind === 'run' && !revisionAddress(state.view.runId) ? selectedRun(state)?.deploy : null;
  return deploy && deploy.revision !== null ? `${deploy.env}#${deploy.revision}` : null;
};
/** A run's own view, not a revision's (`staging#5`): a revision's has no run to cancel and no deploy to open apart from itself. */
const aRunsView = (state: TuiState) => !(state.view.kind === 'run' && revisionAddress(state.view.runId));
const cancelRun = (state: TuiState) => (selectedRun(state) ? { kind: 'cancel' as const, runId: selectedRun(state)!.id } : null);

export const KEYMAP: readonly Binding[] = [
  { label: 'j/↓', description: 'down', hint: 'down', views: ['dashboard', 'history', 'releases'], matches: (i, k) => i === 'j' || k.downArrow, command: { kind: 'dispatch', action: { type: 'selection.move', by: 1 } }, footer: true },
  { label: 'k/↑', description: 'up', hint: 'up', views: ['dashboard', 'history', 'releases'], matches: (i, k) => i === 'k' || k.upArrow, command: { kind: 'dispatch', action: { type: 'selection.move', by: -1 } }, footer: true },
  { label: 'PgDn/PgUp', description: 'a page down / up the list', views: LISTS, matches: (_i, k) => k.pageDown, command: { kind: 'dispatch', action: { type: 'selection.move', by: LIST_PAGE } }, footer: false },
  { label: 'PgUp', description: 'a page up the list', views: LISTS, matches: (_i, k) => k.pageUp, command: { kind: 'dispatch', action: { type: 'selection.move', by: -LIST_PAGE } }, footer: false, inHelp: false },
  { label: 'g/Home', description: 'first row of the list', hint: 'top', views: LISTS, matches: (i, k) => i === 'g' || k.home, command: { kind: 'dispatch', action: { type: 'selection.move', by: -Number.MAX_SAFE_INTEGER } }, footer: false },
  { label: 'G/End', description: 'last row of the list', hint: 'bottom', views: LISTS, matches: (i, k) => i === 'G' || k.end, command: { kind: 'dispatch', action: { type: 'selection.move', by: Number.MAX_SAFE_INTEGER } }, footer: false },
  { label: 'Tab', description: 'switch between environments and runs', hint: 'focus', views: ['dashboard'], matches: (_i, k) => k.tab, disabledReason: (state) => emptyList(state, state.focus === 'environments' ? 'runs' : 'environments'), command: { kind: 'dispatch', action: { type: 'focus.toggle' } }, footer: true },
  { label: 'Enter', description: "open the run, or the environment's revisions", hint: 'open', views: ['dashboard'], matches: (_i, k) => k.return, disabledReason: (state) => emptyList(state, state.focus), command: { kind: 'dispatch', action: { type: 'open' } }, footer: true },
  { label: 'Enter', description: "open the revision: its deploy hook, verify and monitor output, gates with the LKG's values", hint: 'open', views: ['history'], matches: (_i, k) => k.return, disabledReason: (state) => (state.view.kind === 'history' && state.histories[state.view.env]?.length ? null : 'no revision selected'), command: { kind: 'dispatch', action: { type: 'open' } }, footer: true },
  {
    label: 'i',
    description: 'open the output behind the incident',
    hint: 'incident',
    views: ['dashboard', 'history'],
    matches: (i) => i === 'i',
    disabledReason: (state) => envFocus(state) ?? (incidentLog(selectedEnv(state)) ? null : noIncidentOutputReason(selectedEnv(state))),
    command: { kind: 'navigate', build: (state) => { const at = incidentLog(selectedEnv(state)); return at ? { type: 'operation.open', runId: at.runId, step: at.step } : null; } },
    footer: false,
  },
  { label: 'j/k', description: 'scroll the log', hint: 'scroll', views: ['run'], matches: (i, k) => i === 'j' || k.downArrow, command: { kind: 'dispatch', action: { type: 'log.scroll', by: 1 } }, footer: true },
  { label: 'k', description: 'scroll the log up', views: ['run'], matches: (i, k) => i === 'k' || k.upArrow, command: { kind: 'dispatch', action: { type: 'log.scroll', by: -1 } }, footer: false, inHelp: false },
  { label: 'PgDn/PgUp', description: 'a page down / up (the log rows on screen)', views: ['run'], matches: (_i, k) => k.pageDown, command: { kind: 'dispatch', action: { type: 'log.scroll', by: 1, pageRows: 10 } }, footer: false },
  { label: 'PgUp', description: 'page up', views: ['run'], matches: (_i, k) => k.pageUp, command: { kind: 'dispatch', action: { type: 'log.scroll', by: -1, pageRows: 10 } }, footer: false, inHelp: false },
  { label: 'g/Home', description: 'top of the log', views: ['run'], matches: (i, k) => i === 'g' || k.home, command: { kind: 'dispatch', action: { type: 'log.scroll', by: 'top' } }, footer: false },
  { label: 'G/End', description: 'bottom of the log, follow the tail', hint: 'follow', views: ['run'], matches: (i, k) => i === 'G' || k.end, command: { kind: 'dispatch', action: { type: 'log.scroll', by: 'bottom' } }, footer: true },
  { label: '[ ]', description: 'previous / next step', hint: 'step', views: ['run'], matches: (i) => i === ']', command: { kind: 'dispatch', action: { type: 'selection.move', by: 1 } }, footer: true },
  { label: '[', description: 'previous step', views: ['run'], matches: (i) => i === '[', command: { kind: 'dispatch', action: { type: 'selection.move', by: -1 } }, footer: false, inHelp: false },
  { label: '/', description: 'filter both lists (Esc clears)', hint: 'filter', views: ['dashboard'], matches: (i) => i === '/', command: { kind: 'dispatch', action: { type: 'filter.start' } }, footer: true },
  { label: '/', description: 'search the log', hint: 'search', views: ['run'], matches: (i) => i === '/', command: { kind: 'dispatch', action: { type: 'search.start' } }, footer: true },
  { label: 'n/N', description: 'next / previous match', views: ['run'], matches: (i) => i === 'n', disabledReason: (state) => (state.search.query ? null : 'search first with /'), command: { kind: 'search', direction: 1 }, footer: false },
  { label: 'N', description: 'previous match', views: ['run'], matches: (i) => i === 'N', disabledReason: (state) => (state.search.query ? null : 'search first with /'), command: { kind: 'search', direction: -1 }, footer: false, inHelp: false },
  { label: 'd', description: "open the run's deploy: its deploy hook, verify and monitor output", views: ['run'], appliesTo: aRunsView, matches: (i) => i === 'd', disabledReason: (state) => (deployOf(state) ? null : 'no deploy of this run to open'), command: { kind: 'navigate', build: (state) => { const at = deployOf(state); return at ? { type: 'operation.open', runId: at, step: null } : null; } }, footer: false },
  { label: 'f', description: 'jump to the first failed step', views: ['run'], matches: (i) => i === 'f', command: { kind: 'dispatch', action: { type: 'step.first-failed' } }, footer: false },
  { label: 'w', description: 'wrap long lines on/off', views: ['run'], matches: (i) => i === 'w', command: { kind: 'dispatch', action: { type: 'wrap.toggle' } }, footer: false },
  { label: 'T', description: 'timestamps on/off (when each line was printed)', views: ['run'], matches: (i) => i === 'T', command: { kind: 'dispatch', action: { type: 'timestamps.toggle' } }, footer: false },
  {
    label: 'r',
    description: 'roll back: to the last known good (dashboard, or the live row of a history) or to the selected revision', hint: 'roll back',
    views: ['dashboard', 'history'],
    matches: (i) => i === 'r',
    disabledReason: (state) => {
      const env = selectedEnv(state);
      if (envFocus(state) || !env) return envFocus(state) ?? 'no environment selected';
      // Said, like P and a say theirs: a history with no revision has nothing to go back to.
      return state.view.kind === 'history' && state.histories[env.name]?.length === 0 ? `${env.name} has no revisions yet: nothing to roll back to` : null;
    },
    command: {
      kind: 'daemon',
      build: (state) => {
        const env = selectedEnv(state);
        if (!env) return null;
        if (state.view.kind === 'history') {
          const revision = state.histories[env.name]?.[state.view.selected];
          // The live row is where the history opens: rolling back from it means what it does on the
          // dashboard (to the last known good), not "to itself", which could only be refused.
          if (revision && env.live?.revision === revision.revision) return { kind: 'rollback', env: env.name, to: null, force: false };
          return revision ? { kind: 'rollback', env: env.name, to: revision.revision, force: false } : null;
        }
        return { kind: 'rollback', env: env.name, to: null, force: false };
      },
    },
    footer: true,
  },
  { label: 'a', description: 'approve the release waiting for approval, or keep what a paused environment serves', views: ['dashboard', 'history'], matches: (i) => i === 'a', disabledReason: (state) => envFocus(state) ?? (selectedEnv(state)?.awaitingApproval || selectedEnv(state)?.paused ? null : 'nothing is waiting for approval here'), command: { kind: 'daemon', build: (state) => (selectedEnv(state) ? { kind: 'approve', env: selectedEnv(state)!.name } : null) }, footer: false },
  { label: 'p', description: 'pin / unpin the environment', views: ['dashboard', 'history'], matches: (i) => i === 'p', disabledReason: envFocus, command: { kind: 'daemon', build: (state) => (selectedEnv(state) ? { kind: 'pin', env: selectedEnv(state)!.name, pinned: !selectedEnv(state)!.pinned } : null) }, footer: false },
  {
    label: 'P',
    description: 'promote the live release to the next environment (same bytes)',
    hint: 'promote',
    views: ['dashboard', 'history'],
    matches: (i) => i === 'P',
    disabledReason: (state) => {
      const env = selectedEnv(state);
      if (envFocus(state) || !env) return envFocus(state) ?? 'no environment selected';
      if (!env.live) return `nothing is live in ${env.name} to promote`;
      return nextEnvironment(state.daemon, env.name) ? null : `${env.name} is the last environment in axum.yml: nothing to promote to`;
    },
    command: {
      kind: 'daemon',
      build: (state) => {
        const env = selectedEnv(state);
        const next = env ? nextEnvironment(state.daemon, env.name) : null;
        return env?.live && next ? { kind: 'promote', from: env.name, to: next.name, releaseId: env.live.releaseId, force: false } : null;
      },
    },
    footer: false,
  },
  { label: 'R', description: 'releases: where live, verified, marked bad', hint: 'releases', views: ['dashboard', 'history'], matches: (i) => i === 'R', command: { kind: 'dispatch', action: { type: 'releases.open' } }, footer: false },
  {
    label: 'b',
    description: 'mark the selected release bad (nothing deploys it without --force)',
    hint: 'mark bad',
    views: ['releases'],
    matches: (i) => i === 'b',
    disabledReason: (state) => (selectedRelease(state) ? (selectedRelease(state)!.bad ? 'it is marked bad already' : null) : 'no release selected'),
    command: { kind: 'daemon', build: (state) => (selectedRelease(state) ? { kind: 'mark', releaseId: selectedRelease(state)!.id, mark: 'bad', reason: `marked in the TUI by ${userName()}` } : null) },
    footer: true,
  },
  {
    // Not `g`: that is the first row in every list.
    label: 'u',
    description: "unmark: clear the selected release's bad mark",
    hint: 'unmark',
    views: ['releases'],
    matches: (i) => i === 'u',
    disabledReason: (state) => (selectedRelease(state) ? (selectedRelease(state)!.bad ? null : 'it is not marked bad') : 'no release selected'),
    command: { kind: 'daemon', build: (state) => (selectedRelease(state) ? { kind: 'mark', releaseId: selectedRelease(state)!.id, mark: 'good', reason: null } : null) },
    footer: true,
  },
  { label: 't', description: "trigger a run of the environment's branch", views: ['dashboard'], matches: (i) => i === 't', disabledReason: envFocus, command: { kind: 'daemon', build: (state) => (selectedEnv(state) ? { kind: 'trigger', branch: selectedEnv(state)!.branch } : null) }, footer: false },
  { label: 'x', description: 'cancel the selected run', views: ['dashboard'], matches: (i) => i === 'x', disabledReason: (state) => runFocus(state) ?? cancellable(state), command: { kind: 'daemon', build: cancelRun }, footer: false },
  // In the run view the run is on screen: its footer offers `x` while the run can be cancelled.
  { label: 'x', description: 'cancel this run', hint: 'cancel', views: ['run'], appliesTo: aRunsView, matches: (i) => i === 'x', disabledReason: cancellable, command: { kind: 'daemon', build: cancelRun }, footer: true },
  { label: 'j/k', description: 'down / up the events, newest last (the selected one in full below the list when cut)', hint: 'scroll', views: ['events'], matches: (i, k) => i === 'j' || k.downArrow, command: { kind: 'dispatch', action: { type: 'events.move', by: 1 } }, footer: true },
  { label: 'k', description: 'up the events', views: ['events'], matches: (i, k) => i === 'k' || k.upArrow, command: { kind: 'dispatch', action: { type: 'events.move', by: -1 } }, footer: false, inHelp: false },
  { label: 'PgUp/PgDn', description: 'a page up / down', views: ['events'], matches: (_i, k) => k.pageUp, command: { kind: 'dispatch', action: { type: 'events.move', by: -EVENTS_PAGE } }, footer: false },
  { label: 'PgDn', description: 'a page newer', views: ['events'], matches: (_i, k) => k.pageDown, command: { kind: 'dispatch', action: { type: 'events.move', by: EVENTS_PAGE } }, footer: false, inHelp: false },
  { label: 'g/Home', description: 'the oldest kept event', hint: 'oldest', views: ['events'], matches: (i, k) => i === 'g' || k.home, command: { kind: 'dispatch', action: { type: 'events.move', by: 'top' } }, footer: true },
  { label: 'G/End', description: 'the newest event (and keep to the newest)', hint: 'newest', views: ['events'], matches: (i, k) => i === 'G' || k.end, command: { kind: 'dispatch', action: { type: 'events.move', by: 'bottom' } }, footer: true },
  { label: 'e', description: 'events: who did what, and when', hint: 'events', views: ALL, matches: (i) => i === 'e', command: { kind: 'dispatch', action: { type: 'events.toggle' } }, footer: false },
  { label: '?', description: 'show or hide this help', hint: 'help', views: ALL, matches: (i) => i === '?', command: { kind: 'dispatch', action: { type: 'help.toggle' } }, footer: true },
  { label: 'Esc', description: 'back', hint: 'back', views: ALL, matches: (_i, k) => k.escape, command: { kind: 'dispatch', action: { type: 'back' } }, footer: true },
  { label: 'q', description: 'quit (the daemon keeps running)', hint: 'quit', views: ALL, matches: (i) => i === 'q', command: { kind: 'quit' }, footer: true },
  { label: 'Ctrl-C', description: 'quit', views: ALL, matches: (i, k) => k.ctrl && i === 'c', command: { kind: 'quit' }, footer: false, ctrl: true },
];

/** The bindings of the current screen. */
export function bindingsFor(state: TuiState): Binding[] {
  const screen = screenFor(state);
  return KEYMAP.filter((b) => b.views.includes(screen) && (b.appliesTo?.(state) ?? true));
}

/**
 * Why pressing `binding` would do nothing now, or null: its own reason (focus, nothing selected),
 * else, for a request to the daemon, the refusal the TUI says before asking — the very check a press
 * makes (state/actions.ts), so the footer, the `?` overlay and the key never disagree.
 */
export function unavailableReason(binding: Binding, state: TuiState): string | null {
  const own = binding.disabledReason?.(state) ?? null;
  if (own !== null || binding.command.kind !== 'daemon') return own;
  const action = binding.command.build(state);
  const confirm = action ? confirmationFor(action, state) : null;
  return confirm && 'refused' in confirm ? confirm.refused : null;
}

/** The binding for a key press on the current screen, with why it is disabled (null when enabled). */
export function resolveKey(state: TuiState, input: string, key: Key): { binding: Binding; disabled: string | null } | null {
  // A key held with Ctrl matches only a binding that asks for Ctrl (`ctrl+r` must not roll back).
  const binding = bindingsFor(state).find((b) => Boolean(key.ctrl) === Boolean(b.ctrl) && b.matches(input, key));
  if (!binding) return null;
  return { binding, disabled: binding.disabledReason?.(state) ?? null };
}

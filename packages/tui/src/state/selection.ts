// How the selection moves in each view, and where a view opens: the reducer's helpers.
import { stepsOf } from './selectors.js';
import { visibleEnvironments } from './dashboard-filter.js';
import { runRows } from './run-rows.js';
import type { DaemonState, RevisionView } from '@axum/protocol';
import type { TuiState, View } from './tui-state.js';

export const clamp = (value: number, count: number) => Math.max(0, Math.min(value, count - 1));

export function moveSelection(state: TuiState, by: number): TuiState {
  const view = state.view;
  if (view.kind === 'run') {
    const steps = stepsOf(state, view.runId).length;
    return steps === 0 ? state : { ...state, view: { ...view, step: clamp(view.step + by, steps), scroll: null } };
  }
  if (view.kind === 'history') {
    const count = state.histories[view.env]?.length ?? 0;
    // Moved by hand: the cursor no longer waits for the serving revision.
    const { want: _moved, ...rest } = view;
    return count === 0 ? state : { ...state, view: { ...rest, selected: clamp(view.selected + by, count) } };
  }
  if (view.kind === 'releases') {
    const count = state.releases?.length ?? 0;
    return count === 0 ? state : { ...state, view: { ...view, selected: clamp(view.selected + by, count) } };
  }
  if (state.focus === 'runs') {
    const count = runRows(state).length;
    return count === 0 ? state : { ...state, selectedRun: clamp(state.selectedRun + by, count) };
  }
  const count = visibleEnvironments(state).length;
  return count === 0 ? state : { ...state, selected: clamp(state.selected + by, count) };
}

/** Selects the wanted step once the revision's steps are known (it may not be loaded yet). */
export function withWantedStep(state: TuiState, view: Extract<View, { kind: 'run' }>): Extract<View, { kind: 'run' }> {
  const index = stepsOf(state, view.runId).findIndex((s) => s.name === view.wantStep);
  if (index < 0) return view;
  const { wantStep: _done, ...rest } = view;
  return { ...rest, step: index, scroll: null };
}

export function firstFailedOr(steps: { status: string }[], fallback: number): number {
  const index = steps.findIndex((s) => s.status === 'failed' || s.status === 'timed-out');
  return index >= 0 ? index : fallback;
}

/** The row of `revision` in a loaded history (the serving one, when a history view opens); the top row when it is not there. */
export function servingRow(history: readonly RevisionView[] | undefined, revision: number | undefined): number {
  const at = revision === undefined ? -1 : (history ?? []).findIndex((r) => r.revision === revision);
  return Math.max(0, at);
}

const UNFINISHED = new Set(['pending', 'running']);

/**
 * A run view following the tail (not scrolled) of a step that has just finished moves on to the
 * step running now, as the run's output goes on there; a step picked by hand that is already
 * finished, or a scrolled view, stays where it is.
 */
export function followedStep(view: View, before: DaemonState | null, after: DaemonState): View {
  if (view.kind !== 'run' || view.scroll !== null) return view;
  const was = before?.runs.find((r) => r.id === view.runId)?.steps[view.step];
  const now = after.runs.find((r) => r.id === view.runId)?.steps;
  if (!was || !now || !UNFINISHED.has(was.status) || UNFINISHED.has(now[view.step]?.status ?? 'pending')) return view;
  const running = now.findIndex((s) => s.status === 'running');
  return running >= 0 ? { ...view, step: running } : view;
}

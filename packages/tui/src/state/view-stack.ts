// Where Esc goes: back to the view the person came from (a stack of views, as lazygit and k9s keep),
// not to a parent fixed per view — an incident opened from the dashboard goes back to the dashboard.
import type { TuiState, View } from './tui-types.js';

/** Views kept behind the current one: deeper than any path of keys goes, so a loop cannot grow it for good. */
const MAX_BEHIND = 16;

/**
 * Opens `next`, keeping the view it covers to come back to. A history view is kept on its revision
 * (by number, not row), as a revision deployed meanwhile lands on top and moves the rows.
 */
export function openView(state: TuiState, next: View): TuiState {
  if (sameView(state.view, next)) return { ...state, view: next };
  return { ...state, view: next, behind: [...state.behind, keptView(state, state.view)].slice(-MAX_BEHIND) };
}

/** Goes back to the view under this one; with none, to the dashboard. */
export function closeView(state: TuiState): TuiState {
  const last = state.behind.at(-1);
  if (!last) return { ...state, view: { kind: 'dashboard' } };
  return { ...state, view: restoredView(state, last), behind: state.behind.slice(0, -1) };
}

function sameView(a: View, b: View): boolean {
  if (a.kind !== b.kind) return false;
  if (a.kind === 'run' && b.kind === 'run') return a.runId === b.runId;
  if (a.kind === 'history' && b.kind === 'history') return a.env === b.env;
  return true;
}

function keptView(state: TuiState, view: View): View {
  if (view.kind !== 'history') return view;
  const revision = state.histories[view.env]?.[view.selected]?.revision ?? view.want;
  return revision === undefined ? view : { ...view, want: revision };
}

function restoredView(state: TuiState, view: View): View {
  if (view.kind !== 'history' || view.want === undefined) return view;
  const { want, ...rest } = view;
  const at = state.histories[view.env]?.findIndex((r) => r.revision === want) ?? -1;
  // Not in the loaded history yet: the cursor waits for it (history.loaded puts it there).
  return at >= 0 ? { ...rest, selected: at } : view;
}

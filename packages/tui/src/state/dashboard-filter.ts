// The dashboard's `/` filter (as in k9s): both lists show only the rows whose words contain what
// was typed, as it is typed. Selection indexes point into these filtered lists, never the full ones.
import type { DaemonState, EnvironmentView, RunView } from '@axum/protocol';

/** What the filter reads of the TUI's state (structural, so state/ has no import cycle). */
interface Filtered {
  daemon: DaemonState | null;
  filter: { editing: boolean; text: string };
}

const matches = (words: (string | null | undefined)[], text: string): boolean => {
  const needle = text.toLowerCase();
  return words.some((word) => word?.toLowerCase().includes(needle));
};

/** The environments the filter lets through (all without one): name, branch, flags, incident. */
export function visibleEnvironments(state: Filtered): EnvironmentView[] {
  const all = state.daemon?.environments ?? [];
  const text = state.filter.text;
  if (!text) return all;
  return all.filter((env) => matches([env.name, env.branch, env.incident, env.pinned ? 'pinned' : null, env.protected ? 'protected' : null], text));
}

/** The runs the filter lets through: id, status, branch, environment, commit, subject, deploy outcome. */
export function visibleRuns(state: Filtered): RunView[] {
  const all = state.daemon?.runs ?? [];
  const text = state.filter.text;
  if (!text) return all;
  return all.filter((run) => matches([run.id, run.status, run.branch, run.env, run.commit, run.subject, run.trigger, run.deploy?.outcome], text));
}

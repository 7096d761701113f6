// What the header and the footer say in words: the connection, and changes made elsewhere.
import type { ActivityEntry, DaemonState, Delta } from '@axum/protocol';
import type { ConnectionStatus, View } from './tui-state.js';

/** Which screen is up, as a key: a notice about one screen (`scoped`) goes when another comes up. */
export const screenOf = (view: View): string => (view.kind === 'run' ? `run:${view.runId}` : view.kind === 'history' ? `history:${view.env}` : view.kind);

/** `21:40:09 alice (axum-tui on pts/3) pinned staging` (UTC, as the daemon's log). */
export const activityLine = (entry: ActivityEntry): string => `${entry.at.slice(11, 19)} ${entry.who} ${entry.what}`;

/** A change made elsewhere (another terminal, the watcher, an auto-rollback) gets a one-line notice. */
export function noticeFor(before: DaemonState, delta: Delta, me: string | null): string | null {
  if (delta.type === 'warning.added') return `warning: ${delta.message}`;
  // Another terminal's act, with who and when (this terminal's own acts get their own notices).
  if (delta.type === 'activity.added') return delta.entry.clientId === me ? null : activityLine(delta.entry);
  if (delta.type !== 'environment.updated') return null;
  const env = delta.environment;
  const old = before.environments.find((e) => e.name === env.name);
  if (!old || old.live?.revision === env.live?.revision || !env.live) return null;
  return `${env.name}: #${env.live.revision} is live now (${env.live.releaseId}, ${env.live.commit.slice(0, 8)})`;
}

/** One word for the header. */
export function connectionLabel(connection: ConnectionStatus): string {
  switch (connection.kind) {
    case 'connecting':
      return 'connecting…';
    case 'connected':
      return 'connected';
    case 'reconnecting':
      return `STALE since ${connection.since.slice(11, 19)}: disconnected, reconnecting…`;
    case 'failed':
      return 'cannot connect';
  }
}

// The event log (`e`): the daemon's activity (people's acts, and its own moves: push deploys,
// automatic rollbacks) merged with what only this terminal knows — its own refusals that never
// reached the daemon, and what the daemon said before it restarted.
import type { ActivityEntry, DaemonState } from '@axum/protocol';
import type { PendingAction } from './tui-types.js';

/** Where an entry comes from: the daemon's shared activity, this terminal, or the daemon before its restart. */
export type EventOrigin = 'daemon' | 'here' | 'before-restart';

/** One row of the event log. */
export interface EventEntry extends ActivityEntry {
  origin: EventOrigin;
}

/** Entries this terminal keeps of its own (the daemon keeps ACTIVITY_KEPT of the shared ones). */
export const LOCAL_EVENTS_KEPT = 30;

/** What the event log reads of the state (structural: no import cycle with tui-state.ts). */
interface Events {
  daemon: DaemonState | null;
  localEvents: readonly EventEntry[];
}

/** Every entry, oldest first: the daemon's activity and this terminal's own, by time. */
export function eventEntries(state: Events): EventEntry[] {
  const shared = (state.daemon?.activity ?? []).map((entry): EventEntry => ({ ...entry, origin: 'daemon' }));
  // A stable sort: entries of the same second keep the order they arrived in.
  return [...state.localEvents, ...shared].sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
}

/** Adds an entry, dropping the oldest past LOCAL_EVENTS_KEPT. */
export function keepEvent(events: readonly EventEntry[], entry: EventEntry): EventEntry[] {
  return [...events, entry].slice(-LOCAL_EVENTS_KEPT);
}

/**
 * What was asked, in the daemon's words for a request (`rollback of production to #3`), so this
 * terminal's own entries read like the ones every terminal sees.
 */
export function attemptText(action: PendingAction): string {
  switch (action.kind) {
    case 'rollback':
      return `rollback of ${action.env} to ${action.to === null ? 'the last known good' : `#${action.to}`}`;
    case 'approve':
      return `approval of ${action.env}`;
    case 'pin':
      return `${action.pinned ? 'pin' : 'unpin'} of ${action.env}`;
    case 'trigger':
      return `run of ${action.branch}`;
    case 'cancel':
      return `cancel of ${action.runId}`;
    case 'promote':
      return `promote of ${action.from} to ${action.to}`;
    case 'mark':
      return `mark of ${action.releaseId} ${action.mark}`;
  }
}

/** A request this terminal refused before sending it: `refused: rollback of staging to the last known good — why`. */
export const refusedEvent = (action: PendingAction, why: string): string => `refused: ${attemptText(action)} — ${why}`;

/** `(this terminal)` for this terminal's own entries, `(before the daemon restarted)` for kept ones: the row says where it comes from. */
export function eventLine(entry: EventEntry): string {
  const from = entry.origin === 'here' ? ' (this terminal only)' : entry.origin === 'before-restart' ? ' (before the daemon restarted)' : '';
  // This terminal's own entries name no one: what happened is the news (`refused: …`, `cancelled: …`).
  return `${entry.at.slice(11, 19)} ${entry.who ? `${entry.who} ` : ''}${entry.what}${from}`;
}

/** True when `after` is another daemon than `before` (a restart): its pid or its start differs. */
const restarted = (before: DaemonState, after: DaemonState): boolean => before.daemon.pid !== after.daemon.pid || before.daemon.startedAt !== after.daemon.startedAt;

/**
 * The one line a (re)connect is in the event log: the first state after it is the baseline, what
 * the daemon serves already, not news (`before`: the state this terminal had, null at the first).
 */
export function connectionLine(before: DaemonState | null, after: DaemonState): string {
  if (!before) return `connected to the daemon (pid ${after.daemon.pid})`;
  if (restarted(before, after)) return `reconnected: the daemon restarted (pid ${after.daemon.pid}, was ${before.daemon.pid})`;
  return `reconnected to the daemon (pid ${after.daemon.pid})`;
}

/** The daemon's activity, kept across its restart (a new daemon starts with none): marked as from before it. */
export function keptAcrossRestart(before: DaemonState | null, after: DaemonState, local: readonly EventEntry[]): EventEntry[] {
  if (!before || !restarted(before, after)) return [...local];
  const kept = before.activity.map((entry): EventEntry => ({ ...entry, origin: 'before-restart' }));
  return [...local, ...kept].sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0)).slice(-LOCAL_EVENTS_KEPT);
}

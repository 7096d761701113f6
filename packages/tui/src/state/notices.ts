// What the header and the footer say in words: the connection, and changes made elsewhere.
import type { ActivityEntry, Delta } from '@axum/protocol';
import type { ConnectionStatus, View } from './tui-state.js';

/** Which screen is up, as a key: a notice about one screen (`scoped`) goes when another comes up. */
export const screenOf = (view: View): string => (view.kind === 'run' ? `run:${view.runId}` : view.kind === 'history' ? `history:${view.env}` : view.kind);

/** `21:40:09 alice (axum-tui on pts/3) pinned staging` (UTC, as the daemon's log). */
export const activityLine = (entry: ActivityEntry): string => `${entry.at.slice(11, 19)} ${entry.who} ${entry.what}`;

/**
 * A change made elsewhere gets a one-line notice: another terminal's act or the daemon's own move
 * (a push deploy, an automatic rollback: its activity, with who and when), a warning. This
 * terminal's own acts get their own notices.
 */
export function noticeFor(delta: Delta, me: string | null): string | null {
  if (delta.type === 'warning.added') return `warning: ${delta.message}`;
  if (delta.type === 'activity.added') return delta.entry.clientId === me ? null : activityLine(delta.entry);
  return null;
}

/**
 * How long the TUI says "reconnecting…" before it says the daemon is not running: a restart
 * (`axum daemon restart`, a config reload) is back well within it; a stopped daemon is not.
 */
export const DAEMON_GONE_MS = 3000;

/** True once the daemon has not answered for DAEMON_GONE_MS: it is stopped, not restarting. */
export const daemonGone = (connection: ConnectionStatus): boolean => connection.kind === 'reconnecting' && Date.parse(connection.at) - Date.parse(connection.since) >= DAEMON_GONE_MS;

/** The header's second row while not connected: why, and — the daemon gone — how to start it (the TUI keeps trying, and comes back by itself). */
export function connectionDetail(connection: ConnectionStatus): string | null {
  if (connection.kind === 'failed') return connection.reason;
  if (connection.kind !== 'reconnecting') return null;
  return daemonGone(connection) ? 'start it with `axum daemon start` (in a shell): this screen comes back by itself' : connection.reason;
}

/** One word for the header. */
export function connectionLabel(connection: ConnectionStatus): string {
  switch (connection.kind) {
    case 'connecting':
      return 'connecting…';
    case 'connected':
      return 'connected';
    case 'reconnecting':
      return `STALE since ${connection.since.slice(11, 19)}: ${daemonGone(connection) ? 'the daemon is not running; retrying' : 'disconnected, reconnecting…'}`;
    case 'failed':
      return 'cannot connect';
  }
}

/** How long a refusal or an error holds the footer against routine notices, and how long a local action's notice lasts. */
export const NOTICE_HOLD_MS = 10_000;

/** `high`: a refusal, a failure or a warning — a routine notice does not replace it until a key is pressed or NOTICE_HOLD_MS pass (lazygit). */
export type NoticeLevel = 'high' | 'normal';

/** A notice off the wire (another terminal's act, a warning) in words that say it is a refusal or a failure. */
export const levelOf = (message: string): NoticeLevel => (/^warning:|^no answer:|refused|FAILED|failed|did not go live|^daemon stopping/.test(message) ? 'high' : 'normal');

/** What the footer shows, and how long it holds. */
export interface NoticeFields {
  notice: string | null;
  /** The screen a notice is about, or null: it goes when the screen changes (and, being a local action's, after NOTICE_HOLD_MS). */
  noticeScope: string | null;
  noticeLevel: NoticeLevel;
  /** Bumped with every notice: a timer started for one notice expires only that one. */
  noticeId: number;
  /** The newest notice from elsewhere that came while a refusal held the footer: shown when the hold ends, never dropped. */
  pendingNotice: string | null;
}

/**
 * The footer after a notice: a local action's notice (`scope`, the screen it was made on) goes with
 * that screen or after NOTICE_HOLD_MS; a routine one does not replace a held refusal: it waits
 * (`pendingNotice`) and shows when the hold ends — another terminal's deploy is never left unsaid.
 */
export function withNotice(state: NoticeFields, message: string, level: NoticeLevel, scope: string | null): NoticeFields {
  if (level === 'normal' && state.noticeLevel === 'high' && state.notice !== null && scope === null) return { ...fieldsOf(state), pendingNotice: message };
  // What waits goes on waiting behind a notice of this terminal or another refusal; a newer notice from elsewhere takes its place.
  return { notice: message, noticeScope: scope, noticeLevel: level, noticeId: state.noticeId + 1, pendingNotice: level === 'normal' && scope === null ? null : state.pendingNotice };
}

/**
 * The footer once its notice has had its time (the hold ended, a key was pressed, the screen a
 * local notice was about went): the notice that waited, else the notice goes (`keep`: a held one
 * from elsewhere stays, no longer holding, as every notice from elsewhere stays until the next).
 */
export function releaseNotice(state: NoticeFields, keep: boolean): NoticeFields {
  if (state.pendingNotice !== null) return { notice: state.pendingNotice, noticeScope: null, noticeLevel: 'normal', noticeId: state.noticeId + 1, pendingNotice: null };
  return keep ? { ...fieldsOf(state), noticeLevel: 'normal' } : { ...fieldsOf(state), notice: null, noticeScope: null, noticeLevel: 'normal' };
}

/**
 * After the key that ended a hold, whose release showed notice `id` (`message`, what waited): if the
 * key made a notice of its own, what waited waits again behind it, to show when that one expires or
 * its screen goes, rather than be replaced in the same moment and never seen.
 */
export function rewaitNotice(state: NoticeFields, message: string, id: number): NoticeFields {
  if (state.noticeId === id || state.notice === message || state.pendingNotice !== null) return fieldsOf(state);
  return { ...fieldsOf(state), pendingNotice: message };
}

/** NOTICE_HOLD_MS after notice `id`: a local action's notice goes, a held refusal stops holding; what waited shows. */
export function expireNotice<S extends NoticeFields>(state: S, id: number): S {
  if (state.noticeId !== id) return state;
  if (state.noticeScope === null && state.noticeLevel !== 'high') return state;
  return { ...state, ...releaseNotice(state, state.noticeScope === null) };
}

const fieldsOf = (state: NoticeFields): NoticeFields => ({ notice: state.notice, noticeScope: state.noticeScope, noticeLevel: state.noticeLevel, noticeId: state.noticeId, pendingNotice: state.pendingNotice });

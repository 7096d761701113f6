// The TUI's state, actions, screens, dialogs and pending actions: the shapes the reducer (tui-state.ts) works on.
import type { DaemonState, Delta, ReleaseListing, RevisionView } from '@axum/protocol';
import type { NoticeLevel } from './notices.js';
import type { EventEntry } from './event-log.js';

/** How the TUI's link to the daemon stands. */
export type ConnectionStatus =
  | { kind: 'connecting' }
  | { kind: 'connected'; clientId: string }
  /** `since`: the first loss; `at`: the latest attempt (the two say how long the daemon has been gone). */
  | { kind: 'reconnecting'; attempt: number; reason: string; retryInMs: number; since: string; at: string }
  | { kind: 'failed'; reason: string };

/** Which screen is up. */
export type View =
  | { kind: 'dashboard' }
  | {
      kind: 'run';
      /** A run (`run-12`), or a revision's operations (`production#7`): its deploy hook, verify steps and monitor checks. */
      runId: string;
      step: number;
      /** First shown log line, numbered from the log's first line (it stays on its line while older ones scroll out of the buffer); null follows the tail. */
      scroll: number | null;
      /** A step to select by name once the revision's steps are loaded (opened from an incident). */
      wantStep?: string;
    }
  /** `want`: the revision to put the cursor on once the history is loaded (the serving one, as the view opens). */
  | { kind: 'history'; env: string; selected: number; want?: number }
  /** Every release, newest first (`R`): where each is live and verified, its bad mark; `b`/`u` mark it and clear the mark. */
  | { kind: 'releases'; selected: number };

/** A destructive action waiting for a confirmation: `y`, or the typed environment name when protected. */
export interface Confirm {
  title: string;
  details: string[];
  /** What must be typed; null means `y`/`n`. */
  typed: string | null;
  input: string;
  /**
   * The last Enter's text did not match `typed`: said in the dialog, which stays open with its input
   * cleared (a dialog that closed would send the retyped name to the view's keys).
   */
  mismatch?: string;
  /** A free-text reason typed into `input` (a bad mark's why): Enter confirms, an empty one is `fallback`. */
  reason?: { fallback: string };
  /** A rollback's, an approve's or a promote's pre-action diff, shown after the first detail: the part that shrinks to fit the terminal. */
  diff?: string[];
  action: PendingAction;
  /**
   * The environments it was asked about, as they stood (`confirm-watch.ts`): when they change before
   * it is answered, it closes and nothing is done (`key` asks again, on what is true then).
   */
  watch?: { envs: string[]; shown: string; key: string };
}

/** Requests the app sends to the daemon once confirmed (or at once for harmless ones). */
export type PendingAction =
  /** `to`: null asks for the last known good; once confirmed it is the revision the dialog showed (`releaseId` its release). */
  | { kind: 'rollback'; env: string; to: number | null; force: boolean; releaseId?: string }
  /** `releaseId`: the release the confirmation showed; the daemon refuses when another stands there by then. */
  | { kind: 'approve'; env: string; releaseId?: string }
  | { kind: 'pin'; env: string; pinned: boolean }
  | { kind: 'trigger'; branch: string }
  | { kind: 'cancel'; runId: string }
  /** Deploys `from`'s live release to `to` (build once, promote). */
  | { kind: 'promote'; from: string; to: string; releaseId: string; force: boolean }
  | { kind: 'mark'; releaseId: string; mark: 'good' | 'bad'; reason: string | null };

/** Everything the TUI renders. Changed only by `reduce`. */
export interface TuiState {
  connection: ConnectionStatus;
  /** The daemon's state as of the last snapshot and deltas; null before the first snapshot. */
  daemon: DaemonState | null;
  helpOpen: boolean;
  /** The event log overlay (`e`): what every terminal did, with who and when. */
  eventsOpen: boolean;
  /** The selected entry of the event log (an index into the kept ones, oldest first); null: the newest, kept as entries arrive. */
  eventsSelected: number | null;
  view: View;
  /** The views the current one was opened from, the last one under it: where Esc goes back to (view-stack.ts). */
  behind: View[];
  /** Which dashboard list the selection keys move in. */
  focus: 'environments' | 'runs';
  /** Index of the highlighted environment. */
  selected: number;
  /** Index of the highlighted row of the runs list (newest first; a row may fold superseded runs: run-rows.ts). */
  selectedRun: number;
  /** The runs Enter unfolded from a row of superseded runs: each a row of its own from then on. */
  unfolded: string[];
  histories: Record<string, RevisionView[]>;
  /** Releases marked bad (who and why), as of the last `releases.list`: rollback refuses them before asking. */
  bad: Record<string, { by: string; why: string }>;
  /** The last `releases.list`, newest first (the releases view); null before the first. */
  releases: ReleaseListing[] | null;
  confirm: Confirm | null;
  /** A short message shown in the footer until the next one. */
  notice: string | null;
  /** The screen a local action's notice is about, or null: it goes when the screen changes or after NOTICE_HOLD_MS. */
  noticeScope: string | null;
  /** A refusal or an error holds the footer against routine notices until a key or NOTICE_HOLD_MS (notices.ts). */
  noticeLevel: NoticeLevel;
  /** Bumped with every notice (the App's expiry timer names the one it expires). */
  noticeId: number;
  /** A notice from elsewhere that came while a refusal held the footer: shown when the hold ends (notices.ts). */
  pendingNotice: string | null;
  /** The event log's entries the daemon does not keep: this terminal's refusals, environments' moves, the activity before a restart. */
  localEvents: EventEntry[];
  /** The dashboard's filter (`/`): both lists show only rows containing `text`, applied as typed. */
  filter: { editing: boolean; text: string };
  /** The log search of the run view: typing (`/`) and the last query (`n`/`N`). */
  search: {
    editing: boolean;
    input: string;
    query: string | null;
    /** Where the last `n`/`N` (or Enter) landed among the matching lines, for the run view's status line (`match 3 of 17`), and in which log. */
    match?: { index: number; total: number; runId: string; step: number; line?: number } | null;
  };
  /** Long log lines wrap instead of being cut at the terminal's width. */
  wrap: boolean;
  /** Each log line shows when it was printed (from the daemon's side index). */
  timestamps: boolean;
}

/** Everything that can happen to the TUI's state. Dotted lowercase names, as in XState. */
export type TuiAction =
  /** `at`: when it connected (the event log's line for it). */
  | { type: 'connection.connected'; clientId: string; state: DaemonState; at?: string }
  | { type: 'connection.lost'; attempt: number; reason: string; retryInMs: number; at: string }
  | { type: 'connection.failed'; reason: string }
  /** `at`: when it arrived (an environment's move becomes an event log entry at that time). */
  | { type: 'daemon.delta'; delta: Delta; at?: string }
  | { type: 'daemon.stopping'; reason: string; at?: string }
  | { type: 'help.toggle' }
  | { type: 'events.toggle' }
  /** Moves the event log's selection: by entries, or to the oldest (`top`) or newest (`bottom`). */
  | { type: 'events.move'; by: number | 'top' | 'bottom' }
  | { type: 'back' }
  | { type: 'focus.toggle' }
  | { type: 'selection.move'; by: number }
  | { type: 'open' }
  /** Opens a revision's operations (from an incident: at the step behind it). */
  | { type: 'operation.open'; runId: string; step: string | null }
  /**
   * `from`, `min`, `max`: the first line on screen and the bounds of the kept lines (absolute
   * numbers), when the view knows them: scrolling up from the tail starts at the lines shown.
   */
  | { type: 'log.scroll'; by: number | 'top' | 'bottom'; pageRows?: number; from?: number; min?: number; max?: number }
  | { type: 'history.loaded'; env: string; revisions: RevisionView[] }
  | { type: 'releases.loaded'; releases: ReleaseListing[] }
  | { type: 'releases.open' }
  | { type: 'confirm.open'; confirm: Omit<Confirm, 'input'> }
  | { type: 'confirm.key'; input: string; backspace: boolean }
  | { type: 'confirm.mismatch'; message: string }
  /** `forAction`: the confirmation the details were loaded for; another one open by now is left alone. */
  | { type: 'confirm.details'; details: string[]; diff?: string[]; forAction?: PendingAction }
  | { type: 'confirm.close' }
  /**
   * A local action's notice: it goes with the screen or after NOTICE_HOLD_MS, unless `sticky` (an
   * action under way, the demo's story). `level` high: a refusal or an error. `log`: also an event
   * log entry of this terminal's (a refusal that never reached the daemon), at `at`.
   */
  /** `log`: kept in the event log too, as `log` says when it is a string (else as the notice says). */
  | { type: 'notice'; message: string; level?: NoticeLevel; sticky?: boolean; log?: boolean | string; at?: string }
  /** NOTICE_HOLD_MS after notice `id`; a key pressed (`seen`) ends a refusal's hold at once. */
  | { type: 'notice.expire'; id: number }
  | { type: 'notice.seen' }
  /** After the key that ended a hold (`notice.seen` made notice `id`): what waited waits again if the key made a notice of its own. */
  | { type: 'notice.rewait'; message: string; id: number }
  | { type: 'filter.start' }
  | { type: 'filter.key'; input: string; backspace: boolean }
  /** Enter keeps the filter (`clear` false); Esc while typing, or on a filtered dashboard, clears it. */
  | { type: 'filter.done'; clear: boolean }
  | { type: 'search.start' }
  | { type: 'search.key'; input: string; backspace: boolean }
  | { type: 'search.done'; commit: boolean }
  | { type: 'search.match'; index: number; total: number; line?: number }
  | { type: 'log.goto'; line: number }
  | { type: 'wrap.toggle' }
  | { type: 'timestamps.toggle' }
  | { type: 'step.first-failed' };


// The TUI's screens, dialogs and pending actions: the shapes the reducer (tui-state.ts) works on.

/** How the TUI's link to the daemon stands. */
export type ConnectionStatus =
  | { kind: 'connecting' }
  | { kind: 'connected'; clientId: string }
  | { kind: 'reconnecting'; attempt: number; reason: string; retryInMs: number; since: string }
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
  /** Every release, newest first (`R`): where each is live and verified, its bad mark; `b`/`g` mark it. */
  | { kind: 'releases'; selected: number; from?: View };

/** A destructive action waiting for a confirmation: `y`, or the typed environment name when protected. */
export interface Confirm {
  title: string;
  details: string[];
  /** What must be typed; null means `y`/`n`. */
  typed: string | null;
  input: string;
  /** A free-text reason typed into `input` (a bad mark's why): Enter confirms, an empty one is `fallback`. */
  reason?: { fallback: string };
  /** A rollback's pre-action diff, shown after the first detail: the part that shrinks to fit the terminal. */
  diff?: string[];
  action: PendingAction;
}

/** Requests the app sends to the daemon once confirmed (or at once for harmless ones). */
export type PendingAction =
  | { kind: 'rollback'; env: string; to: number | null; force: boolean }
  | { kind: 'approve'; env: string }
  | { kind: 'pin'; env: string; pinned: boolean }
  | { kind: 'trigger'; branch: string }
  | { kind: 'cancel'; runId: string }
  /** Deploys `from`'s live release to `to` (build once, promote). */
  | { kind: 'promote'; from: string; to: string; releaseId: string; force: boolean }
  | { kind: 'mark'; releaseId: string; mark: 'good' | 'bad'; reason: string | null };

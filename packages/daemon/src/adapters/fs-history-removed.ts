// `rm -rf .axum` (or `git clean -xdf`) under a running daemon takes its history with it; the daemon
// stops (start-up.ts). The next command starts a daemon on an empty history, which would read as if
// nothing had ever run. So the stopping daemon leaves a note in the runtime folder (outside `.axum`,
// private to the user, computed from the repository's path), and the next daemon says it once, as a
// warning every client sees (`axum status` prints it).
import { existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';

const NOTE = 'history-removed.json';

/** Remembers which `.axum` folder this daemon started on: `removed()` is true once it is gone, or another folder stands in its place. */
function historyFolderWatch(stateDir: string): { removed(): boolean } {
  const inode = statSync(stateDir).ino;
  return {
    removed() {
      try {
        return statSync(stateDir).ino !== inode;
      } catch {
        return true;
      }
    },
  };
}

/** Leaves the note for the next daemon: which one stopped, and when. Best effort: a stop never fails on it. */
function leaveHistoryRemovedNote(runtimeDir: string, pid: number, at: Date): void {
  try {
    if (existsSync(runtimeDir)) writeFileSync(join(runtimeDir, NOTE), JSON.stringify({ pid, at: at.toISOString() }), { mode: 0o600 });
  } catch {
    // the runtime folder went too: nothing to say it with
  }
}

/** The warning a previous daemon's note asks for (the note is taken: said once), or null. */
function takeHistoryRemovedNote(runtimeDir: string, stateDirName: string): string | null {
  const file = join(runtimeDir, NOTE);
  let note: { pid?: unknown; at?: unknown };
  try {
    note = JSON.parse(readFileSync(file, 'utf8')) as typeof note;
  } catch {
    return null;
  } finally {
    rmSync(file, { force: true });
  }
  const at = typeof note.at === 'string' ? `${note.at.slice(0, 10)} ${note.at.slice(11, 16)} UTC` : 'an unknown time';
  const pid = typeof note.pid === 'number' ? ` (pid ${note.pid})` : '';
  return `${stateDirName}/ was removed under the previous daemon${pid} at ${at}: it stopped, and this daemon started with an empty history — the runs, releases and revisions from before are gone (a backup brings them back: axum daemon stop, then axum restore --from TARGET)`;
}

/**
 * The daemon's side of it: `leaveIfRemoved` when its lock is lost (a note only when the `.axum` it
 * started on is gone), `take` at start (the warning to publish, or null).
 */
export function historyRemovalNotes(stateDir: string, runtimeDir: string): { leaveIfRemoved: () => void; take: () => string | null } {
  const folder = historyFolderWatch(stateDir);
  return {
    leaveIfRemoved: () => {
      if (folder.removed()) leaveHistoryRemovedNote(runtimeDir, process.pid, new Date());
    },
    take: () => takeHistoryRemovedNote(runtimeDir, basename(stateDir)),
  };
}

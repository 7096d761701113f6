// `rm -rf .axum` (or `git clean -xdf`) under a running daemon takes its history with it; the daemon
// stops (start-up.ts). The next command starts a daemon on an empty history, which would read as if
// nothing had ever run. So the stopping daemon leaves a note in the runtime folder (outside `.axum`,
// private to the user, computed from the repository's path), and the next daemon says it once, as a
// warning every client sees (`axum status` prints it).
//
// Whether the folder was removed is decided by the next daemon, not the stopping one: the stopping
// one sees its lock gone while `git clean` may still be emptying the folder (the lock file goes
// first, the folder last), and a folder made again may get the removed one's inode number. A random
// id written inside the folder when it is made names it: the next daemon compares the id the note
// carries with the one it finds.
import { randomUUID } from 'node:crypto';
import { closeSync, constants, existsSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { basename, join } from 'node:path';
import { openNoFollow } from '@axum/protocol';

const NOTE = 'history-removed.json';
/** Inside `.axum`: the folder's own id, written once when a daemon first starts on it. */
export const FOLDER_ID = 'folder-id';

/** The id of the `.axum` folder as found (null: none yet, a folder just made), and the id it has from now on. */
function folderId(stateDir: string): { found: string | null; id: string } {
  const file = join(stateDir, FOLDER_ID);
  try {
    const fd = openSync(file, constants.O_RDONLY | constants.O_NOFOLLOW);
    try {
      const found = readFileSync(fd, 'utf8').trim();
      if (found) return { found, id: found };
    } finally {
      closeSync(fd);
    }
  } catch {
    // none yet, or unreadable: a new id (a folder not named is taken for a new one)
  }
  const id = randomUUID();
  try {
    const fd = openNoFollow(file, 'w', 0o600);
    try {
      writeSync(fd, `${id}\n`);
    } finally {
      closeSync(fd);
    }
  } catch {
    // best effort: the next daemon then finds no id, as after a removal, and says so
  }
  return { found: null, id };
}

/** Leaves the note for the next daemon: which one stopped, when, and on which folder. Best effort: a stop never fails on it. */
function leaveLockLostNote(runtimeDir: string, note: { pid: number; at: Date; folder: string }): void {
  try {
    if (existsSync(runtimeDir)) writeFileSync(join(runtimeDir, NOTE), JSON.stringify({ pid: note.pid, at: note.at.toISOString(), folder: note.folder }), { mode: 0o600 });
  } catch {
    // the runtime folder went too: nothing to say it with
  }
}

/**
 * The warning a previous daemon's note asks for (the note is taken: said once), or null: none when
 * the folder this daemon found is the one the note names (only the lock file went). A note without
 * a folder (a daemon before the id) was left only when that daemon judged the folder removed.
 */
function takeLockLostNote(runtimeDir: string, stateDirName: string, found: string | null): string | null {
  const file = join(runtimeDir, NOTE);
  let note: { pid?: unknown; at?: unknown; folder?: unknown };
  try {
    note = JSON.parse(readFileSync(file, 'utf8')) as typeof note;
  } catch {
    return null;
  } finally {
    rmSync(file, { force: true });
  }
  if (typeof note.folder === 'string' && note.folder === found) return null;
  const at = typeof note.at === 'string' ? `${note.at.slice(0, 10)} ${note.at.slice(11, 16)} UTC` : 'an unknown time';
  const pid = typeof note.pid === 'number' ? ` (pid ${note.pid})` : '';
  return `${stateDirName}/ was removed under the previous daemon${pid} at ${at}: it stopped, and this daemon started with an empty history — the runs, releases and revisions from before are gone (a backup brings them back: axum daemon stop, then axum restore --from TARGET)`;
}

/**
 * The daemon's side of it, made once the lock is held: `leaveNote` when its lock is lost (the
 * folder's id, whatever became of it), `take` at start (the warning to publish, or null).
 */
export function historyRemovalNotes(stateDir: string, runtimeDir: string, pid = process.pid): { leaveNote: () => void; take: () => string | null } {
  const { found, id } = folderId(stateDir);
  return {
    leaveNote: () => leaveLockLostNote(runtimeDir, { pid, at: new Date(), folder: id }),
    take: () => takeLockLostNote(runtimeDir, basename(stateDir), found),
  };
}

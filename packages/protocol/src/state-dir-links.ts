import { constants, lstatSync, openSync, readdirSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';

// `.axum/` sits in the working tree, so a cloned repository can commit it: a link there (the folder
// itself, `daemon.log`, `runs`, …) would make Axum append its log to `~/.bashrc` or write its
// records anywhere the user can write. Axum follows no link there: the folder and what it holds at
// its top are checked with `lstat` before a daemon starts, and every file Axum creates or appends
// to inside it is opened with O_NOFOLLOW, so a link planted later still fails (ELOOP) instead.

const OPEN_FLAGS = {
  a: constants.O_WRONLY | constants.O_CREAT | constants.O_APPEND,
  w: constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC,
  wx: constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL,
} as const;

/** What is wrong with a link found where Axum keeps its state, and what to do. */
export function stateLinkProblem(path: string): string {
  let target = '';
  try {
    target = ` to ${readlinkSync(path)}`;
  } catch {
    // gone meanwhile, or unreadable: the path alone says it
  }
  return `${path} is a symbolic link${target}: Axum never follows a link in its state folder (a cloned repository can plant one to make it write elsewhere); remove the link (rm ${path}) and run the command again`;
}

/**
 * Null when `stateDir` (`<repo>/.axum`) is missing or a real folder holding no link at its top;
 * otherwise what to remove. Only the top is listed (a start must stay fast): deeper files are
 * opened with {@link openNoFollow}.
 */
export function stateDirLinkProblem(stateDir: string): string | null {
  try {
    if (lstatSync(stateDir).isSymbolicLink()) return stateLinkProblem(stateDir);
    const link = readdirSync(stateDir, { withFileTypes: true }).find((entry) => entry.isSymbolicLink());
    return link ? stateLinkProblem(join(stateDir, link.name)) : null;
  } catch {
    // Missing (the daemon makes it), a file, or unreadable: its own errors say so where it is used.
    return null;
  }
}

/**
 * `openSync` that never follows a link at `file` itself: `a` appends, `w` truncates, `wx` only
 * creates. A link there fails with ELOOP and a message naming it and what to do.
 */
export function openNoFollow(file: string, flags: keyof typeof OPEN_FLAGS, mode = 0o600): number {
  try {
    return openSync(file, OPEN_FLAGS[flags] | constants.O_NOFOLLOW, mode);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ELOOP') throw err;
    throw Object.assign(new Error(stateLinkProblem(file)), { code: 'ELOOP', path: file });
  }
}

import { constants, fstatSync, lstatSync, mkdirSync, openSync, readdirSync, readlinkSync, type Stats } from 'node:fs';
import { dirname, join, parse, resolve, sep } from 'node:path';
import { STATE_DIR } from './discovery.js';

// `.axum/` sits in the working tree, so a cloned repository can commit it: a link there (the folder
// itself, `daemon.log`, `runs`, …) would make Axum append its log to `~/.bashrc` or write its
// records anywhere the user can write. Axum follows no link there: the folder and what it holds at
// its top are checked with `lstat` before a daemon starts, and every file Axum creates or appends
// to inside it is opened with O_NOFOLLOW, so a link planted later still fails (ELOOP) instead. A
// link planted later deeper down (a branch checked out that commits `.axum/runs/run-9` as a link:
// git writes tracked files over ignored ones) would still be followed by `mkdir -p` on the way to
// such a file, so folders there are made with {@link mkdirNoFollow}, one level at a time.

const OPEN_FLAGS = {
  a: constants.O_WRONLY | constants.O_CREAT | constants.O_APPEND,
  w: constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC,
  wx: constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL,
} as const;

/** What is wrong with a link found where Axum keeps its state, and what to do. */
export function stateLinkProblem(path: string): string {
  const { problem, fix } = linkWords(path);
  return `${problem}; ${fix}`;
}

function linkWords(path: string): { problem: string; fix: string } {
  let target = '';
  try {
    target = ` to ${readlinkSync(path)}`;
  } catch {
    // gone meanwhile, or unreadable: the path alone says it
  }
  const problem = `${path} is a symbolic link${target}: Axum never follows a link in its state folder (a cloned repository can plant one to make it write elsewhere)`;
  return { problem, fix: `remove the link (rm ${path}) and run the command again` };
}

/**
 * The error of a write refused in the state folder: `message` is `problem; fix`, and `fix` is kept
 * apart too, so a refusal that wraps it (`… could not be recorded: problem (fix)`) says each once.
 */
function stateError(code: 'ELOOP' | 'ESTALE', path: string, words: { problem: string; fix: string }): Error {
  return Object.assign(new Error(`${words.problem}; ${words.fix}`), { code, path, fix: words.fix });
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
    throw stateError('ELOOP', file, linkWords(file));
  }
}

/**
 * `mkdir -p` that follows no link inside Axum's state folder: from the first `.axum` in `dir`'s path
 * down, each level (`.axum` itself included) is made or found, then checked with `lstat`; a link
 * throws ELOOP naming it, something else than a folder ENOTDIR. The first `.axum`, not the last:
 * a deeper one (an artifact's or a backed-up file's own path) must not start the walk below a link.
 * The levels above `.axum`, and a `dir` outside any state folder (an environment's own `path:`, a
 * backup target), are the user's: made as `mkdir -p` makes them, links followed (a model folder on
 * another disk may be one). What this guards against is a link git or a careless hand put there
 * (a repository kept inside a folder named `.axum` is checked from there: a link below it is refused
 * too), not a race with another process of the same user. Folders made from `.axum` down are
 * 0700 unless `mode` says otherwise: what a step saved private stays so there.
 */
export function mkdirNoFollow(dir: string, mode?: number): void {
  walkState(dir, true, mode);
}

/**
 * Throws as {@link mkdirNoFollow} does when a level of `dir` from its state folder down is a link
 * or no folder, making nothing: called before each write into a folder made earlier, which a branch
 * checked out since may have replaced with a link (git writes tracked files over ignored ones).
 */
export function assertNoStateLinks(dir: string): void {
  walkState(dir, false);
}

/**
 * `fd`, once it is checked to still be the file at `file`, in folders from the state folder down
 * that are no links: a file kept open (the runs journal) is otherwise written on after its folder
 * was moved aside or swapped for a link (git replaces an ignored folder so), and those lines are
 * lost, as no start reads them there. Throws ELOOP naming the link and the `rm` that fixes it, or
 * ESTALE when the file was moved, removed or replaced otherwise; either way nothing is written.
 * An lstat per level and one fstat: little beside the write's fsync.
 */
export function assertStillOpenAt(fd: number, file: string): number {
  try {
    assertNoStateLinks(dirname(file));
  } catch (err) {
    // A folder removed, or replaced by a file: the open file is no longer there either (a refusal, not a bug).
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw staleError(file);
    throw err;
  }
  let here: Stats | null = null;
  try {
    here = lstatSync(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  if (here?.isSymbolicLink()) throw stateError('ELOOP', file, linkWords(file));
  const open = fstatSync(fd);
  if (here !== null && here.dev === open.dev && here.ino === open.ino) return fd;
  throw staleError(file);
}

function staleError(file: string): Error {
  const problem = `${file} is no longer the file Axum has open (it or a folder above it was moved, removed or replaced while the daemon ran): nothing was written to it`;
  // A restart reads what is there: what changed since the swap, kept in memory only, is not saved.
  return stateError('ESTALE', file, { problem, fix: 'put it back, or restart the daemon (axum daemon restart) to go on from what is there (what changed since is not saved)' });
}

function walkState(dir: string, create: boolean, mode?: number): void {
  const absolute = resolve(dir);
  const root = parse(absolute).root;
  const parts = absolute.slice(root.length).split(sep);
  const state = parts.indexOf(STATE_DIR);
  if (state < 0) {
    if (create) mkdirSync(absolute, { recursive: true, mode });
    return;
  }
  let at = root + parts.slice(0, state).join(sep);
  if (create) mkdirSync(at, { recursive: true });
  for (const part of parts.slice(state)) {
    at = join(at, part);
    if (create) {
      try {
        mkdirSync(at, { mode: mode ?? 0o700 });
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
    }
    const found = lstatSync(at);
    if (found.isSymbolicLink()) throw stateError('ELOOP', at, linkWords(at));
    if (!found.isDirectory()) throw Object.assign(new Error(`${at} is not a folder: Axum keeps its state in folders there (move it aside and run the command again)`), { code: 'ENOTDIR', path: at });
  }
}

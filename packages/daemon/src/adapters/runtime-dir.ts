import { randomBytes } from 'node:crypto';
import { closeSync, fchmodSync, lstatSync, mkdirSync, openSync, renameSync, rmSync, type Stats } from 'node:fs';
import { octal, privateDirProblem, type RuntimePaths } from '@axum/protocol';
import type { GitPort } from '../engine/ports.js';
import { writeAll } from './fs-errors.js';

/**
 * Creates a folder Axum uses outside `.axum/` (the runtime folder, its `work/`) with mode 0700, or
 * checks an existing one, before every use: it must be ours, a real folder (not a symlink someone
 * planted in /tmp) and no wider than 0700, else it is refused with what to do, never used.
 */
export function securePrivateDir(dir: string, label: string): void {
  if (privateDirProblem(dir) === 'missing') mkdirSync(dir, { recursive: true, mode: 0o700 });
  const problem = privateDirProblem(dir, { label });
  if (problem !== null) throw new Error(problem === 'missing' ? `${dir} vanished as it was made; refusing to use it` : problem);
}

/** How messages name the runtime folder: people know it as the socket's folder. */
export const SOCKET_FOLDER = 'socket folder';

/** The runtime folder, made or checked as {@link securePrivateDir} does, its per-user base in /tmp first. */
export function secureRuntimeDir(paths: RuntimePaths): void {
  if (paths.base !== null) securePrivateDir(paths.base, SOCKET_FOLDER);
  securePrivateDir(paths.dir, SOCKET_FOLDER);
}

/**
 * The git port with every new worktree's folders checked first: the runtime folder and its
 * `work/` are checked again before each run or deploy checks out (or resets a kept worktree), so a folder that changed owner
 * or mode since start is refused, not written into.
 */
export function guardWorktrees(git: GitPort, paths: RuntimePaths): GitPort {
  return {
    ...git,
    async addWorktree(commit, dir) {
      secureRuntimeDir(paths);
      securePrivateDir(paths.workDir, 'worktree folder');
      await git.addWorktree(commit, dir);
    },
    async resetWorktree(commit, dir) {
      secureRuntimeDir(paths);
      securePrivateDir(paths.workDir, 'worktree folder');
      await git.resetWorktree(commit, dir);
    },
  };
}

/**
 * Writes a fresh random token to a 0600 file: a temp file created exclusively (never through an
 * existing file), renamed over the old one, so a start that fails midway (a full disk) leaves no
 * empty or half token behind, and its temp file is removed. A token file already there (left by a
 * daemon that was killed) that group or others may read or write means a token may have leaked and
 * someone widened the file: we refuse to start rather than repair it silently (main.ts leaves such
 * a file in place). `write` is the write of the bytes (a test makes it fail as a full disk does).
 */
export function writeTokenFile(file: string, write: (fd: number, text: string) => void = (fd, text) => writeAll(fd, Buffer.from(text))): string {
  const previous = lstatOrNull(file);
  if (previous?.isFile() && (previous.mode & 0o077) !== 0) {
    throw new Error(`token file ${file} has mode ${octal(previous.mode)}, wider than 0600; refusing to start (run: chmod 600 ${file})`);
  }
  const token = randomBytes(32).toString('base64url');
  const temp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
  const fd = openSync(temp, 'wx', 0o600);
  try {
    write(fd, `${token}\n`);
    fchmodSync(fd, 0o600); // in case the umask was ignored
  } catch (err) {
    closeSync(fd);
    rmSync(temp, { force: true });
    throw err;
  }
  closeSync(fd);
  renameSync(temp, file);
  return token;
}

function lstatOrNull(file: string): Stats | null {
  try {
    return lstatSync(file);
  } catch {
    return null;
  }
}

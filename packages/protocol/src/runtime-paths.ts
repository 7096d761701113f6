import { createHash } from 'node:crypto';
import { lstatSync, type Stats } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Where a repository's daemon keeps what lives outside `.axum/`: its socket, its token and the run
 * worktrees. Computed from the repository path alone, by the daemon and its clients alike, so
 * nothing in the repository (a cloned `.axum/daemon.json`) can point a client elsewhere.
 */
export interface RuntimePaths {
  /** The per-user runtime folder: 0700, ours, never a symlink. */
  dir: string;
  /** The per-user folder `dir` is made in when that is a shared temporary folder: checked as `dir` is; else null. */
  base: string | null;
  socket: string;
  tokenFile: string;
  /** Run and deploy worktrees: inside `dir`, so no other user can create or swap them. */
  workDir: string;
}

// sockaddr_un.sun_path is 108 bytes on Linux (104 on macOS); stay well under it.
const MAX_SOCKET_PATH = 100;

/** Our uid; 0 where the platform has none (Windows), which the owner checks then compare against. */
export function currentUid(): number {
  return typeof process.getuid === 'function' ? process.getuid() : 0;
}

/** The short key of a repository (hash of its root path), shared by the runtime folder and step markers. */
export function repositoryKey(repoRoot: string): string {
  return createHash('sha256').update(repoRoot).digest('hex').slice(0, 16);
}

/**
 * The runtime folder of one repository's daemon, keyed by a hash of its path so a 200-character
 * repository path still gives a short socket path: `$AXUM_RUNTIME_DIR/axum-<uid>-<hash>`, else
 * `$XDG_RUNTIME_DIR/axum-<uid>-<hash>`, else `$HOME/.cache/axum/run/<hash>` — never a name another
 * user can guess and make first in a shared /tmp (the folder is then refused as not ours: a denial
 * of service). Where the home path is too long for a socket, `<tmp>/axum-<uid>/<hash>`, whose base
 * (`base`) must pass the same owner check as the folder, as whoever owns it could swap the folder.
 */
export function runtimePathsFor(repoRoot: string, env: NodeJS.ProcessEnv = process.env, uid: number = currentUid()): RuntimePaths {
  const key = repositoryKey(repoRoot);
  const name = `axum-${uid}-${key}`;
  const userBase = join(tmpdir(), `axum-${uid}`);
  const candidates: [string, string | null][] = [
    ...[env.AXUM_RUNTIME_DIR, env.XDG_RUNTIME_DIR].filter((d): d is string => !!d).map((base): [string, null] => [join(base, name), null]),
    ...(env.HOME ? [[join(env.HOME, '.cache', 'axum', 'run', key), null] as [string, null]] : []),
    [join(userBase, key), userBase],
  ];
  for (const [dir, base] of candidates) {
    const socket = join(dir, 'daemon.sock');
    if (Buffer.byteLength(socket) < MAX_SOCKET_PATH) return { dir, base, socket, tokenFile: join(dir, 'token'), workDir: join(dir, 'work') };
  }
  throw new Error(`no runtime folder gives a socket path under ${MAX_SOCKET_PATH} bytes; set AXUM_RUNTIME_DIR to a short path`);
}

/**
 * Why a folder outside `.axum/` may not be used, or null when it may: it must be a real folder
 * (not a symlink someone planted in /tmp), ours, and no wider than 0700. The reason names the path
 * and what to do (`label` says which folder: the socket's, the worktrees'). A folder that does not
 * exist is reported as `missing` for the caller to create.
 */
export function privateDirProblem(dir: string, { uid = currentUid(), label = 'folder' }: { uid?: number; label?: string } = {}): 'missing' | string | null {
  const stat = lstatOrNull(dir);
  if (stat === null) return 'missing';
  if (stat.isSymbolicLink()) return `${dir} is a symlink, not a folder; refusing to use it (remove it: rm ${dir})`;
  if (!stat.isDirectory()) return `${dir} is not a folder; refusing to use it (remove it: rm ${dir})`;
  if (stat.uid !== uid) {
    return `${dir} belongs to uid ${stat.uid}, not to you (uid ${uid}); refusing to use it (another user may have made it: have it removed, or set AXUM_RUNTIME_DIR to a folder of your own)`;
  }
  if ((stat.mode & 0o077) !== 0) return `${label} ${dir} has mode ${octal(stat.mode)}, wider than 0700; refusing to use it (run: chmod 700 ${dir})`;
  return null;
}

/** Why a socket may not be sent our token, or null: it must be a socket (not a symlink) that we own. */
export function ownSocketProblem(socket: string, uid: number = currentUid()): string | null {
  const stat = lstatOrNull(socket);
  if (stat === null) return `no socket at ${socket}`;
  if (!stat.isSocket()) return `${socket} is not a socket; refusing to send it the token`;
  if (stat.uid !== uid) return `socket ${socket} belongs to uid ${stat.uid}, not to you (uid ${uid}); refusing to send it the token`;
  return null;
}

/** Why a token file may not be read, or null: a regular file (not a symlink to one of ours elsewhere) that we own. */
export function ownFileProblem(file: string, uid: number = currentUid()): string | null {
  const stat = lstatOrNull(file);
  if (stat === null) return `no file at ${file}`;
  if (!stat.isFile()) return `${file} is not a regular file; refusing to read it`;
  if (stat.uid !== uid) return `${file} belongs to uid ${stat.uid}, not to you (uid ${uid}); refusing to read it`;
  return null;
}

/** `0644`, as `ls -l` users and `chmod` read it. */
export function octal(mode: number): string {
  return `0${(mode & 0o777).toString(8).padStart(3, '0')}`;
}

function lstatOrNull(path: string): Stats | null {
  try {
    return lstatSync(path);
  } catch {
    return null;
  }
}

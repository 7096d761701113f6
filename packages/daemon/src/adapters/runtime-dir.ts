import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, lstatSync, mkdirSync, openSync, closeSync, writeSync, unlinkSync, type Stats } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Where a daemon's socket and token live. */
export interface RuntimePaths {
  dir: string;
  socket: string;
  tokenFile: string;
}

// sockaddr_un.sun_path is 108 bytes on Linux (104 on macOS); stay well under it.
const MAX_SOCKET_PATH = 100;

/**
 * The runtime folder of one repository's daemon: `<base>/axum-<uid>-<hash of repo path>`.
 * Keyed by a hash so a 200-character repository path still gives a short socket path.
 */
export function runtimePathsFor(repoRoot: string, env: NodeJS.ProcessEnv = process.env): RuntimePaths {
  const hash = createHash('sha256').update(repoRoot).digest('hex').slice(0, 16);
  const uid = typeof process.getuid === 'function' ? process.getuid() : 0;
  const name = `axum-${uid}-${hash}`;
  const candidates = [env.AXUM_RUNTIME_DIR, env.XDG_RUNTIME_DIR, tmpdir(), '/tmp'].filter((d): d is string => !!d);
  for (const base of candidates) {
    const dir = join(base, name);
    const socket = join(dir, 'daemon.sock');
    if (Buffer.byteLength(socket) < MAX_SOCKET_PATH) return { dir, socket, tokenFile: join(dir, 'token') };
  }
  throw new Error(`no runtime folder gives a socket path under ${MAX_SOCKET_PATH} bytes; set AXUM_RUNTIME_DIR to a short path`);
}

/** Where run worktrees go: outside the repository (tools walk up the tree looking for config). */
export function worktreeRootFor(repoRoot: string): string {
  const hash = createHash('sha256').update(repoRoot).digest('hex').slice(0, 16);
  const uid = typeof process.getuid === 'function' ? process.getuid() : 0;
  return join(tmpdir(), `axum-work-${uid}-${hash}`);
}

/**
 * Creates the runtime folder with mode 0700, or checks an existing one: it must be ours, a real
 * folder (not a symlink someone planted in /tmp) and no wider than 0700, else we refuse to start.
 */
export function secureRuntimeDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const stat = lstatSync(dir);
  if (!stat.isDirectory()) throw new Error(`${dir} is not a folder (a symlink?); refusing to use it`);
  const uid = typeof process.getuid === 'function' ? process.getuid() : stat.uid;
  if (stat.uid !== uid) throw new Error(`${dir} belongs to uid ${stat.uid}, not to us; refusing to use it`);
  if ((stat.mode & 0o077) !== 0) {
    throw new Error(`socket folder ${dir} has mode ${octal(stat.mode)}, wider than 0700; refusing to start (run: chmod 700 ${dir})`);
  }
}

/**
 * Writes a fresh random token to a 0600 file created exclusively (never through an existing file).
 * A token file already there (left by a daemon that was killed) that group or others may read or
 * write means a token may have leaked and someone widened the file: we refuse to start rather than
 * repair it silently (main.ts leaves such a file in place).
 */
export function writeTokenFile(file: string): string {
  const previous = lstatOrNull(file);
  if (previous?.isFile() && (previous.mode & 0o077) !== 0) {
    throw new Error(`token file ${file} has mode ${octal(previous.mode)}, wider than 0600; refusing to start (run: chmod 600 ${file})`);
  }
  const token = randomBytes(32).toString('base64url');
  try {
    unlinkSync(file);
  } catch {
    // no previous token
  }
  const fd = openSync(file, 'wx', 0o600);
  try {
    writeSync(fd, `${token}\n`);
  } finally {
    closeSync(fd);
  }
  chmodSync(file, 0o600);
  return token;
}

function lstatOrNull(file: string): Stats | null {
  try {
    return lstatSync(file);
  } catch {
    return null;
  }
}

/** `0644`, as `ls -l` users and `chmod` read it. */
function octal(mode: number): string {
  return `0${(mode & 0o777).toString(8).padStart(3, '0')}`;
}

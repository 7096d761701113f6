import { accessSync, constants, lstatSync, mkdirSync, readdirSync, statfsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { CliError, EXIT } from './exit-codes.js';

/** Filesystems that hold no files of ours: mkdir there fails, or (in /proc) spins for minutes. */
const PSEUDO_FILESYSTEMS = new Map([
  [0x9fa0, 'proc'],
  [0x62656572, 'sysfs'],
  [0x1cd1, 'devpts'],
  [0x27e0eb, 'cgroup'],
  [0x63677270, 'cgroup2'],
]);

/** The nearest folder on the way up that exists (the root exists). */
function nearestExisting(path: string): string {
  let at = path;
  for (;;) {
    try {
      lstatSync(at);
      return at;
    } catch {
      const up = dirname(at);
      if (up === at) return at;
      at = up;
    }
  }
}

const why = (err: unknown) => {
  const code = (err as NodeJS.ErrnoException).code;
  return code === 'ENOTDIR' ? 'a part of it is a file, not a folder' : code === 'EACCES' || code === 'EPERM' ? 'permission denied' : code === 'EROFS' ? 'the filesystem is read-only' : code === 'ENOSPC' ? 'the disk is full' : ((err as Error).message ?? String(err));
};

/**
 * `axum demo --dir DIR`: an empty folder we can write to, made if needed, and the topmost folder
 * the demo made for it (`--dir /a/b` with no `/a`: `/a`), which its clean-up removes: nothing of
 * the demo is left behind. Anything else is a usage error in one line, at once (never a stack
 * trace, never a hang on a pseudo-filesystem).
 */
export function prepareDemoDir(dir: string): { path: string; made: string | null } {
  const fail = (reason: string): never => {
    throw new CliError(`--dir ${dir === '' ? "''" : dir}: ${reason}; pass --dir with an empty folder you can write to (or leave it out for a temp folder)`, EXIT.usage);
  };
  // resolve('') is the current folder: an empty argument is a slip (an unset variable), not a choice.
  if (dir.trim() === '') fail('it names no folder');
  const path = resolve(dir);
  const existing = nearestExisting(path);
  const stat = lstatSync(existing);
  if (existing !== path && !stat.isDirectory()) fail(`${existing} is a file, not a folder`);
  try {
    const kind = PSEUDO_FILESYSTEMS.get(statfsSync(existing).type);
    if (kind || path === '/dev' || path.startsWith('/dev/')) fail(`${existing} is on ${kind ?? 'devtmpfs'}, which holds no project files`);
  } catch (err) {
    if (err instanceof CliError) throw err;
    fail(why(err));
  }
  let made: string | null = null;
  if (existing === path) {
    if (!stat.isDirectory()) fail('it is a file, not a folder');
    if (readdirSync(path).length > 0) fail('it is not empty');
  } else {
    try {
      made = mkdirSync(path, { recursive: true }) ?? null;
    } catch (err) {
      fail(why(err));
    }
  }
  try {
    accessSync(path, constants.W_OK);
  } catch {
    fail('it is not writable');
  }
  return { path, made };
}

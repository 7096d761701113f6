import { execFileSync } from 'node:child_process';
import { chmodSync, closeSync, lstatSync, mkdirSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { DISCOVERY_FILE, STATE_DIR, openNoFollow, stateDirLinkProblem, stateLinkProblem, type DaemonInfo } from '@axum/protocol';

/**
 * Creates `<repo>/.axum/` with a `.gitignore` that ignores the folder itself; throws, naming it,
 * when the folder or anything at its top is a link, or when the repository commits a link anywhere
 * in it (a clone's `.axum/history/envs` → elsewhere would take the records there): never written through.
 */
export function prepareStateDir(repoRoot: string): string {
  const dir = join(repoRoot, STATE_DIR);
  const linked = stateDirLinkProblem(dir) ?? committedLink(repoRoot);
  if (linked !== null) throw new Error(linked);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  ownerOnly(dir);
  writeIfMissing(join(dir, '.gitignore'), '# Axum state: history, logs, releases. Never committed.\n*\n');
  return dir;
}

/**
 * `.axum` made wider by an older Axum (0755, its files 0444) is closed to other users: a release
 * holds what a step saved private. Only a folder of the user's own, never one a link reaches.
 */
function ownerOnly(dir: string): void {
  const found = lstatSync(dir);
  if (found.isDirectory() && found.uid === process.getuid?.() && (found.mode & 0o077) !== 0) chmodSync(dir, 0o700);
}

/** The first link the repository commits under `.axum/` (mode 120000 in git's index), or null. */
function committedLink(repoRoot: string): string | null {
  let listing: string;
  try {
    listing = execFileSync('git', ['ls-files', '-s', '-z', '--', STATE_DIR], { cwd: repoRoot, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  } catch {
    return null; // no git to ask (a restore into a bare folder): the checks at each open still hold
  }
  const link = listing.split('\0').find((entry) => entry.startsWith('120000 '));
  return link ? stateLinkProblem(join(repoRoot, link.slice(link.indexOf('\t') + 1))) : null;
}

function writeIfMissing(file: string, text: string): void {
  let fd: number;
  try {
    fd = openNoFollow(file, 'wx', 0o600);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return;
    throw err;
  }
  try {
    writeFileSync(fd, text);
  } finally {
    closeSync(fd);
  }
}

/** Writes `daemon.json` atomically (temp file, then rename), so a reader never sees half of it. */
export function writeDiscoveryFile(stateDir: string, info: DaemonInfo): void {
  const file = join(stateDir, DISCOVERY_FILE);
  const temp = `${file}.${process.pid}.tmp`;
  const fd = openNoFollow(temp, 'w');
  try {
    writeFileSync(fd, `${JSON.stringify(info, null, 2)}\n`);
  } finally {
    closeSync(fd);
  }
  renameSync(temp, file);
}

/** Removes `daemon.json`. */
export function removeDiscoveryFile(stateDir: string): void {
  try {
    unlinkSync(join(stateDir, DISCOVERY_FILE));
  } catch {
    // already gone
  }
}

/**
 * The environments with a history document in `dir` (`<name>.json`): files moved aside
 * (`.corrupt-…`, `.invalid-…`) and temp files are not environments.
 */
export async function recordedEnvironmentNames(dir: string): Promise<string[]> {
  return (await readdir(dir).catch(() => [] as string[])).flatMap((file) => {
    const name = /^([A-Za-z0-9][A-Za-z0-9._-]*)\.json$/.exec(file)?.[1];
    return name && name.length <= 64 ? [name] : [];
  });
}

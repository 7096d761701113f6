import { chmodSync, closeSync, lstatSync, mkdirSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { DISCOVERY_FILE, STATE_DIR, openNoFollow, stateDirLinkProblem, type DaemonInfo } from '@axum/protocol';
import { trackedStateProblemNow } from './tracked-state.js';

/**
 * Creates `<repo>/.axum/` and (re)writes its `.gitignore`, which ignores the folder itself, whatever
 * was there (a cloned `!*` would publish the log, history and releases with `git add -A`); throws,
 * naming it, when the folder or anything at its top is a link, or when git's index tracks anything
 * in it (a link there would take the records elsewhere; a file would be written over them by a checkout).
 */
export function prepareStateDir(repoRoot: string): string {
  const dir = join(repoRoot, STATE_DIR);
  const problem = stateDirLinkProblem(dir) ?? trackedStateProblemNow(repoRoot);
  if (problem !== null) throw new Error(problem);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  ownerOnly(dir);
  replaceFile(join(dir, '.gitignore'), '# Axum state: history, logs, releases. Never committed.\n*\n', 0o600);
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

/** Writes `file` whole through a new temp file renamed over it: a link at `file` is replaced, never followed. */
function replaceFile(file: string, text: string, mode: number): void {
  const temp = `${file}.${process.pid}.tmp`;
  const fd = openNoFollow(temp, 'w', mode);
  try {
    writeFileSync(fd, text);
  } finally {
    closeSync(fd);
  }
  renameSync(temp, file);
}

/** Writes `daemon.json` atomically (temp file, then rename), so a reader never sees half of it. */
export function writeDiscoveryFile(stateDir: string, info: DaemonInfo): void {
  replaceFile(join(stateDir, DISCOVERY_FILE), `${JSON.stringify(info, null, 2)}\n`, 0o600);
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

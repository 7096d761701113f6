import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CONFIG_FILE, STATE_DIR, resolveRepositoryRoot } from '@axum/protocol';
import { CliError, EXIT } from '../commands/exit-codes.js';
import { plainCloneRoot } from './repository-fast.js';
import { missingConfigText } from './config-elsewhere.js';

/** A repository as the daemon is keyed: its main worktree root, and the worktree `dir` is in. */
export interface Repository {
  /** The main worktree's root (a real path): one daemon, one `.axum/` per git common directory. */
  root: string;
  /** The top of the worktree the command ran in; differs from `root` in a linked worktree. */
  workTree: string;
  linked: boolean;
}

/**
 * The repository that holds `dir` (default: the current folder). A linked worktree (`git worktree
 * add`) resolves to its main worktree, so every spelling of one repository finds one daemon.
 */
export function findRepository(dir: string | undefined): Repository {
  const start = resolve(dir ?? process.cwd());
  if (!existsSync(start) || !statSync(start).isDirectory()) throw new CliError(`no such folder: ${start}`, EXIT.usage);
  const plain = plainCloneRoot(start);
  if (plain !== null) return { root: plain, workTree: plain, linked: false };
  const found = resolveRepositoryRoot(start);
  if (!found.ok) {
    throw new CliError(found.reason === 'not-a-repository' ? `${found.message} (run \`git init\` first, or pass --repo DIR)` : found.message, EXIT.usage);
  }
  return { root: found.root, workTree: found.workTree, linked: found.linked };
}

/** The root of the repository whose daemon serves `dir`: the main worktree's, also from a linked worktree. */
export function findRepositoryRoot(dir: string | undefined): string {
  return findRepository(dir).root;
}

/** The top of the worktree `dir` is in: where `axum init` writes and `axum validate` reads `axum.yml`. */
export function findWorkTreeRoot(dir: string | undefined): string {
  return findRepository(dir).workTree;
}

/** Fails with a clear message when the repository has no pipeline file. */
export function requireConfigFile(repoRoot: string): string {
  const file = join(repoRoot, CONFIG_FILE);
  // A repository with Axum records is served without the file (another branch checked out): the
  // daemon runs on the last valid config, and its environments' records are still there.
  if (!existsSync(file) && !existsSync(join(repoRoot, STATE_DIR, 'history'))) throw new CliError(missingConfigText(repoRoot), EXIT.usage);
  return file;
}

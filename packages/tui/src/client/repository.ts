import { execFileSync } from 'node:child_process';
import { existsSync, realpathSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CONFIG_FILE } from '@axum/protocol';
import { CliError, EXIT } from '../commands/exit-codes.js';

/**
 * The root of the git repository that holds `dir` (default: the current folder), as a real path,
 * so every spelling of the same repository finds the same daemon.
 */
export function findRepositoryRoot(dir: string | undefined): string {
  const start = resolve(dir ?? process.cwd());
  if (!existsSync(start) || !statSync(start).isDirectory()) throw new CliError(`no such folder: ${start}`, EXIT.usage);
  let top: string;
  try {
    top = execFileSync('git', ['rev-parse', '--show-toplevel'], {
      cwd: start,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, GIT_DIR: undefined, GIT_WORK_TREE: undefined },
    }).trim();
  } catch {
    throw new CliError(`not a git repository: ${start} (run \`git init\` first, or pass --repo DIR)`, EXIT.usage);
  }
  return realpathSync(top);
}

/** Fails with a clear message when the repository has no pipeline file. */
export function requireConfigFile(repoRoot: string): string {
  const file = join(repoRoot, CONFIG_FILE);
  if (!existsSync(file)) throw new CliError(`no ${CONFIG_FILE} in ${repoRoot}: run \`axum init\` to write one`, EXIT.usage);
  return file;
}

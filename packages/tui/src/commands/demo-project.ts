// The demo's model project: the example copied into a repository of its own, and the model server
// that answers predictions from each environment's `current` (the demo's load generator asks it).
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { cpSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CliError, EXIT } from './exit-codes.js';

/** The example model project in this checkout (relative to this module, in the source and the bundle alike). */
export const EXAMPLE = fileURLToPath(new URL('../../../../examples/model-project', import.meta.url));

/** The example model project copied to `repo` (without a trained model), a git repository of its own. */
export function copyExampleProject(repo: string): (...args: string[]) => string {
  cpSync(EXAMPLE, repo, { recursive: true, filter: (src) => !src.includes(`${EXAMPLE}/model`) });
  const git = (...args: string[]) => execFileSync('git', args, { cwd: repo, stdio: 'pipe', encoding: 'utf8', env: { ...process.env, GIT_DIR: undefined, GIT_WORK_TREE: undefined } }).trim();
  git('init', '-q', '-b', 'main');
  git('config', 'user.email', 'demo@axum.local');
  git('config', 'user.name', 'Axum demo');
  return git;
}

/** The served model, read through `current` on every request; Prometheus scrapes its /metrics. */
export function spawnModelServer(repo: string): ChildProcess {
  return spawn(process.execPath, ['src/serve.mjs', '0', join(repo, '.axum', 'envs', 'staging'), join(repo, '.axum', 'envs', 'production')], { cwd: repo, stdio: ['ignore', 'pipe', 'inherit'] });
}

/** The port the model server says it serves on, or a failure when it exits first. */
export function modelServerPort(server: ChildProcess): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    server.stdout?.on('data', (d: Buffer) => {
      const match = /serving on 127\.0\.0\.1:(\d+)/.exec(d.toString());
      if (match) resolve(Number(match[1]));
    });
    server.on('exit', (code) => reject(new CliError(`the model server exited (${code})`, EXIT.failed)));
  });
}

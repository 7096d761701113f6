// Git must not write Axum's state: a repository that tracks files under `.axum/` (a served
// model's file, the releases history, the pidfile, a `.gitignore` that un-ignores it all) is
// refused at start, and a checkout that brings such files under a running daemon stops it.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { axum, daemonPid, daemonProcessesFor, isAlive, scratchRepos, startDaemon, waitFor } from './support/axum.js';

const repo = scratchRepos(afterEach);
const git = (dir: string, ...args: string[]) => execFileSync('git', args, { cwd: dir, encoding: 'utf8' }).trim();
const UNTRACK = 'git rm -r --cached .axum && git commit';

/** Commits `files` under `.axum/` (forced past its ignore) on the current branch. */
function commitState(dir: string, files: Record<string, string>): void {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), text);
    git(dir, 'add', '-f', path);
  }
  git(dir, 'commit', '-q', '-m', 'helpful defaults');
}

describe('files a repository tracks under .axum', () => {
  it('a clone tracking .axum/releases/…/m.txt and a .gitignore of `!*` is refused naming them and the fix; untracked, it starts and the .gitignore is Axum\'s again', async () => {
    const upstream = repo();
    commitState(upstream, { '.axum/releases/rel-3/files/model/m.txt': 'swapped\n', '.axum/.gitignore': '!*\n' });
    const clone = join(upstream, '..', `clone-${Math.random().toString(36).slice(2)}`);
    git(upstream, 'clone', '-q', upstream, clone);
    const dir = repo();
    execFileSync('rm', ['-rf', dir]);
    execFileSync('mv', [clone, dir]); // cleaned with the scratch repositories

    const refused = await axum(['status', '--repo', dir]);
    expect(refused.code, refused.stderr).toBe(3);
    expect(refused.stderr).toContain(`refusing to start: the repository tracks files in ${join(dir, '.axum')}`);
    expect(refused.stderr).toContain('.axum/.gitignore, .axum/releases/rel-3/files/model/m.txt');
    expect(refused.stderr).toContain(UNTRACK);
    expect(daemonProcessesFor(dir)).toEqual([]);

    git(dir, 'rm', '-r', '-q', '--cached', '.axum');
    git(dir, 'commit', '-q', '-m', 'untrack .axum');
    const started = await axum(['status', '--repo', dir]);
    expect(started.code, started.stderr).toBe(0);
    expect(readFileSync(join(dir, '.axum', '.gitignore'), 'utf8')).toBe('# Axum state: history, logs, releases. Never committed.\n*\n');
    git(dir, 'add', '-A');
    expect(git(dir, 'status', '--porcelain')).not.toContain('.axum');
  });

  it('a branch checked out under a running daemon that tracks .axum/history/releases.json stops the daemon, saying why; the next start refuses', async () => {
    const dir = repo();
    await startDaemon(dir);
    const pid = daemonPid(dir);
    expect(pid).not.toBeNull();
    git(dir, 'checkout', '-q', '-b', 'helpful-defaults');
    commitState(dir, { '.axum/history/releases.json': '{"version":1,"releases":[]}\n' });
    await waitFor(() => !isAlive(pid as number), 20_000, 'the daemon to stop');
    const log = readFileSync(join(dir, '.axum', 'daemon.log'), 'utf8');
    expect(log).toContain('a checkout wrote files git tracks into .axum: the repository tracks files in');
    expect(log).toContain('.axum/history/releases.json');
    expect(log).toContain(UNTRACK);
    const refused = await axum(['status', '--repo', dir]);
    expect(refused.code, refused.stderr).toBe(3);
    expect(refused.stderr).toContain('.axum/history/releases.json');
  }, 60_000);
});

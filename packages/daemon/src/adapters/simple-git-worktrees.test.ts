// Kept worktrees on real git: what a run left is gone before the next run of its branch sees the
// folder, and a folder whose `.git` link a step changed is never cleaned or reset.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createSimpleGit } from './simple-git-git.js';

const temps: string[] = [];
afterEach(() => {
  for (const dir of temps.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function repo(): { dir: string; work: string; git: (cwd: string, ...args: string[]) => string } {
  const base = mkdtempSync(join(tmpdir(), 'axum-worktrees-'));
  temps.push(base);
  const dir = join(base, 'repo');
  mkdirSync(dir);
  const git = (cwd: string, ...args: string[]) => execFileSync('git', ['-c', 'user.email=t@t', '-c', 'user.name=t', ...args], { cwd, encoding: 'utf8' }).trim();
  git(dir, 'init', '-q', '-b', 'main');
  return { dir, work: join(base, 'work'), git };
}

/** Every file and folder under `dir` but its `.git` link, relative, sorted. */
function listing(dir: string): string[] {
  const out: string[] = [];
  const walk = (at: string) => {
    for (const entry of readdirSync(at, { withFileTypes: true })) {
      const path = join(at, entry.name);
      if (at === dir && entry.name === '.git') continue;
      out.push(relative(dir, path) + (entry.isDirectory() ? '/' : ''));
      if (entry.isDirectory()) walk(path);
    }
  };
  walk(dir);
  return out.sort();
}

function write(dir: string, files: Record<string, string>): void {
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
}

/** A repository whose one commit `a` holds `files`, its git port, and where a kept worktree goes. */
function committed(files: Record<string, string>) {
  const { dir, work, git } = repo();
  write(dir, files);
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', 'A');
  return { dir, work, git, a: git(dir, 'rev-parse', 'HEAD'), port: createSimpleGit(dir), wt: join(work, 'warm-1') };
}

describe('kept worktrees (git port)', () => {
  it('cleaned after a run and reset to the next commit: exactly that commit, nothing untracked, ignored, modified or staged left', async () => {
    const { dir, work, git } = repo();
    write(dir, { '.gitignore': '*.bin\nout/\n', 'a.txt': 'A\n', 'same.txt': 'same\n', 'gone.txt': 'only in A\n', 'deep/x.txt': 'x\n' });
    git(dir, 'add', '-A');
    git(dir, 'commit', '-q', '-m', 'A');
    const a = git(dir, 'rev-parse', 'HEAD');
    write(dir, { 'a.txt': 'B\n', 'b.txt': 'new in B\n' });
    git(dir, 'rm', '-q', 'gone.txt');
    git(dir, 'add', '-A');
    git(dir, 'commit', '-q', '-m', 'B');
    const b = git(dir, 'rev-parse', 'HEAD');
    const port = createSimpleGit(dir);
    const wt = join(work, 'warm-1');

    await port.addWorktree(a, wt);
    // What a run may leave: untracked and ignored files (build outputs), a cloned repository, a
    // modified file that is the same in both commits, a deleted one, a file added to the index.
    write(wt, { 'untracked.txt': 'u\n', 'model.bin': 'weights\n', 'out/run/log.txt': 'l\n', 'same.txt': 'changed by a step\n', 'staged.txt': 's\n' });
    rmSync(join(wt, 'deep', 'x.txt'));
    git(wt, 'add', 'staged.txt');
    mkdirSync(join(wt, 'clone'));
    git(join(wt, 'clone'), 'init', '-q');
    write(wt, { 'clone/f.txt': 'f\n' });

    await port.cleanWorktree(wt);
    await port.resetWorktree(b, wt);

    const files = git(dir, 'ls-tree', '-r', '--name-only', b).split('\n');
    expect(listing(wt)).toEqual(['.gitignore', 'a.txt', 'b.txt', 'deep/', 'deep/x.txt', 'same.txt']);
    for (const file of files) expect(readFileSync(join(wt, file), 'utf8')).toBe(git(dir, 'show', `${b}:${file}`) + '\n');
    expect(git(wt, 'rev-parse', 'HEAD')).toBe(b);
    expect(git(wt, 'status', '--porcelain', '--ignored')).toBe('');
  });

  it('reset alone forces every tracked file to the commit (a file modified since the clean)', async () => {
    const { a, port, wt } = committed({ 'a.txt': 'A\n' });
    await port.addWorktree(a, wt);
    write(wt, { 'a.txt': 'edited\n' });
    await port.resetWorktree(a, wt);
    expect(readFileSync(join(wt, 'a.txt'), 'utf8')).toBe('A\n');
  });

  it('a worktree whose .git link a step rewrote or removed is neither cleaned nor reset, and what it pointed at is untouched', async () => {
    const { dir, a, port, wt } = committed({ 'a.txt': 'A\n' });
    await port.addWorktree(a, wt);
    // Another repository's file the step wants gone.
    write(dir, { 'precious.txt': 'mine\n' });
    writeFileSync(join(wt, '.git'), `gitdir: ${join(dir, '.git')}\n`);
    await expect(port.cleanWorktree(wt)).rejects.toThrow(/not the worktree Axum added/);
    await expect(port.resetWorktree(a, wt)).rejects.toThrow(/not the worktree Axum added/);
    rmSync(join(wt, '.git'));
    await expect(port.cleanWorktree(wt)).rejects.toThrow(/not the worktree Axum added/);
    expect(readFileSync(join(dir, 'precious.txt'), 'utf8')).toBe('mine\n');
    // Added afresh, it is ours again.
    await port.addWorktree(a, wt);
    await port.cleanWorktree(wt);
    expect(listing(wt)).toEqual(['a.txt']);
  });

  it("per-worktree git state a step set with git's own commands makes the worktree be made afresh, never a partial or misdirected checkout", async () => {
    const { dir, work, git, a, port, wt } = committed({ 'a.txt': 'A\n', 'sub/s.txt': 's\n', 'other/o.txt': 'o\n' });
    const cases: [string, () => void][] = [
      // A monorepo build step: the next run's checkout would lack other/.
      ['sparse checkout', () => git(wt, 'sparse-checkout', 'set', 'sub')],
      // Edits git stops looking at: they would survive the next checkout.
      ['skip-worktree', () => (git(wt, 'update-index', '--skip-worktree', 'a.txt'), write(wt, { 'a.txt': 'edited\n' }))],
      ['assume-unchanged', () => (git(wt, 'update-index', '--assume-unchanged', 'a.txt'), write(wt, { 'a.txt': 'edited\n' }))],
      // Where `git clean` would act: another folder's untracked files.
      ['core.worktree', () => (git(wt, 'config', 'extensions.worktreeConfig', 'true'), git(wt, 'config', '--worktree', 'core.worktree', join(work, 'precious')))],
    ];
    mkdirSync(join(work, 'precious'), { recursive: true });
    writeFileSync(join(work, 'precious', 'keep.txt'), 'mine\n');
    for (const [what, step] of cases) {
      await port.addWorktree(a, wt);
      step();
      await expect(port.cleanWorktree(wt), what).rejects.toThrow(/a step (left per-worktree git state|flagged)/);
      expect(readFileSync(join(work, 'precious', 'keep.txt'), 'utf8'), what).toBe('mine\n');
      try {
        git(dir, 'config', '--unset-all', 'extensions.worktreeConfig');
      } catch {
        // not set by this case
      }
    }
    // Made afresh, it is clean and whole again.
    await port.addWorktree(a, wt);
    await port.cleanWorktree(wt);
    await port.resetWorktree(a, wt);
    expect(listing(wt)).toEqual(['a.txt', 'other/', 'other/o.txt', 'sub/', 'sub/s.txt']);
  });

  it('a worktree folder a step replaced by a link to a copy is not reset or cleaned', async () => {
    const { work, a, port, wt } = committed({ 'a.txt': 'A\n' });
    await port.addWorktree(a, wt);
    const copy = join(work, 'copy');
    mkdirSync(copy);
    writeFileSync(join(copy, '.git'), readFileSync(join(wt, '.git')));
    writeFileSync(join(copy, 'precious.txt'), 'mine\n');
    rmSync(wt, { recursive: true, force: true });
    symlinkSync(copy, wt);
    await expect(port.cleanWorktree(wt)).rejects.toThrow(/not the worktree Axum added/);
    expect(readFileSync(join(copy, 'precious.txt'), 'utf8')).toBe('mine\n');
  });
});

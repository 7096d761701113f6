import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { resolveRepositoryRoot } from '@axum/protocol';
import { plainCloneRoot } from './repository-fast.js';

const made: string[] = [];
afterEach(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function repo(): string {
  const base = realpathSync(mkdtempSync(join(tmpdir(), 'axum-fast-root-')));
  made.push(base);
  const dir = join(base, 'repo');
  mkdirSync(join(dir, 'src', 'deep'), { recursive: true });
  const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, stdio: 'ignore' });
  git('init', '-q', '-b', 'main');
  writeFileSync(join(dir, 'a.txt'), 'a\n');
  git('add', '-A');
  git('-c', 'user.email=t@t', '-c', 'user.name=t', 'commit', '-qm', 'a');
  return dir;
}

const gitRoot = (dir: string) => {
  const found = resolveRepositoryRoot(dir);
  return found.ok ? found.root : null;
};

describe('the repository root without git', () => {
  it('agrees with git in a plain clone, from its top, a subfolder and a symlinked path', () => {
    const dir = repo();
    const link = join(dir, '..', 'link');
    symlinkSync(join(dir, 'src'), link);
    for (const from of [dir, join(dir, 'src', 'deep'), link]) {
      expect(plainCloneRoot(from), from).toBe(dir);
      expect(plainCloneRoot(from)).toBe(gitRoot(from));
    }
  });

  it('leaves to git what it cannot answer alone: a linked worktree, a bare config, core.worktree, a folder inside .git, discovery variables, no repository', () => {
    const dir = repo();
    const linked = join(dir, '..', 'linked');
    execFileSync('git', ['worktree', 'add', '-q', '--detach', linked], { cwd: dir, stdio: 'ignore' });
    expect(plainCloneRoot(linked)).toBeNull();
    expect(gitRoot(linked)).toBe(dir);
    expect(plainCloneRoot(join(dir, '.git'))).toBeNull();
    expect(plainCloneRoot(dir, { GIT_CEILING_DIRECTORIES: dir })).toBeNull();
    expect(plainCloneRoot(join(dir, '..'))).toBeNull();
    execFileSync('git', ['config', 'core.bare', 'true'], { cwd: dir, stdio: 'ignore' });
    expect(plainCloneRoot(dir)).toBeNull();
    execFileSync('git', ['config', 'core.bare', 'false'], { cwd: dir, stdio: 'ignore' });
    expect(plainCloneRoot(dir)).toBe(dir);
    execFileSync('git', ['config', 'core.worktree', join(dir, 'src')], { cwd: dir, stdio: 'ignore' });
    expect(plainCloneRoot(dir)).toBeNull();
  });

  it('leaves to git a repository another user owns (git refuses it unless safe.directory says so)', () => {
    const dir = repo();
    expect(plainCloneRoot(dir, {}, 12345)).toBeNull();
  });
});

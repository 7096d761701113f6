// Branches and HEAD read from git's files must be what git itself says, through every way git
// stores a ref: loose, nested, packed, packed then updated, deleted, and a linked worktree's HEAD.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readCurrentBranch, readHeads } from './git-refs.js';
import { createSimpleGit } from './simple-git-git.js';

function repo(): { dir: string; git: (...args: string[]) => string } {
  const dir = mkdtempSync(join(tmpdir(), 'axum-refs-'));
  const git = (...args: string[]) => execFileSync('git', ['-c', 'user.email=t@t', '-c', 'user.name=t', ...args], { cwd: dir, encoding: 'utf8' }).trim();
  git('init', '-q', '-b', 'main');
  return { dir, git };
}

/** What `git for-each-ref refs/heads` lists, as the daemon keeps it: branch → commit, in git's order. */
const gitHeads = (git: (...args: string[]) => string): [string, string][] =>
  git('for-each-ref', '--format=%(refname) %(objectname)', 'refs/heads')
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [ref, sha] = line.split(' ');
      return [(ref as string).slice('refs/heads/'.length), sha as string];
    });

describe('readHeads', () => {
  it('lists what for-each-ref lists: loose, nested, packed, a packed branch moved on, a deleted one', async () => {
    const { dir, git } = repo();
    const common = join(dir, '.git');
    const same = async () => expect([...((await readHeads(common)) ?? [])]).toEqual(gitHeads(git));
    git('commit', '-q', '--allow-empty', '-m', 'one');
    git('branch', 'feature/deep/x');
    git('branch', 'b-side');
    await same();
    git('pack-refs', '--all');
    await same();
    git('commit', '-q', '--allow-empty', '-m', 'two'); // main: a loose file over its packed line
    git('branch', 'after-pack');
    git('branch', '-D', 'b-side');
    await same();
    expect((await readHeads(common))?.get('main')).toBe(git('rev-parse', 'HEAD'));
    expect((await readHeads(common))?.has('b-side')).toBe(false);
  });

  it('answers null (ask git) for what it does not read: a symbolic ref among the branches, the reftable backend', async () => {
    const { dir, git } = repo();
    git('commit', '-q', '--allow-empty', '-m', 'one');
    expect(await readHeads(join(dir, '.git'))).not.toBeNull();
    git('symbolic-ref', 'refs/heads/alias', 'refs/heads/main');
    expect(await readHeads(join(dir, '.git'))).toBeNull();
    const other = repo();
    other.git('commit', '-q', '--allow-empty', '-m', 'one');
    mkdirSync(join(other.dir, '.git', 'reftable'));
    expect(await readHeads(join(other.dir, '.git'))).toBeNull();
    // A name git would not list, and a `refs/heads` that is not there, are git's to judge too.
    const third = repo();
    third.git('commit', '-q', '--allow-empty', '-m', 'one');
    writeFileSync(join(third.dir, '.git', 'refs', 'heads', '.tmp'), `${third.git('rev-parse', 'HEAD')}\n`);
    expect(await readHeads(join(third.dir, '.git'))).toBeNull();
    expect(await readHeads(join(third.dir, 'no-such-git-dir'))).toBeNull();
  });
});

describe('readCurrentBranch', () => {
  it('names the branch HEAD is on, nothing when detached, and a linked worktree its own', async () => {
    const { dir, git } = repo();
    git('commit', '-q', '--allow-empty', '-m', 'one');
    expect(await readCurrentBranch(join(dir, '.git'))).toBe('main');
    const linked = join(mkdtempSync(join(tmpdir(), 'axum-refs-wt-')), 'wt');
    git('worktree', 'add', '-q', '-b', 'side', linked);
    const linkedGitDir = execFileSync('git', ['rev-parse', '--absolute-git-dir'], { cwd: linked, encoding: 'utf8' }).trim();
    expect(await readCurrentBranch(linkedGitDir)).toBe('side');
    git('checkout', '-q', '--detach');
    expect(await readCurrentBranch(join(dir, '.git'))).toBeUndefined();
  });
});

describe('the git port reads heads and the current branch from the files', () => {
  it('from the main worktree and from a linked one, as git says', async () => {
    const { dir, git } = repo();
    git('commit', '-q', '--allow-empty', '-m', 'one');
    git('pack-refs', '--all');
    git('commit', '-q', '--allow-empty', '-m', 'two');
    const linked = join(mkdtempSync(join(tmpdir(), 'axum-refs-wt-')), 'wt');
    git('worktree', 'add', '-q', '-b', 'side', linked);
    for (const [root, branch] of [[dir, 'main'], [linked, 'side']] as const) {
      const port = createSimpleGit(root);
      expect([...(await port.heads())]).toEqual(gitHeads(git));
      expect(await port.currentBranch()).toBe(branch);
    }
  });

  it('asking git instead names a branch the same way, also beside a tag of the same name', async () => {
    const { dir, git } = repo();
    git('commit', '-q', '--allow-empty', '-m', 'one');
    git('tag', 'main');
    // A symbolic ref among the branches: the files are not read, git is asked (`heads/main` with --short).
    git('symbolic-ref', 'refs/heads/alias', 'refs/heads/main');
    const port = createSimpleGit(dir);
    expect([...(await port.heads()).keys()]).toEqual(['alias', 'main']);
  });
});

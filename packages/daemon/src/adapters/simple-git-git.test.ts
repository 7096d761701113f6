import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createSimpleGit } from './simple-git-git.js';

function repo(): { dir: string; git: (...args: string[]) => string } {
  const dir = mkdtempSync(join(tmpdir(), 'axum-git-'));
  const git = (...args: string[]) => execFileSync('git', ['-c', 'user.email=t@t', '-c', 'user.name=t', ...args], { cwd: dir, encoding: 'utf8' }).trim();
  git('init', '-q', '-b', 'main');
  return { dir, git };
}

describe('createSimpleGit', () => {
  it('a commit read from a record that looks like an option is never read as one by git (no file written)', async () => {
    const { dir, git } = repo();
    git('commit', '-q', '--allow-empty', '-m', 'a');
    const a = git('rev-parse', 'HEAD');
    const out = mkdtempSync(join(tmpdir(), 'axum-git-out-'));
    const port = createSimpleGit(dir);
    const hostile = `--output=${join(out, 'x')}`;
    await port.commitsBetween(hostile, a, 5).catch(() => undefined);
    await port.skippedCommits(hostile, a, 5).catch(() => undefined);
    await port.subject(hostile).catch(() => undefined);
    await port.isAncestor(hostile, a).catch(() => undefined);
    await port.showFile(hostile, 'axum.yml').catch(() => undefined);
    await expect(port.resetWorktree(hostile, join(out, 'w'))).rejects.toThrow(/not a commit's object name/);
    expect(readdirSync(out)).toEqual([]);
    expect(existsSync(join(out, 'x'))).toBe(false);
  });


  it('isAncestor answers by git merge-base --is-ancestor: ancestor (exit 0), not an ancestor (exit 1), unknown for anything else', async () => {
    const { dir, git } = repo();
    git('commit', '-q', '--allow-empty', '-m', 'a');
    const a = git('rev-parse', 'HEAD');
    git('commit', '-q', '--allow-empty', '-m', 'b');
    const b = git('rev-parse', 'HEAD');
    git('checkout', '-q', '-b', 'side', a);
    git('commit', '-q', '--allow-empty', '-m', 'c');
    const c = git('rev-parse', 'HEAD');
    git('checkout', '-q', '--orphan', 'other');
    git('commit', '-q', '--allow-empty', '-m', 'unrelated');
    const unrelated = git('rev-parse', 'HEAD');
    const port = createSimpleGit(dir);
    expect(await port.isAncestor(a, b)).toBe('ancestor');
    expect(await port.isAncestor(a, a)).toBe('ancestor');
    expect(await port.isAncestor(b, a)).toBe('not-ancestor');
    expect(await port.isAncestor(b, c)).toBe('not-ancestor');
    expect(await port.isAncestor(c, b)).toBe('not-ancestor');
    expect(await port.isAncestor(unrelated, b)).toBe('not-ancestor');
    // A revision git cannot read (exit 128) is no answer, nor is one that looks like an option.
    expect(await port.isAncestor('0'.repeat(40), b)).toBe('unknown');
    expect(await port.isAncestor('no-such-branch', b)).toBe('unknown');
    expect(await port.isAncestor(a, '--output=x')).toBe('unknown');
    // Nor is git failing: a folder that is no repository (exit 128), git that cannot be spawned.
    expect(await createSimpleGit(mkdtempSync(join(tmpdir(), 'axum-not-git-'))).isAncestor(a, b)).toBe('unknown');
    const path = process.env.PATH;
    process.env.PATH = join(dir, 'no-bin');
    try {
      expect(await port.isAncestor(a, b)).toBe('unknown');
    } finally {
      process.env.PATH = path;
    }
  });

  it("a head's subject read with the heads is what `log --format=%s` says, for heads and other commits alike", async () => {
    const { dir, git } = repo();
    git('commit', '-q', '--allow-empty', '-m', 'older\n\nbody');
    const older = git('rev-parse', 'HEAD');
    git('commit', '-q', '--allow-empty', '-m', 'first line\nsecond line\n\nthe body');
    const head = git('rev-parse', 'HEAD');
    const port = createSimpleGit(dir);
    expect(await port.heads()).toEqual(new Map([['main', head]]));
    expect(await port.subject(head)).toBe(git('log', '-1', '--format=%s', head));
    expect(await port.subject(head)).toBe('first line second line');
    expect(await port.subject(older)).toBe('older');
  });
});

describe('heads read from the files', () => {
  it('follow a git dir moved under a running daemon (`git init --separate-git-dir`), branch and heads', async () => {
    const { dir, git } = repo();
    git('commit', '-q', '--allow-empty', '-m', 'one');
    const port = createSimpleGit(dir);
    expect(await port.heads()).toEqual(new Map([['main', git('rev-parse', 'HEAD')]]));
    expect(await port.currentBranch()).toBe('main');
    const moved = mkdtempSync(join(tmpdir(), 'axum-git-moved-'));
    git('init', '-q', `--separate-git-dir=${join(moved, 'git')}`);
    git('checkout', '-q', '-b', 'develop');
    git('commit', '-q', '--allow-empty', '-m', 'two');
    const expected = new Map([['develop', git('rev-parse', 'HEAD')], ['main', git('rev-parse', 'main')]]);
    for (let i = 0; i < 2; i++) {
      expect(await port.heads()).toEqual(expected);
      expect(await port.currentBranch()).toBe('develop');
    }
  });
});

describe('reads through git cat-file', () => {
  it("a branch's head follows commits, packed refs and gc, and a name that is no branch is none", async () => {
    const { dir, git } = repo();
    git('commit', '-q', '--allow-empty', '-m', 'one');
    const port = createSimpleGit(dir);
    expect(await port.head('main')).toBe(git('rev-parse', 'HEAD'));
    git('commit', '-q', '--allow-empty', '-m', '  two\nlines  \n \nbody');
    expect(await port.head('main')).toBe(git('rev-parse', 'HEAD'));
    expect(await port.subject(git('rev-parse', 'HEAD'))).toBe(git('log', '-1', '--format=%s'));
    git('pack-refs', '--all');
    git('commit', '-q', '--allow-empty', '-m', 'three');
    git('gc', '-q');
    expect(await port.head('main')).toBe(git('rev-parse', 'HEAD'));
    expect(await port.head('nope')).toBeNull();
    // Revision expressions are not branch names: `main~1` is no branch even though it names a commit.
    expect(await port.head('main~1')).toBeNull();
    expect(await port.head('main:x')).toBeNull();
    expect(await port.head('a\nrefs/heads/main')).toBeNull();
  });

  it('reads a file at a commit, a commit by revision, and the subject of a commit that is no head', async () => {
    const { dir, git } = repo();
    writeFileSync(join(dir, 'axum.yml'), 'version: 1\n');
    git('add', 'axum.yml');
    git('commit', '-q', '-m', 'with config');
    const first = git('rev-parse', 'HEAD');
    git('rm', '-q', 'axum.yml');
    git('commit', '-q', '-m', 'without\n\nbody');
    const port = createSimpleGit(dir);
    expect(await port.showFile(first, 'axum.yml')).toBe('version: 1\n');
    expect(await port.showFile('HEAD', 'axum.yml')).toBeNull();
    expect(await port.showFile(first, '.')).toBeNull(); // a tree, not a file
    expect(await port.resolveCommit('HEAD~1')).toBe(first);
    expect(await port.resolveCommit('HEAD:nothing')).toBeNull();
    expect(await port.resolveCommit('0'.repeat(40))).toBeNull();
    expect(await port.subject(first)).toBe('with config');
    // Concurrent reads are answered in order, each with its own object.
    const many = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? port.subject(first) : port.showFile(first, 'axum.yml'))));
    expect(many).toEqual(Array.from({ length: 20 }, (_, i) => (i % 2 ? 'with config' : 'version: 1\n')));
  });
});

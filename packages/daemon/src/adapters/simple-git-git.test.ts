import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
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
  it('isAncestor answers no for a descendant, a sibling and an unrelated commit', async () => {
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
    expect(await port.isAncestor(a, b)).toBe(true);
    expect(await port.isAncestor(a, a)).toBe(true);
    expect(await port.isAncestor(b, a)).toBe(false);
    expect(await port.isAncestor(b, c)).toBe(false);
    expect(await port.isAncestor(c, b)).toBe(false);
    expect(await port.isAncestor(unrelated, b)).toBe(false);
    expect(await port.isAncestor('0'.repeat(40), b)).toBe(false);
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

import { execFileSync } from 'node:child_process';
import { mkdtempSync, realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveRepositoryRoot } from './repository-root.js';

function repo(): string {
  const base = realpathSync(mkdtempSync(join(tmpdir(), 'axum-root-')));
  const dir = join(base, 'main');
  execFileSync('git', ['init', '-q', '-b', 'main', dir]);
  execFileSync('git', ['-C', dir, '-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-q', '--allow-empty', '-m', 'one']);
  return dir;
}

describe('resolveRepositoryRoot', () => {
  it('resolves a sub-folder to its top and a linked worktree to the main worktree', () => {
    const dir = repo();
    expect(resolveRepositoryRoot(dir)).toEqual({ ok: true, root: dir, workTree: dir, linked: false });
    const linked = join(dir, '..', 'wt');
    execFileSync('git', ['-C', dir, 'worktree', 'add', '-q', '--detach', linked]);
    expect(resolveRepositoryRoot(linked)).toEqual({ ok: true, root: dir, workTree: linked, linked: true });
  });

  it('refuses a folder outside git and a linked worktree of a bare repository', () => {
    const outside = mkdtempSync(join(tmpdir(), 'axum-nogit-'));
    expect(resolveRepositoryRoot(outside)).toMatchObject({ ok: false, reason: 'not-a-repository' });
    const dir = repo();
    const bare = join(dir, '..', 'bare.git');
    execFileSync('git', ['clone', '-q', '--bare', dir, bare]);
    const linked = join(dir, '..', 'from-bare');
    execFileSync('git', ['-C', bare, 'worktree', 'add', '-q', '--detach', linked]);
    expect(resolveRepositoryRoot(linked)).toMatchObject({ ok: false, reason: 'bare' });
  });
});

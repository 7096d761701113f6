// `axum run` in a linked git worktree (`git worktree add ../wt develop`) runs that worktree's branch,
// not the one the daemon's worktree has checked out. Real repository, real linked worktree, bin/axum.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { axum, commitFiles, scratchRepos, startDaemon } from './support/axum.js';
import { tinyModelConfig } from './support/tiny-model.js';

const scratch = scratchRepos(afterEach);

describe('axum run in a linked worktree', () => {
  it('defaults to the branch checked out there, --commit HEAD is on it, and a detached HEAD there asks for a branch', async () => {
    const dir = scratch({ config: tinyModelConfig('', '', '  staging: { branch: main }\n  dev: { branch: develop }') });
    const git = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, encoding: 'utf8' }).trim();
    git(dir, 'branch', 'develop');
    const linked = join(dir, '..', 'wt');
    git(dir, 'worktree', 'add', '-q', linked, 'develop');
    await startDaemon(dir);
    const commit = commitFiles(linked, 'model v2', { 'data.txt': '0.92\n' });

    // The daemon's worktree has main checked out; the command's has develop.
    const run = await axum(['run', '--json'], { cwd: linked });
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ branch: 'develop', env: 'dev', commit });
    const head = await axum(['run', '--commit', 'HEAD', '--json'], { cwd: linked });
    expect(head.code, head.stderr).toBe(0);
    expect(JSON.parse(head.stdout)).toMatchObject({ branch: 'develop', env: 'dev', commit });
    // A tag named as the branch: git's short name of the branch is then `heads/develop`.
    git(linked, 'tag', 'develop');
    const tagged = await axum(['run', '--json'], { cwd: linked });
    expect(tagged.code, tagged.stdout).toBe(0);
    expect(JSON.parse(tagged.stdout)).toMatchObject({ branch: 'develop', env: 'dev', commit });
    git(linked, 'tag', '-d', 'develop');

    // Detached there: no branch, so no environment — said, exit 2, not main's head run instead.
    git(linked, 'checkout', '-q', '--detach');
    expect(await axum(['run'], { cwd: linked })).toEqual({ code: 2, stdout: '', stderr: 'axum: HEAD is detached: name a --branch or a --commit\n' });
    const detached = await axum(['run', '--commit', 'HEAD', '--json'], { cwd: linked });
    expect(detached.code, detached.stderr).toBe(0);
    expect(JSON.parse(detached.stdout)).toMatchObject({ branch: '(detached)', env: null, commit });
  }, 90_000);
});

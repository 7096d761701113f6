import { describe, expect, it } from 'vitest';
import { manualRunTarget } from './manual-run.js';
import { RequestFailure } from './pipeline.js';
import { createFakeGit } from './testing/fake-ports.js';

const STAGING = 'a'.repeat(40);
const DEVELOP = 'b'.repeat(40);
/** develop is one commit ahead of staging; `current` is the checked-out branch (null: detached). */
const gitOn = (current: string | null) => ({
  ...createFakeGit(),
  currentBranch: async () => current,
  heads: async () => new Map([['staging', STAGING], ['develop', DEVELOP]]),
  resolveCommit: async (rev: string) => (rev === 'HEAD' ? (current === 'develop' ? DEVELOP : STAGING) : [STAGING, DEVELOP].find((sha) => sha.startsWith(rev)) ?? null),
  isAncestor: async (ancestor: string, commit: string) => (ancestor === commit || (ancestor === STAGING && commit === DEVELOP) ? ('ancestor' as const) : ('not-ancestor' as const)),
});

describe('a manual run', () => {
  it('of a commit its branch does not have is refused, naming both', async () => {
    const refused = await manualRunTarget(gitOn('develop'), 'staging', 'HEAD');
    expect(refused).toBeInstanceOf(RequestFailure);
    expect(refused).toMatchObject({
      code: 'invalid-params',
      message: "commit bbbbbbbb is not on staging (it is not reachable from staging's head aaaaaaaa): merge it into staging, or run it with --branch <a branch that has it>",
    });
    // Without --branch it runs for the current branch, which must have it too.
    expect(await manualRunTarget(gitOn('staging'), undefined, DEVELOP)).toMatchObject({ code: 'invalid-params' });
  });

  it('of a commit its branch has runs for that branch; detached with no --branch runs for none', async () => {
    expect(await manualRunTarget(gitOn('staging'), 'develop', STAGING)).toEqual({ branch: 'develop', sha: STAGING });
    expect(await manualRunTarget(gitOn('develop'), undefined, undefined)).toEqual({ branch: 'develop', sha: DEVELOP });
    expect(await manualRunTarget(gitOn(null), undefined, 'bbbb')).toEqual({ branch: null, sha: DEVELOP });
    expect(await manualRunTarget(gitOn(null), undefined, undefined)).toMatchObject({ code: 'invalid-params', message: 'HEAD is detached: name a --branch or a --commit' });
    // A --branch that names nothing is a usage error (exit 2), as a --commit that names nothing is.
    expect(await manualRunTarget(gitOn('develop'), 'nope', STAGING)).toMatchObject({ code: 'invalid-params', message: 'no branch nope (or it has no commits yet)' });
    expect(await manualRunTarget(gitOn('develop'), 'nope', undefined)).toMatchObject({ code: 'invalid-params' });
    // The current branch with no commit yet (a fresh repository): the same words, the same code.
    expect(await manualRunTarget(gitOn('master'), undefined, undefined)).toMatchObject({ code: 'invalid-params', message: 'no branch master (or it has no commits yet)' });
    expect(await manualRunTarget(gitOn('develop'), undefined, 'zzz')).toMatchObject({ code: 'invalid-params', message: 'no commit zzz in this repository' });
  });

  it("without --branch runs for the branch checked out where the client runs (a linked worktree's), not the daemon's", async () => {
    expect(await manualRunTarget(gitOn('staging'), undefined, undefined, 'develop')).toEqual({ branch: 'develop', sha: DEVELOP });
    expect(await manualRunTarget(gitOn('staging'), undefined, DEVELOP, 'develop')).toEqual({ branch: 'develop', sha: DEVELOP });
    expect(await manualRunTarget(gitOn('develop'), undefined, undefined, null)).toMatchObject({ code: 'invalid-params', message: 'HEAD is detached: name a --branch or a --commit' });
    expect(await manualRunTarget(gitOn('develop'), undefined, 'bbbb', null)).toEqual({ branch: null, sha: DEVELOP });
    expect(await manualRunTarget(gitOn('develop'), 'staging', undefined, 'develop')).toEqual({ branch: 'staging', sha: STAGING });
  });
});

import { execFile } from 'node:child_process';
import { existsSync, lstatSync, readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { simpleGit, type SimpleGit } from 'simple-git';
import { branchNameProblem } from '@axum/protocol';
import type { GitPort } from '../engine/ports.js';
import { createCatFile, firstParentOfCommit, subjectOfCommit } from './git-cat-file.js';
import { readCurrentBranch, readHeads } from './git-refs.js';
import { SUBJECT_MAX, SUBJECT_READ_MAX, clip, firstLine } from '../domain/outside-text.js';

/** Variables that would point git (or a step's git) at another repository than the run's. */
const REPOSITORY_VARS = ['GIT_DIR', 'GIT_WORK_TREE', 'GIT_INDEX_FILE', 'GIT_OBJECT_DIRECTORY', 'GIT_COMMON_DIR'];

/**
 * Variables that make git run a program (editor, pager, ssh, askpass). Our git commands are
 * non-interactive and local; simple-git refuses to run with these set, and a user's shell has EDITOR.
 */
const PROGRAM_VARS = /^(EDITOR|VISUAL|PAGER|GIT_EDITOR|GIT_SEQUENCE_EDITOR|GIT_PAGER|GIT_ASKPASS|SSH_ASKPASS|GIT_SSH|GIT_SSH_COMMAND|GIT_PROXY_COMMAND|GIT_EXTERNAL_DIFF|GIT_EXEC_PATH|GIT_TEMPLATE_DIR|GIT_CONFIG.*)$/;

/** The environment of a step: the daemon's, without variables that point at the user's repository. */
export function scrubbedEnv(env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const clean: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) {
    if (value === undefined || REPOSITORY_VARS.includes(key)) continue;
    clean[key] = value;
  }
  return clean;
}

/** The environment of Axum's own git commands: also without programs git could be told to run. */
export function gitEnv(env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  return Object.fromEntries(Object.entries(scrubbedEnv(env)).filter(([key]) => !PROGRAM_VARS.test(key)));
}

/** Git through simple-git, with hooks disabled (`core.hooksPath=/dev/null`) on every command. */
export function createSimpleGit(repoRoot: string): GitPort {
  const git: SimpleGit = simpleGit({
    baseDir: repoRoot,
    config: ['core.hooksPath=/dev/null'],
    // simple-git refuses hooksPath by default (it could point at attacker hooks); ours disables them.
    unsafe: { allowUnsafeHooksPath: true },
    maxConcurrentProcesses: 4,
  }).env(gitEnv());
  // Reads by name (a branch's head, a commit's subject, a file at a commit) go through one running
  // `git cat-file --batch` instead of a process each: a run is queued, and `run.trigger` answered,
  // without a spawn on the daemon's main thread (git-cat-file.ts says why that matters).
  const catFile = createCatFile(repoRoot, gitEnv());
  const catFileRead = (name: string) => catFile.read(name).catch(() => undefined); // undefined: ask git another way
  // The subjects of the heads, when git listed them (the heads are read from the files, where
  // git-refs.ts can): a run queued for a head is then recorded with its subject without another
  // read; otherwise its subject is one read through `cat-file`, no process either.
  const headSubjects = new Map<string, string>();
  // Where git keeps this repository's HEAD (`own`: a worktree has its own) and its refs (`common`),
  // asked of git once: the heads and the current branch are then read from the files (git-refs.ts).
  let dirs: Promise<{ own: string; common: string }> | null = null;
  const gitDirs = (): Promise<{ own: string; common: string }> => {
    dirs ??= git.raw(['rev-parse', '--absolute-git-dir', '--git-common-dir']).then((out) => {
      const [own, common] = out.split('\n').map((line) => line.trim());
      if (!own || !common) throw new Error(`git rev-parse printed ${JSON.stringify(out)}`);
      return { own, common: resolve(repoRoot, common) };
    });
    dirs.catch(() => (dirs = null)); // asked again next time
    return dirs;
  };
  // When the files could not be read (a `.git` replaced or moved under the daemon, a layout
  // git-refs.ts does not know), git is asked this time and the folders again next time, so a
  // stale answer of `rev-parse` is not kept for the daemon's life.
  const forgetGitDirs = (): void => {
    dirs = null;
  };
  // What each worktree we added links to (its `.git` file). A step may rewrite or remove that file,
  // and git run in the folder would then follow it to another repository (or walk up to one): a
  // kept worktree is reset or cleaned only while the link is the one git wrote. Read synchronously:
  // a few bytes, and on the way to a run's first step the thread pool is busy with its saves' fsyncs.
  const worktreeLinks = new Map<string, string>();
  const linkOf = (dir: string): string | null => {
    try {
      return lstatSync(join(dir, '.git')).isFile() ? readFileSync(join(dir, '.git'), 'utf8') : null;
    } catch {
      return null;
    }
  };
  /**
   * The worktree's own git folder, when `dir` is still the worktree we added and nothing a step did
   * there makes a reset or a clean lie: the folder itself a real one (not a link put in its place),
   * its `.git` link the one git wrote, and no per-worktree git state a step may set with git's own
   * commands (`git sparse-checkout`, `git config --worktree core.worktree …`), which would make the
   * next run's checkout partial or point `git clean` at another folder. Anything else throws: the
   * caller makes the worktree afresh.
   */
  const ownWorktree = (dir: string): string => {
    const expected = worktreeLinks.get(dir);
    const stat = lstatSync(dir, { throwIfNoEntry: false });
    if (expected === undefined || !stat?.isDirectory() || linkOf(dir) !== expected) throw new Error(`${dir} is not the worktree Axum added (its .git link changed or is gone)`);
    const gitDir = /^gitdir: (.+)$/m.exec(expected)?.[1]?.trim();
    if (!gitDir) throw new Error(`${dir}: its .git link names no git folder`);
    const own = resolve(dir, gitDir);
    for (const file of ['config.worktree', join('info', 'sparse-checkout')]) {
      if (existsSync(join(own, file))) throw new Error(`${dir}: a step left per-worktree git state (${file})`);
    }
    return own;
  };
  // Axum's own git in a kept worktree: the folders named (a `core.worktree` set there is not
  // followed), and no sparse checkout, whatever a config says. (A worktree's own config, where a
  // step would set `core.fsmonitor` for it, is refused above.)
  // Every revision below comes after `--end-of-options`: a commit read from a record (a manifest, a
  // backup) is not trusted, and `--output=PATH` where git reads options would write a file.
  const inWorktree = (dir: string, gitDir: string, ...args: string[]) => git.raw(['-c', 'core.sparseCheckout=false', `--git-dir=${gitDir}`, `--work-tree=${dir}`, ...args]);
  const port: GitPort = {
    async heads() {
      const fromFiles = await gitDirs()
        .then(({ common }) => readHeads(common))
        .catch(() => null);
      if (fromFiles) return fromFiles;
      forgetGitDirs();
      const out = await git.raw(['for-each-ref', '--format=%(refname:lstrip=2)%00%(objectname)%00%(contents:subject)', 'refs/heads']);
      const heads = new Map<string, string>();
      if (headSubjects.size > 1000) headSubjects.clear(); // a bound, not a history: heads only
      for (const line of out.split('\n')) {
        const [branch, sha, subject] = line.split('\0');
        if (!branch || !sha || !/^[0-9a-f]{40,64}$/.test(sha)) continue;
        heads.set(branch, sha);
        // `%(contents:subject)` is `log --format=%s`: the first paragraph, its lines joined by spaces.
        if (subject !== undefined) headSubjects.set(sha, firstLine(subject, SUBJECT_READ_MAX));
      }
      return heads;
    },
    async head(branch) {
      // Not a name git allows for a branch (`main~1`, `main:path`, `-x`: the protocol's rule): such a branch cannot exist.
      if (branch === '' || branchNameProblem(branch) !== null) return null;
      const object = await catFileRead(`refs/heads/${branch}`);
      // A long-lived `cat-file` may read a ref while git rewrites it (a ref update, `pack-refs`); a
      // benchmark under load once got "no branch main" for a branch that existed. So "missing" is
      // asked again of `for-each-ref` before it is believed: a mistyped --branch is rare, so is the spawn.
      if (object === undefined || object === null || object.type !== 'commit') return (await port.heads()).get(branch) ?? null;
      const subject = subjectOfCommit(object.content);
      if (subject !== null) headSubjects.set(object.sha, firstLine(subject, SUBJECT_READ_MAX));
      return object.sha;
    },
    async resolveCommit(rev) {
      const object = await catFileRead(`${rev}^{commit}`);
      if (object !== undefined) return object?.sha ?? null;
      try {
        return (await git.raw(['rev-parse', '--verify', '--quiet', '--end-of-options', `${rev}^{commit}`])).trim() || null;
      } catch {
        return null;
      }
    },
    async currentBranch() {
      const fromFile = await gitDirs()
        .then(({ own }) => readCurrentBranch(own))
        .catch(() => null);
      if (fromFile !== null) return fromFile ?? null;
      forgetGitDirs();
      try {
        // Not --short: with a tag of the same name git shortens `main` to `heads/main`.
        return (await git.raw(['symbolic-ref', '--quiet', 'HEAD'])).trim().replace(/^refs\/heads\//, '') || null;
      } catch {
        return null;
      }
    },
    async showFile(commit, path) {
      const object = await catFileRead(`${commit}:${path}`);
      if (object !== undefined) return object?.type === 'blob' ? object.content.toString('utf8') : null;
      try {
        return await git.raw(['show', '--end-of-options', `${commit}:${path}`]);
      } catch {
        return null;
      }
    },
    async subject(commit) {
      const known = headSubjects.get(commit);
      // Bounded here already (a subject of megabytes is not kept in memory); the record cuts it shorter once masked.
      if (known !== undefined) return known;
      const object = await catFileRead(`${commit}^{commit}`);
      const subject = object ? subjectOfCommit(object.content) : null;
      if (subject !== null) return firstLine(subject, SUBJECT_READ_MAX);
      return firstLine(await git.raw(['log', '-1', '--format=%s', '--end-of-options', commit]), SUBJECT_READ_MAX);
    },
    async commitsBetween(from, to, limit) {
      const out = await git.raw(['log', `--max-count=${limit}`, '--format=%h %s', '--end-of-options', `${from}..${to}`]);
      return out.split('\n').filter(Boolean).map((line) => clip(line, SUBJECT_MAX));
    },
    async skippedCommits(from, to, limit) {
      // Walked by first parents through cat-file (no process): a head one commit ahead, the common
      // case, costs one read. Only a longer way, or one that never meets `from` (a force push), asks git.
      const skipped: string[] = [];
      let at: string | null = to;
      for (let i = 0; i <= limit && at !== null; i++) {
        const object = await catFileRead(`${at}^{commit}`);
        if (!object) break;
        const parent = firstParentOfCommit(object.content);
        if (parent === from) return skipped.slice(0, limit).reverse();
        if (parent === null) break; // `from` is no ancestor (an amend, a force push): git says what is new
        skipped.push(parent);
        at = parent;
      }
      const out = await git.raw(['rev-list', '--first-parent', `--max-count=${limit + 1}`, '--end-of-options', `${from}..${to}`]);
      return out.split('\n').filter((sha) => sha !== '' && sha !== to).slice(0, limit).reverse();
    },
    isAncestor: (ancestor, commit) => isAncestorByExit(repoRoot, ancestor, commit),
    async addWorktree(commit, dir) {
      worktreeLinks.delete(dir);
      await rm(dir, { recursive: true, force: true });
      await git.raw(['worktree', 'add', '--detach', '--force', '--end-of-options', dir, commit]);
      const link = linkOf(dir);
      if (link !== null) worktreeLinks.set(dir, link);
    },
    async resetWorktree(commit, dir) {
      // `checkout --detach` takes no `--end-of-options`: the commit is a full object name or nothing.
      if (!/^[0-9a-f]{40,64}$/.test(commit)) throw new Error(`not a commit's object name: ${JSON.stringify(commit)}`);
      const gitDir = ownWorktree(dir);
      // --force: modified and deleted files, and files a step added to the index, are the commit's again.
      await inWorktree(dir, gitDir, 'checkout', '--quiet', '--detach', '--force', commit);
    },
    async cleanWorktree(dir) {
      const gitDir = ownWorktree(dir);
      // A file a step marked skip-worktree or assume-unchanged would keep its edits through the next
      // checkout (git no longer looks at it): such a worktree is made afresh. Off the way to a run.
      const flagged = (await inWorktree(dir, gitDir, 'ls-files', '-v')).split('\n').find((line) => line !== '' && !line.startsWith('H '));
      if (flagged) throw new Error(`${dir}: a step flagged ${flagged.slice(2)} in the index (skip-worktree or assume-unchanged)`);
      // -ff: nested repositories a step cloned go too; -x: ignored files (build outputs) as well.
      await inWorktree(dir, gitDir, 'clean', '--quiet', '-ffdx');
    },
    async removeWorktree(dir) {
      worktreeLinks.delete(dir);
      try {
        await git.raw(['worktree', 'remove', '--force', '--force', dir]);
      } finally {
        // Build outputs are untracked; make sure nothing of the run stays on disk.
        await rm(dir, { recursive: true, force: true });
      }
    },
    async pruneWorktrees() {
      await git.raw(['worktree', 'prune']);
    },
  };
  return port;
}

/**
 * `git merge-base --is-ancestor` answers by its exit code alone: 0 it is, 1 it is not, anything
 * else (a bad revision, a broken repository, git not spawned) is no answer. Run without
 * simple-git, which reads an exit 1 with nothing on stderr as success and so cannot tell 0 from 1.
 */
function isAncestorByExit(repoRoot: string, ancestor: string, commit: string): Promise<Awaited<ReturnType<GitPort['isAncestor']>>> {
  const args = ['-c', 'core.hooksPath=/dev/null', 'merge-base', '--is-ancestor', '--end-of-options', ancestor, commit];
  return new Promise((resolve) => {
    execFile('git', args, { cwd: repoRoot, env: gitEnv() }, (err) => {
      if (err === null) resolve('ancestor');
      else resolve(err.code === 1 ? 'not-ancestor' : 'unknown'); // a spawn failure's code is a string (ENOENT)
    });
  });
}

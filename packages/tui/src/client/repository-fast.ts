import { existsSync, lstatSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { dirname, join, sep } from 'node:path';

/**
 * The repository root of `dir` without running git, for the one layout most commands run in: a
 * plain clone, `dir` at or below its top, `.git` a folder we own. Every command resolves its
 * repository before anything else, and two `git` processes cost more than the rest of a command
 * on a busy machine (BENCHMARKS.md, CLI start). Anything else — a linked worktree or submodule
 * (`.git` is a file), `core.worktree`, a bare or included config, git's discovery variables, a
 * folder inside `.git`, another owner (git's safe.directory check) — returns null, and the caller
 * asks git, whose answer is the definition this must agree with.
 */
export function plainCloneRoot(dir: string, env: NodeJS.ProcessEnv = process.env, uid: number | null = process.getuid?.() ?? null): string | null {
  if (env.GIT_CEILING_DIRECTORIES !== undefined || env.GIT_DISCOVERY_ACROSS_FILESYSTEM !== undefined || env.GIT_CONFIG_GLOBAL !== undefined) return null;
  if (env.GIT_CONFIG_PARAMETERS !== undefined || env.GIT_CONFIG_COUNT !== undefined) return null;
  if (env.GIT_DIR !== undefined || env.GIT_WORK_TREE !== undefined || env.GIT_COMMON_DIR !== undefined || env.GIT_INDEX_FILE !== undefined) return null;
  let here: string;
  try {
    here = realpathSync(dir);
  } catch {
    return null;
  }
  if (here.split(sep).includes('.git')) return null;
  // git's discovery stops at a file-system boundary (without GIT_DISCOVERY_ACROSS_FILESYSTEM): so does this.
  const device = statSync(here).dev;
  for (;;) {
    if (statSync(here).dev !== device) return null;
    const dotGit = join(here, '.git');
    let found = false;
    try {
      const stat = lstatSync(dotGit);
      if (!stat.isDirectory()) return null;
      if (uid !== null && (stat.uid !== uid || statSync(here).uid !== uid)) return null;
      found = true;
    } catch {
      // no `.git` here: look one folder up
    }
    if (found) return isPlainGitDir(dotGit) ? here : null;
    const parent = dirname(here);
    if (parent === here) return null;
    here = parent;
  }
}

/** A git folder whose config says nothing that moves the work tree or makes it bare. */
function isPlainGitDir(gitDir: string): boolean {
  if (!['HEAD', 'objects', 'refs'].every((entry) => existsSync(join(gitDir, entry))) || existsSync(join(gitDir, 'commondir'))) return false;
  let config: string;
  try {
    config = readFileSync(join(gitDir, 'config'), 'utf8');
  } catch {
    return false;
  }
  // `bare` alone, or = true/yes/on/1, makes it bare; `worktree…` keys move or split the work tree.
  return !/^\s*worktree|^\s*bare\b(?!\s*=\s*(false|no|off|0)\s*$)|^\s*\[\s*include/im.test(config);
}

import { existsSync } from 'node:fs';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';

// Reading a repository's branches and HEAD from its files instead of running git. Why: every
// `spawn` of the daemon costs 10–20 ms of its main thread on the machines Axum is measured on
// (git-cat-file.ts), and the heads are read at every ref hint, every 5 s, and before a push's run
// is queued. What git keeps in files is read the way git itself reads it; anything this does not
// understand (the reftable backend, a symbolic ref among the branches, a malformed file) answers
// null, and the caller asks git.

const OBJECT_NAME = /^[0-9a-f]{40}(?:[0-9a-f]{24})?$/;

/** A file that vanished between listing and reading (deleted, or packed and pruned): not an error. */
const gone = (err: unknown): boolean => (err as NodeJS.ErrnoException).code === 'ENOENT';

async function readOrNull(path: string): Promise<string | null> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    if (gone(err)) return null;
    throw err;
  }
}

/** A branch name `git check-ref-format` takes without a doubt; anything else is left to git. */
function plainRefName(name: string): boolean {
  if ([...name].some((c) => c <= ' ' || c === '\x7f')) return false;
  if (/[~^:?*[\\]|\.\.|@\{|\/\/|\.lock$|^\/|\/$|\.$/.test(name)) return false;
  return name.split('/').every((part) => part !== '' && !part.startsWith('.'));
}

/** Loose refs under `refs/heads`, by branch name; null when one is not a plain object name. */
async function looseHeads(commonDir: string): Promise<Map<string, string> | null> {
  const heads = new Map<string, string>();
  const walk = async (dir: string, prefix: string): Promise<boolean> => {
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (err) {
      // A branch folder that vanished mid-walk is a deleted branch; `refs/heads` itself missing is
      // not "no branches" (a moved `.git`, a layout this does not know): git is asked.
      if (gone(err)) return prefix !== '';
      throw err;
    }
    for (const entry of entries) {
      const name = `${prefix}${entry.name}`;
      if (entry.isDirectory()) {
        if (!(await walk(join(dir, entry.name), `${name}/`))) return false;
        continue;
      }
      // A ref being written is `<name>.lock` until git renames it into place.
      if (entry.name.endsWith('.lock')) continue;
      // A name git would not list (`.tmp`, `a b`, `x~1`): git decides what it is.
      if (!plainRefName(name)) return false;
      const text = await readOrNull(join(dir, entry.name));
      if (text === null) continue;
      const sha = text.trim();
      if (!OBJECT_NAME.test(sha)) return false;
      heads.set(name, sha);
    }
    return true;
  };
  return (await walk(join(commonDir, 'refs', 'heads'), '')) ? heads : null;
}

/**
 * The branches and their heads as `git for-each-ref refs/heads` lists them (sorted by name), from
 * the files backend: loose refs, then `packed-refs` for the branches that have no loose file.
 * Loose first, as git does: `pack-refs` writes the packed file before it prunes the loose ones, so
 * a branch being packed is found in one or the other. Null: ask git.
 */
export async function readHeads(commonDir: string): Promise<Map<string, string> | null> {
  if (existsSync(join(commonDir, 'reftable'))) return null;
  const loose = await looseHeads(commonDir);
  if (loose === null) return null;
  const packed = await readOrNull(join(commonDir, 'packed-refs'));
  for (const line of (packed ?? '').split('\n')) {
    if (line === '' || line.startsWith('#') || line.startsWith('^')) continue;
    const space = line.indexOf(' ');
    const sha = line.slice(0, space);
    const ref = line.slice(space + 1);
    if (space < 0 || !OBJECT_NAME.test(sha)) return null;
    if (!ref.startsWith('refs/heads/')) continue;
    const branch = ref.slice('refs/heads/'.length);
    if (!loose.has(branch)) loose.set(branch, sha);
  }
  return new Map([...loose].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/**
 * The branch HEAD names in a git dir (a worktree's own), `undefined` when it is detached, null
 * when the file says something else (ask git).
 */
export async function readCurrentBranch(gitDir: string): Promise<string | undefined | null> {
  const text = (await readOrNull(join(gitDir, 'HEAD')))?.trim();
  if (text === undefined) return null;
  if (OBJECT_NAME.test(text)) return undefined;
  const ref = /^ref: refs\/heads\/(.+)$/.exec(text)?.[1];
  return ref ?? null;
}

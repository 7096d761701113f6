// What a release keeps of a run's worktree: the files its `artifacts` patterns take, symlinks
// checked, names checked before anything is written (ARCHITECTURE.md, glossary: Release).
import { readdir, readlink, realpath, stat } from 'node:fs/promises';
import { isAbsolute, join, relative, sep } from 'node:path';
import picomatch from 'picomatch';
import { relativeLink } from '../domain/artifact-links.js';

/**
 * Each artifact's path in the release and the file to store for it, or, for a symlink kept as a
 * link, its target text; the patterns that took nothing.
 */
export interface ArtifactSelection {
  files: ({ path: string; source: string; link?: undefined } | { path: string; link: string })[];
  unmatched: string[];
}

/**
 * The files of `workdir` the patterns take. A name `refusePath` refuses (a secret in it) fails
 * the selection before anything is stored; so does a selection that is empty although patterns
 * were given (an empty release would deploy nothing, silently).
 */
export async function selectArtifacts(workdir: string, patterns: readonly string[], refusePath?: (path: string) => string | null): Promise<ArtifactSelection> {
  const matchers = patterns.map((pattern) => ({ pattern, matches: picomatch(pattern, { dot: true }), used: false }));
  const taken = (path: string) => matchers.some((m) => m.matches(path));
  const paths: { path: string; link: boolean }[] = [];
  for (const { path, link } of await listArtifactCandidates(workdir)) {
    const hits = matchers.filter((m) => m.matches(path));
    if (hits.length === 0) continue;
    for (const hit of hits) hit.used = true;
    const refusal = refusePath?.(path) ?? null;
    if (refusal !== null) throw new Error(refusal);
    paths.push({ path, link });
  }
  if (patterns.length > 0 && paths.length === 0) {
    throw new Error(`no file matches artifacts [${patterns.join(', ')}] after the last stage: nothing to release (a step must write them, e.g. model/ by a train step)`);
  }
  const root = await realpath(workdir);
  const files: ArtifactSelection['files'] = [];
  for (const { path, link } of paths) files.push(link ? { path, link: await linkTarget(workdir, root, path, taken) } : { path, source: join(workdir, ...path.split('/')) });
  return { files, unmatched: matchers.filter((m) => !m.used).map((m) => m.pattern) };
}

/**
 * Every regular file under `dir` as a `/`-separated relative path, skipping `.git`, and every
 * symlink (checked by `linkTarget` when an artifact pattern takes it).
 */
async function listArtifactCandidates(dir: string): Promise<{ path: string; link: boolean }[]> {
  const out: { path: string; link: boolean }[] = [];
  const walk = async (current: string) => {
    for (const entry of await readdir(current, { withFileTypes: true })) {
      if (entry.name === '.git') continue;
      const full = join(current, entry.name);
      if (entry.isDirectory()) await walk(full);
      else if (entry.isFile() || entry.isSymbolicLink()) out.push({ path: relative(dir, full).split(sep).join('/'), link: entry.isSymbolicLink() });
    }
  };
  await walk(dir);
  return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/**
 * The target text to keep for the symlink at artifact `path`. A symlink is kept, as a link, when it
 * stays inside the release (its target, followed through every link, is a file the artifact
 * patterns take too): written relative to its own folder and naming that file directly, so every
 * release folder holds the same link whatever the worktree's link said (absolute, or through
 * another link). A link that leaves the release — to a file outside the patterns, outside the
 * worktree, or nowhere — is refused with its path: it would make the release depend on the
 * machine it was built on.
 */
async function linkTarget(workdir: string, root: string, path: string, taken: (path: string) => boolean): Promise<string> {
  const full = join(workdir, ...path.split('/'));
  const link = await readlink(full).catch(() => '?');
  let target: string;
  try {
    target = await realpath(full);
  } catch {
    throw new Error(`the artifact ${path} is a symlink to ${link}, which does not exist`);
  }
  const inside = relative(root, target).split(sep).join('/');
  if (inside.startsWith('..') || isAbsolute(inside) || !taken(inside) || !(await stat(target)).isFile()) {
    throw new Error(`the artifact ${path} is a symlink to ${link}, outside the release: replace it with the file, or point it at a file the artifacts patterns take`);
  }
  return relativeLink(path, inside);
}

// Symlinks a release keeps as links: where one points, written relative to its own folder, and
// whether it stays inside the release. Pure path arithmetic on `/`-separated release paths, so the
// store, the integrity checks and the remote hosts read a link's target the same way.
import type { ArtifactView } from '@axum/protocol';

/**
 * The release path a link at `path` whose target text is `target` names, or null when it leaves
 * the release: an absolute target, one that climbs above the release's root, or an empty one.
 */
export function linkedPath(path: string, target: string): string | null {
  if (target === '' || target.startsWith('/') || /[\0\n\r\\]/.test(target)) return null;
  const parts = path.split('/').slice(0, -1);
  for (const part of target.split('/')) {
    if (part === '' || part === '.') continue;
    if (part !== '..') parts.push(part);
    else if (parts.pop() === undefined) return null;
  }
  return parts.length === 0 ? null : parts.join('/');
}

/** The relative target text of a link at release path `path` naming release path `to`. */
export function relativeLink(path: string, to: string): string {
  const from = path.split('/').slice(0, -1);
  const dest = to.split('/');
  let common = 0;
  while (common < from.length && common < dest.length - 1 && from[common] === dest[common]) common++;
  return [...from.slice(common).map(() => '..'), ...dest.slice(common)].join('/');
}

/** Why `path` is not a plain `/`-separated path inside a release folder, or null. */
export function artifactPathProblem(path: string): string | null {
  if (path === '' || path.startsWith('/') || /[\0\\]/.test(path)) return 'not a relative path inside the release';
  return path.split('/').some((part) => part === '' || part === '.' || part === '..') ? 'a path with an empty, . or .. part' : null;
}

/**
 * The first artifact whose path leaves the release or is named twice, or the first link of a
 * release that does not name one of its files — outside the release, to nothing, or to another
 * link — or null. A release folder is never given such a link, whatever a
 * record says: a tampered manifest or backup must not make a folder that reaches outside itself.
 */
export function linkProblem(artifacts: readonly ArtifactView[]): string | null {
  const seen = new Set<string>();
  for (const artifact of artifacts) {
    // Paths first: `a/../../l` would be made outside the folder by path.join, whatever its target says.
    const problem = artifactPathProblem(artifact.path);
    if (problem !== null) return `${JSON.stringify(artifact.path)}: ${problem}; refusing to make it`;
    if (seen.has(artifact.path)) return `${artifact.path}: named twice in the record (a file written through a link of the same name); refusing to make it`;
    seen.add(artifact.path);
  }
  const files = new Set(artifacts.filter((a) => a.link === undefined).map((a) => a.path));
  for (const artifact of artifacts) {
    if (artifact.link === undefined) continue;
    const named = linkedPath(artifact.path, artifact.link);
    if (named === null || !files.has(named)) return `${artifact.path}: a symlink to ${artifact.link}, which is not a file of the release; refusing to make it`;
  }
  return null;
}

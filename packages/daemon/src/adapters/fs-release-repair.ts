// `axum fsck --repair` on disk: a release folder whose files changed is made whole again from the
// store, and a stored file that is lost or corrupt is given back from a release folder that still
// holds an intact copy. Every copy is hashed before it takes the place of anything, and takes it
// by a rename: a reader sees the damaged file or the whole new one, never a half-written one.
import { createHash } from 'node:crypto';
import { constants, createReadStream } from 'node:fs';
import { chmod, copyFile, lstat, mkdir, readlink, rename, rm, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { ArtifactView, ReleaseView } from '@axum/protocol';
import { MATERIALIZED, contentOf, linkChanged, stampFiles, writeDurably } from './fs-release-folders.js';
import { PRIVATE_DIR_MODE, STORED_FILE_MODE } from './owner-only.js';

/** The sha256 of a file's bytes, or null when it cannot be read as a file (missing, a folder, a link). */
async function hashOf(file: string): Promise<string | null> {
  const info = await lstat(file).catch(() => null);
  if (!info?.isFile()) return null;
  const hash = createHash('sha256');
  try {
    await pipeline(createReadStream(file), hash);
  } catch {
    return null;
  }
  return hash.digest('hex');
}

/**
 * Makes every folder on the way from `files` to the artifact a real folder: a symlink (or a file)
 * put in the place of one is removed (the link itself, never what it names), so nothing the repair
 * writes can land outside the release folder.
 */
async function realFolders(files: string, path: string): Promise<void> {
  let at = files;
  for (const part of path.split('/').slice(0, -1)) {
    at = join(at, part);
    const info = await lstat(at).catch(() => null);
    if (info?.isDirectory()) continue;
    if (info) await rm(at, { force: true });
    await mkdir(at, { mode: PRIVATE_DIR_MODE });
  }
}

const tempName = (dir: string, what: string) => join(dir, `.${what}-${process.pid}-${Math.random().toString(36).slice(2)}`);

/** Copies `from` to a temp file in `dir`, read-only, and renames it to `to` only if its bytes hash to `sha256`. */
async function copyVerified(from: string, dir: string, to: string, sha256: string): Promise<boolean> {
  const temp = tempName(dir, 'repair');
  try {
    // A clone where the filesystem has it: its blocks are shared copy-on-write, so a later write
    // to either copy never reaches the other.
    await copyFile(from, temp, constants.COPYFILE_FICLONE);
    await chmod(temp, STORED_FILE_MODE);
    if ((await hashOf(temp)) !== sha256) return false;
    const there = await lstat(to).catch(() => null);
    if (there?.isDirectory()) await rm(to, { recursive: true, force: true }); // a folder put where a file was
    await rename(temp, to);
    return true;
  } finally {
    await rm(temp, { force: true });
  }
}

/**
 * Makes every artifact of a complete folder what the release says again, from the store: a changed,
 * missing or replaced file is copied from its stored copy (which must hash to its sha256), a link
 * made again with its recorded target text; then the folder is stamped anew (so a file only touched,
 * its bytes whole, is just stamped). Temp copies are made beside `files/`, never inside it: a served
 * folder holds only the release's files. Returns the artifacts' paths that were put back.
 */
export async function repairFolder(release: ReleaseView, releaseDir: string, blobOf: (sha: string) => string): Promise<string[]> {
  const files = join(releaseDir, 'files');
  if (!(await lstat(files).catch(() => null))?.isDirectory()) throw new Error(`${files} is not a folder (a symlink put in its place?); not repaired in place`);
  const repaired: string[] = [];
  for (const artifact of release.artifacts) {
    const at = join(files, ...artifact.path.split('/'));
    await realFolders(files, artifact.path);
    if (artifact.link !== undefined) {
      if ((await linkChanged(files, artifact)) === null) continue;
      const temp = tempName(releaseDir, 'relink');
      await symlink(artifact.link, temp);
      if ((await lstat(at).catch(() => null))?.isDirectory()) await rm(at, { recursive: true, force: true });
      await rename(temp, at);
      repaired.push(artifact.path);
      continue;
    }
    if ((await hashOf(at)) === artifact.sha256) continue;
    if (!(await copyVerified(blobOf(artifact.sha256), releaseDir, at, artifact.sha256))) {
      throw new Error(`${artifact.path}: its stored copy does not hash to its sha256 either; nothing whole to repair it from`);
    }
    repaired.push(artifact.path);
  }
  await writeDurably(join(releaseDir, MATERIALIZED), `${JSON.stringify({ id: release.id, content: contentOf(release), files: await stampFiles(files, release) })}\n`);
  return repaired;
}

/** The artifact's bytes as a release folder holds them hash to its sha256 (a link: its target text). */
async function intactIn(files: string, artifact: ArtifactView): Promise<boolean> {
  const at = join(files, ...artifact.path.split('/'));
  if (artifact.link === undefined) return (await hashOf(at)) === artifact.sha256;
  const text = await readlink(at).catch(() => null);
  return text !== null && createHash('sha256').update(text).digest('hex') === artifact.sha256;
}

/** What a lost or corrupt stored file of a release can be given back from. */
export interface BlobRestore {
  /** Artifacts whose stored copy is whole again (or, on a dry run, could be), and the release whose folder gave it. */
  restored: { path: string; from: string }[];
  /** Artifacts whose stored copy is lost or corrupt, with no intact copy in any complete folder. */
  lost: string[];
}

/**
 * For each artifact of `release` whose stored copy is missing or does not hash to its sha256: the
 * first complete folder of `sources` (this release's first) holding a copy that does is copied into
 * the store (hashed again once copied: the folder may change under it), unless `dryRun`.
 */
export async function restoreBlobs(release: ReleaseView, sources: { id: string; files: string; artifacts: readonly ArtifactView[] }[], blobDir: string, dryRun: boolean): Promise<BlobRestore> {
  const out: BlobRestore = { restored: [], lost: [] };
  for (const artifact of release.artifacts) {
    const blob = join(blobDir, artifact.sha256);
    if ((await hashOf(blob)) === artifact.sha256) continue;
    let from: string | null = null;
    for (const source of sources) {
      const copy = source.artifacts.find((a) => a.sha256 === artifact.sha256 && (a.link === undefined) === (artifact.link === undefined));
      if (!copy || !(await intactIn(source.files, copy))) continue;
      if (dryRun) from = source.id;
      else if (copy.link !== undefined) {
        const temp = tempName(blobDir, 'incoming-restore');
        await writeDurably(temp, copy.link);
        await chmod(temp, STORED_FILE_MODE);
        await rename(temp, blob);
        from = source.id;
      } else if (await copyVerified(join(source.files, ...copy.path.split('/')), blobDir, blob, artifact.sha256)) from = source.id;
      if (from !== null) break;
    }
    if (from === null) out.lost.push(artifact.path);
    else out.restored.push({ path: artifact.path, from });
  }
  return out;
}

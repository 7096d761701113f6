// What each release folder says about itself, beside its `files/`: the manifest (the release as it
// was recorded, so the index can be rebuilt), the materialized record (each file's size and change
// times when it was copied, so the check before a pointer move is O(files), not O(bytes)), the
// durable release-number counter, and the sweep of copies a kill cut short.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { lstat, readFile, readdir, readlink, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { ReleaseView, mkdirNoFollow, type ArtifactView } from '@axum/protocol';
import { writeFileDurably } from './durable-file.js';
import { PRIVATE_FILE_MODE } from './owner-only.js';

export const MANIFEST = 'manifest.json';
export const MATERIALIZED = 'materialized.json';

/** One file of a materialized folder as it was right after the copy. */
interface FileStamp {
  path: string;
  size: number;
  mtimeMs: number;
  ctimeMs: number;
  ino: number;
}

/** The record of one materialization: which content the folder holds, and how its files looked. */
export interface MaterializedRecord {
  id: string;
  content: string;
  files: FileStamp[];
}

/**
 * What a release's files are, independent of its id: a folder whose marker names another content
 * belongs to another release of the same id (an id reused after a history was lost). A link is
 * marked as one (a file holding its target text is another release); a file's line is as it was
 * before links were kept, so older folders keep their content.
 */
export function contentOf(release: Pick<ReleaseView, 'artifacts'>): string {
  const lines = [...release.artifacts].sort((a, b) => (a.path < b.path ? -1 : 1)).map((a) => `${a.path}\0${a.sha256}\0${a.size}${a.link === undefined ? '' : '\0link'}`);
  return createHash('sha256').update(lines.join('\n')).digest('hex');
}

/** Writes `file` whole and durably: a temp file fsync'd, renamed over, and the folder fsync'd. */
export async function writeDurably(file: string, text: string): Promise<void> {
  mkdirNoFollow(dirname(file));
  // A temp name of its own: a manifest and a materialized record may be written at the same time.
  writeFileDurably(file, text, { mode: PRIVATE_FILE_MODE, temp: `${file}.${process.pid}-${Math.random().toString(36).slice(2)}.tmp` });
}

/** Stamps of the artifacts under `files` (size, mtime, ctime, inode), as they are now. */
export async function stampFiles(files: string, release: Pick<ReleaseView, 'artifacts'>): Promise<FileStamp[]> {
  const out: FileStamp[] = [];
  for (const artifact of release.artifacts) {
    const info = await lstat(join(files, ...artifact.path.split('/')));
    out.push({ path: artifact.path, size: info.size, mtimeMs: info.mtimeMs, ctimeMs: info.ctimeMs, ino: info.ino });
  }
  return out;
}

export async function readMaterialized(releaseDir: string): Promise<MaterializedRecord | null> {
  try {
    const parsed = JSON.parse(await readFile(join(releaseDir, MATERIALIZED), 'utf8')) as MaterializedRecord;
    return typeof parsed.content === 'string' && Array.isArray(parsed.files) ? parsed : null;
  } catch {
    return null;
  }
}

/**
 * Compares the folder's files with their stamps: any change of size, modification or change time
 * (a chmod or a rewrite changes the latter, whatever the clock says) or inode is a file that is no
 * longer the one verified. The first such file, or null.
 */
export async function changedSinceMaterialized(files: string, record: MaterializedRecord, release: Pick<ReleaseView, 'artifacts'>): Promise<string | null> {
  const stamps = new Map(record.files.map((f) => [f.path, f]));
  for (const artifact of release.artifacts) {
    const stamp = stamps.get(artifact.path);
    const info = await lstat(join(files, ...artifact.path.split('/'))).catch(() => null);
    if (!info) return `${artifact.path}: missing from the release folder (changed since it was materialized)`;
    // A link is read first (one readlink, still O(files)): its target text says more than its stamp.
    const relinked = artifact.link === undefined ? null : await linkChanged(files, artifact);
    if (relinked) return relinked;
    if (!stamp || info.size !== stamp.size || info.mtimeMs !== stamp.mtimeMs || info.ctimeMs !== stamp.ctimeMs || info.ino !== stamp.ino) {
      return `${artifact.path}: changed since it was materialized${stamp && info.size !== stamp.size ? ` (${info.size} bytes, was ${stamp.size})` : ''}`;
    }
  }
  return null;
}

/**
 * A link artifact of a folder that is no longer a link with its recorded target text, or null.
 * The file it names is an artifact of its own, checked as itself.
 */
export async function linkChanged(files: string, artifact: ArtifactView): Promise<string | null> {
  const at = join(files, ...artifact.path.split('/'));
  const info = await lstat(at).catch(() => null);
  if (!info?.isSymbolicLink()) return `${artifact.path}: the release folder's symlink to ${artifact.link} is ${info ? 'no longer a symlink' : 'missing'} (changed since it was materialized)`;
  const text = await readlink(at);
  return text === artifact.link ? null : `${artifact.path}: the release folder's symlink points to ${text}, not ${artifact.link} (changed since it was materialized)`;
}

/**
 * Re-hashes every file of a folder against its sha256, and reads every link's target text: the
 * first that differs, or null.
 */
export async function hashFolder(files: string, release: Pick<ReleaseView, 'artifacts'>): Promise<string | null> {
  for (const artifact of release.artifacts) {
    if (artifact.link !== undefined) {
      const problem = await linkChanged(files, artifact);
      if (problem) return problem;
      continue;
    }
    const info = await lstat(join(files, ...artifact.path.split('/'))).catch(() => null);
    if (info?.isSymbolicLink()) return `${artifact.path}: the release folder's copy is a symlink, not the file (changed since it was materialized)`;
    const hash = createHash('sha256');
    try {
      await pipeline(createReadStream(join(files, ...artifact.path.split('/'))), hash);
    } catch (err) {
      return `${artifact.path}: the release folder's copy cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`;
    }
    const actual = hash.digest('hex');
    if (actual !== artifact.sha256) return `${artifact.path}: the release folder's copy hashes to ${actual.slice(0, 12)}…, not ${artifact.sha256.slice(0, 12)}… (changed since it was materialized)`;
  }
  return null;
}

const COUNTER = 'release-counter';
const NUMBERED = /^rel-(\d+)(?:-\d+)?$/;

/** The highest number the durable counter or any `rel-N` folder under `releasesDir` has used. */
export async function highestUsedNumber(stateDir: string, releasesDir: string): Promise<number> {
  let highest = 0;
  const counted = Number((await readFile(join(stateDir, COUNTER), 'utf8').catch(() => '0')).trim());
  if (Number.isSafeInteger(counted) && counted > 0) highest = counted;
  for (const name of await readdir(releasesDir).catch(() => [] as string[])) highest = Math.max(highest, Number(NUMBERED.exec(name)?.[1] ?? 0));
  return highest;
}

export async function recordUsedNumber(stateDir: string, n: number): Promise<void> {
  await writeDurably(join(stateDir, COUNTER), `${n}\n`);
}

/**
 * Removes `files.partial-*` folders (a copy a kill cut short): never complete, so never live; and the
 * temp copies a repair cut short left beside `files/` (fs-release-repair.ts).
 */
export async function sweepPartialCopies(releasesDir: string): Promise<string[]> {
  const removed: string[] = [];
  for (const id of await readdir(releasesDir).catch(() => [] as string[])) {
    for (const name of await readdir(join(releasesDir, id)).catch(() => [] as string[])) {
      if (!name.startsWith('files.partial-') && !name.startsWith('.repair-') && !name.startsWith('.relink-')) continue;
      await rm(join(releasesDir, id, name), { recursive: true, force: true });
      removed.push(`${id}/${name}`);
    }
  }
  return removed;
}

/** Every readable manifest under `releasesDir`, and the folders whose manifest is missing or unreadable. */
export async function readManifests(releasesDir: string): Promise<{ releases: ReleaseView[]; unreadable: string[] }> {
  const releases: ReleaseView[] = [];
  const unreadable: string[] = [];
  for (const id of (await readdir(releasesDir).catch(() => [] as string[])).sort()) {
    if (id.startsWith('.')) continue;
    try {
      const parsed = ReleaseView.safeParse({ bad: null, ...(JSON.parse(await readFile(join(releasesDir, id, MANIFEST), 'utf8')) as object) });
      if (parsed.success && parsed.data.id === id) releases.push({ ...parsed.data, bad: null });
      else unreadable.push(id);
    } catch {
      unreadable.push(id);
    }
  }
  return { releases, unreadable };
}

/** The manifest of a release: what it is, without marks (those are the index's, and change). */
export function manifestText(release: ReleaseView): string {
  const { id, runId, commit, branch, subject, createdAt, metrics, artifacts, config } = release;
  return `${JSON.stringify({ version: 1, id, runId, commit, branch, subject, createdAt, metrics, artifacts, config, content: contentOf(release) }, null, 2)}\n`;
}

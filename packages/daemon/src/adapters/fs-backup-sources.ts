// What one backup of `.axum/` takes (docs/backups.md), read as saved now: the history
// documents (bytes), the stored blobs every recorded release names, each release's manifest, and
// the step and operation logs under `runs/` (files). A restore needs nothing else.
import { readFile, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { LOG_FILE_PATTERN, RUN_FOLDER_PATTERN } from '../domain/backup-manifest.js';
import { hashFile } from './fs-backup-objects.js';
import { readRunsHistory } from './runs-journal.js';
import { recordedEnvironmentNames } from './state-files.js';

/** A stored blob the releases history names that the store lacks: which artifact of which release. */
export interface LostBlob {
  sha256: string;
  size: number;
  named: string;
}

/** A file the backup takes: its path under `.axum/`, and its bytes (documents) or a file's first `size` bytes. */
export type Source = { path: string; bytes: Buffer } | { path: string; file: string; sha256: string; size: number; log: boolean };

/** What the target's previous manifest says of a file, and when it was written: logs already hashed. */
export interface PreviousBackup {
  files: ReadonlyMap<string, { sha256: string; size: number }>;
  createdAtMs: number;
}

/**
 * Everything a restore needs, as saved now: each lowdb document is replaced by rename, so a read is
 * one whole version; the runs history (snapshot + journal) is replayed into one document, read again
 * if a compaction moved its files meanwhile. Blobs are the ones the releases history names.
 */
export async function collectSources(stateDir: string, previous: PreviousBackup | null, missing: LostBlob[] = []): Promise<Source[]> {
  const history = join(stateDir, 'history');
  const sources: Source[] = [];
  // Environments first, the releases history after: a release is recorded before any revision names
  // it, so every release the environments read here name is in the releases history read next.
  for (const env of await recordedEnvironmentNames(join(history, 'envs'))) {
    const bytes = await readFile(join(history, 'envs', `${env}.json`)).catch(() => null);
    if (bytes) sources.push({ path: `history/envs/${env}.json`, bytes });
  }
  sources.push({ path: 'history/runs.json', bytes: Buffer.from(JSON.stringify(await stableRunsHistory(join(history, 'runs.json')))) });
  const releasesBytes = await readFile(join(history, 'releases.json')).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return Buffer.from(JSON.stringify({ version: 1, releases: [] }));
    throw err;
  });
  sources.push({ path: 'history/releases.json', bytes: releasesBytes });
  const counter = await readFile(join(stateDir, 'release-counter')).catch(() => null);
  if (counter) sources.push({ path: 'release-counter', bytes: counter });
  const releases = (JSON.parse(releasesBytes.toString('utf8')) as { releases?: { id: string; artifacts: { path: string; sha256: string; size: number }[] }[] }).releases ?? [];
  const blobs = new Map<string, { size: number; named: string }>();
  for (const release of releases) {
    const manifest = await readFile(join(stateDir, 'releases', release.id, 'manifest.json')).catch(() => null);
    if (manifest) sources.push({ path: `releases/${release.id}/manifest.json`, bytes: manifest });
    for (const artifact of release.artifacts) if (!blobs.has(artifact.sha256)) blobs.set(artifact.sha256, { size: artifact.size, named: `${artifact.path} of ${release.id}` });
  }
  for (const [sha256, { size, named }] of blobs) {
    const file = join(stateDir, 'store', 'sha256', sha256);
    // A blob the store lost (removed by hand, a bad disk) is said and left out: the rest of the
    // history is still backed up, and a restore gives back the same state (that release fails its
    // integrity check there as here).
    const present = await stat(file).then(
      () => true,
      (err: NodeJS.ErrnoException) => {
        if (err.code === 'ENOENT') return false;
        throw err;
      },
    );
    if (present) sources.push({ path: `store/sha256/${sha256}`, file, sha256, size, log: false });
    else missing.push({ sha256, size, named });
  }
  // Logs after the runs history: a run that starts meanwhile only adds a log no run names yet.
  sources.push(...(await logSources(join(stateDir, 'runs'), previous)));
  return sources;
}

/**
 * Every step and operation log (`runs/<id>/logs/<step>.log` and its `.times` index), as the prefix
 * listed now. Logs are append-only, so a log at the size and no newer than the previous backup is
 * the one that backup hashed: only new and grown logs are read, not every log every hour.
 */
async function logSources(runsRoot: string, previous: PreviousBackup | null): Promise<Source[]> {
  const sources: Source[] = [];
  for (const run of (await readdir(runsRoot).catch(() => [] as string[])).sort()) {
    if (!RUN_FOLDER_PATTERN.test(run)) continue;
    const logs = join(runsRoot, run, 'logs');
    for (const name of (await readdir(logs).catch(() => [] as string[])).sort()) {
      if (!LOG_FILE_PATTERN.test(name)) continue;
      const file = join(logs, name);
      const path = `runs/${run}/logs/${name}`;
      const info = await stat(file).catch(() => null);
      // Gone since the listing (run retention): the backup goes on without it.
      if (!info?.isFile()) continue;
      const known = previous?.files.get(path);
      if (known && known.size === info.size && info.mtimeMs <= previous!.createdAtMs) {
        sources.push({ path, file, sha256: known.sha256, size: info.size, log: true });
        continue;
      }
      const hashed = await hashFile(file, info.size).catch(() => null);
      if (hashed && hashed.size === info.size) sources.push({ path, file, sha256: hashed.sha256, size: info.size, log: true });
    }
  }
  return sources;
}

/**
 * A history file the daemon found damaged and moved aside (`<file>.corrupt-…`, `.invalid-…`; the
 * history stores name them so), or null. The history it started instead may lack what the last
 * backup holds, and a backup mirrors `.axum/`: it would replace that backup's manifest and prune
 * its blobs — the one good copy. So no backup is written until a person has looked.
 */
export async function damagedHistoryFile(stateDir: string): Promise<string | null> {
  for (const dir of [join(stateDir, 'history'), join(stateDir, 'history', 'envs')]) {
    const found = (await readdir(dir).catch(() => [] as string[])).sort().find((name) => /\.(?:corrupt|invalid)-/.test(name));
    if (found) return join(dir, found);
  }
  return null;
}

async function stableRunsHistory(file: string): Promise<unknown> {
  const signature = async () => (await Promise.all([file, `${file.replace(/\.json$/, '')}.journal.old`].map((f) => stat(f).then((s) => `${s.ino}:${s.mtimeMs}`, () => '-')))).join('|');
  for (let attempt = 0; ; attempt++) {
    const before = await signature();
    const history = readRunsHistory(file);
    if ((await signature()) === before || attempt >= 4) return history;
  }
}

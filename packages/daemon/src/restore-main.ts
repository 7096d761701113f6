// `axum restore --from FOLDER` (docs/backups.md): a composition root of its own, run by the
// CLI as `axum-daemon.mjs --axum-daemon --axum-restore --repo ROOT --from FOLDER`, because it
// rebuilds the release store and the CLI never imports daemon code. It prints one JSON line (the
// CLI words it) and exits 0 restored, 1 refused. `--from user@host:/path` is first copied into a
// staging folder under the temp folder (ssh-backup-source.ts), then restored from there the same way.
//
// Why it refuses while a daemon runs: a daemon holds the history documents in memory and would
// write its own over the restored ones at its next save; restoring under its lock instead means the
// next daemon starts on the restored files and runs its usual recovery and reconciliation on them.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { CONFIG_FILE, PID_FILE, mkdirNoFollow, resolveRepositoryRoot, sshBackupTarget, type HostSpec, type ReleaseView } from '@axum/protocol';
import { verifyBackup, type VerifiedBackup } from './adapters/fs-backup-reader.js';
import { fetchSshBackup } from './adapters/ssh-backup-source.js';
import { backupDestinationFor, listSnapshots } from './adapters/backup-targets.js';
import { SNAPSHOT_ID, snapshotFile, snapshotId, type BackupFile } from './domain/backup-manifest.js';
import { copyVerified, removeIncoming, writeBytesDurably } from './adapters/fs-backup-objects.js';
import { crashHookFromEnv } from './adapters/crash-hook.js';
import type { CrashHook } from './engine/crash-points.js';
import { createFsReleaseStore } from './adapters/fs-release-store.js';
import { acquirePidfileLock } from './adapters/pidfile-lock.js';
import { readRunsHistory } from './adapters/runs-journal.js';
import { prepareStateDir, recordedEnvironmentNames } from './adapters/state-files.js';
import { loadConfigFile } from './adapters/yaml-config.js';
import { describeFsError } from './domain/disk-errors.js';
import { EnvironmentDocument, ReleasesDocument, servingRevision } from './domain/revisions.js';
import { PRIVATE_FILE_MODE, STORED_FILE_MODE } from './adapters/owner-only.js';

/**
 * Written first and removed last: a restore cut short may be run again over its own partial work,
 * and while it is there the daemon refuses to start (`restoreCutShort`), so a half-restored `.axum/`
 * is never served as if it were whole.
 */
const IN_PROGRESS = 'restore-in-progress';

/** Why the daemon must not start on `stateDir` (a restore was cut short there), or null. */
export function restoreCutShort(stateDir: string): string | null {
  let from: string;
  try {
    // Control characters become `?`: this text reaches the user's terminal through the daemon's log.
    from = readFileSync(join(stateDir, IN_PROGRESS), 'utf8').trim().replace(/\p{Cc}/gu, '?');
  } catch {
    return null;
  }
  return `a restore from ${from || 'a backup'} was cut short: ${stateDir} is not whole; run axum restore --from ${from || 'FOLDER'} again to finish it (or move ${stateDir} aside)`;
}

const say = (result: object): void => void process.stdout.write(`${JSON.stringify(result)}\n`);

/** What `axum restore` was asked for besides the target: an older snapshot, or only the list of them. */
export interface RestoreOptions {
  snapshot?: string | undefined;
  list?: boolean | undefined;
}

export async function restoreMain(repoArg: string | undefined, fromArg: string | undefined, options: RestoreOptions = {}): Promise<number> {
  const refuse = (problem: string): number => {
    say({ ok: false, problem });
    return 1;
  };
  if (!repoArg || !fromArg) return refuse('usage: --axum-restore --repo ROOT --from FOLDER');
  const crash = crashHookFromEnv(process.env.AXUM_CRASH_AT);
  if (typeof crash === 'string') return refuse(crash);
  const repository = resolveRepositoryRoot(resolve(repoArg));
  if (!repository.ok) return refuse(repository.message);
  const repoRoot = repository.root;
  const host = sshBackupTarget(fromArg);
  if (host && 'problem' in host) return refuse(host.problem);
  const from = host ? host.spec : resolve(fromArg);
  const sshConfigFile = process.env.AXUM_SSH_CONFIG || null;
  if (options.list) {
    try {
      const contents = await backupDestinationFor(from, { repoRoot, stateDir: join(repoRoot, '.axum'), sshConfigFile }).inspect();
      say({ ok: true, from, snapshots: listSnapshots(contents) });
      return 0;
    } catch (err) {
      return refuse(`cannot list the backups in ${from}: ${describeFsError(err)}`);
    }
  }
  const { snapshot } = options;
  if (snapshot !== undefined && !SNAPSHOT_ID.test(snapshot)) return refuse(`"${snapshot}" is not a snapshot id (axum restore --from ${from} --list names them); nothing was written`);
  const manifest = snapshot === undefined ? undefined : snapshotFile(snapshot);
  // What the restore-in-progress marker asks to run again.
  const again = snapshot === undefined ? from : `${from} --snapshot ${snapshot}`;
  const staging = host ? mkdtempSync(join(tmpdir(), 'axum-restore-')) : null;
  try {
    const read = staging && host ? () => fetchVerified(host, staging, from, manifest, sshConfigFile) : () => verifyBackup(from, from, { deep: true, manifest });
    return await restoreFrom(repoRoot, from, again, read, crash, refuse);
  } finally {
    if (staging) rmSync(staging, { recursive: true, force: true });
  }
}

/** An SSH target's backup copied into `staging`, then proven as a folder's is (labelled `from`). */
async function fetchVerified(host: HostSpec, staging: string, from: string, manifest: string | undefined, configFile: string | null): Promise<VerifiedBackup> {
  try {
    await fetchSshBackup(host, staging, { manifest, configFile });
  } catch (err) {
    return { ok: false, problem: `${from}: ${(err as Error).message}` };
  }
  return verifyBackup(staging, from, { deep: true, manifest });
}

async function restoreFrom(repoRoot: string, from: string, again: string, read: () => Promise<VerifiedBackup>, crash: CrashHook, refuse: (problem: string) => number): Promise<number> {
  // Everything is proven before anything is written: the manifest's sha256 and every file's.
  const backup = await read();
  if (!backup.ok) return refuse(`refused to restore from ${backup.problem}; nothing was written`);
  const { manifest, objects } = backup;

  let stateDir: string;
  try {
    stateDir = prepareStateDir(repoRoot);
  } catch (err) {
    return refuse(`${(err as Error).message}; nothing was written`);
  }
  const lock = acquirePidfileLock(join(stateDir, PID_FILE), { repoRoot });
  if (lock.kind === 'held') return refuse(`a daemon (pid ${lock.pid}) serves ${repoRoot}: stop it first (axum daemon stop --repo ${repoRoot}); nothing was written`);
  try {
    const marker = join(stateDir, IN_PROGRESS);
    const resuming = existsSync(marker);
    const existing = resuming ? null : await existingHistory(stateDir);
    if (existing) return refuse(`${join(repoRoot, '.axum')} already holds a history (${existing}): restore goes into a repository without one (move .axum aside first); nothing was written`);
    writeBytesDurably(marker, `${again}\n`, PRIVATE_FILE_MODE);
    crash('restore.marked');

    const written = new Set<string>([stateDir]);
    const copy = async (file: BackupFile, mode: number) => {
      const target = join(stateDir, ...file.path.split('/'));
      mkdirNoFollow(dirname(target));
      written.add(dirname(target));
      return copyVerified(join(objects, file.sha256), target, file.sha256, `${from}: ${file.path}`, { mode, beforeRename: () => crash('restore.object-written') });
    };
    const modeOf = (path: string) => (path.startsWith('store/') ? STORED_FILE_MODE : PRIVATE_FILE_MODE);
    let bytes = 0;
    // The store first, then what describes it and the logs, then the history that names them all
    // (releases.json last); the marker keeps the daemon away until every piece is in place.
    const early = manifest.files.filter((f) => !f.path.startsWith('history/'));
    early.sort((a, b) => Number(!a.path.startsWith('store/')) - Number(!b.path.startsWith('store/')));
    for (const file of early) {
      bytes += await copy(file, modeOf(file.path));
      crash('restore.object-copied');
    }
    crash('restore.store-copied');
    // A daemon that ran here before (no runs, no releases) left a journal: it must not replay over the restored runs.
    for (const journal of ['runs.journal', 'runs.journal.old']) rmSync(join(stateDir, 'history', journal), { force: true });
    const documents = manifest.files.filter((f) => f.path.startsWith('history/') && f.path !== 'history/releases.json');
    for (const file of [...documents, manifest.files.find((f) => f.path === 'history/releases.json')!]) {
      bytes += await copy(file, PRIVATE_FILE_MODE);
      crash('restore.history-written');
    }

    const live = await pointCurrentLinks(repoRoot, stateDir);
    crash('restore.linked');
    // Copies a kill cut short in an earlier attempt: nothing names them.
    for (const dir of written) await removeIncoming(dir);
    rmSync(marker, { force: true });
    const releases = ReleasesDocument.parse(JSON.parse(await readFile(join(stateDir, 'history', 'releases.json'), 'utf8'))).releases.length;
    say({ ok: true, from, snapshot: snapshotId(manifest.createdAt), repository: manifest.repository, createdAt: manifest.createdAt, files: manifest.files.length, bytes, releases, environments: live });
    return 0;
  } catch (err) {
    return refuse(`restoring from ${from} failed: ${describeFsError(err)} (run axum restore again to finish it)`);
  } finally {
    lock.release();
  }
}

/** What history `.axum/` already holds (a reason to refuse), or null when it holds none. */
async function existingHistory(stateDir: string): Promise<string | null> {
  const history = join(stateDir, 'history');
  const envs = await recordedEnvironmentNames(join(history, 'envs'));
  if (envs.length > 0) return `environments ${envs.join(', ')}`;
  try {
    const releases = ReleasesDocument.parse(JSON.parse(readFileSync(join(history, 'releases.json'), 'utf8'))).releases;
    if (releases.length > 0) return `${releases.length} release(s)`;
  } catch {
    // none, or unreadable: nothing a restore would lose
  }
  try {
    const runs = (readRunsHistory(join(history, 'runs.json')) as { runs?: unknown[] }).runs ?? [];
    if (runs.length > 0) return `${runs.length} run(s)`;
  } catch {
    // unreadable runs history: nothing a restore would lose
  }
  return null;
}

/**
 * Each environment's `current` names the release its history says serves, re-materialized from the
 * store (and verified there by sha256 first): what reconciliation checks at the next start.
 */
async function pointCurrentLinks(repoRoot: string, stateDir: string): Promise<{ env: string; revision: number; releaseId: string }[]> {
  const config = await loadConfigFile(join(repoRoot, CONFIG_FILE));
  const paths = new Map<string, string>();
  if (config.ok) for (const [env, spec] of Object.entries(config.config.environments)) paths.set(env, resolve(repoRoot, spec.path ?? join('.axum', 'envs', env)));
  const store = createFsReleaseStore(stateDir);
  const releases = ReleasesDocument.parse(JSON.parse(await readFile(join(stateDir, 'history', 'releases.json'), 'utf8'))).releases;
  const live: { env: string; revision: number; releaseId: string }[] = [];
  for (const env of await recordedEnvironmentNames(join(stateDir, 'history', 'envs'))) {
    const doc = EnvironmentDocument.parse(JSON.parse(await readFile(join(stateDir, 'history', 'envs', `${env}.json`), 'utf8')));
    const serving = servingRevision(doc);
    const envDir = paths.get(env) ?? join(stateDir, 'envs', env);
    const release: ReleaseView | undefined = releases.find((r) => r.id === serving?.revision.releaseId);
    if (!serving || !release) {
      await store.clearCurrent(envDir);
      continue;
    }
    const problem = await store.verifyHashes(release);
    if (problem) throw new Error(`${env}'s live release ${release.id}: ${problem}`);
    await store.swapCurrent(envDir, await store.materialize(release));
    live.push({ env, revision: serving.revision.revision, releaseId: release.id });
  }
  return live;
}

// Brings a backup from an SSH host's folder into a local staging folder for `axum restore --from
// user@host:/path` (docs/backups.md): the manifest first, then, in one rsync, the manifest again
// and the objects it names. Nothing here is trusted: the restore proves the staged copy whole
// (fs-backup-reader.ts, every file's sha256) before anything in `.axum/` is written, as for a folder.
import type { HostSpec } from '@axum/protocol';
import { BACKUP_MANIFEST, BACKUP_OBJECTS } from '../domain/backup-manifest.js';
import { RSYNC_EXITS, execute, quote, reasonOf, rsyncPlace, rsyncShell, runOnHost } from './openssh.js';

/** What the host prints for a manifest that is not there (a manifest is JSON: it never reads so). */
const MISSING = 'axum:no-such-manifest';

/** rsync's "some files were not transferred" and "vanished": the verification names what is missing. */
const PARTIAL_EXITS = new Set([23, 24]);

/**
 * Copies the backup in `host.path` into `staging` (an empty local folder): the manifest `manifest`
 * (a snapshot's, else the newest) at the same path, and the objects it names. Throws naming the
 * host when it cannot be read.
 */
export async function fetchSshBackup(host: HostSpec, staging: string, options: { manifest?: string; configFile?: string | null; timeoutMs?: number } = {}): Promise<void> {
  const timeoutMs = options.timeoutMs ?? 6 * 3_600_000;
  const manifest = options.manifest ?? BACKUP_MANIFEST;
  const file = quote(`${host.path}/${manifest}`);
  const text = await runOnHost(host, options.configFile, `reading the backup manifest ${manifest}`, `if [ -e ${file} ]; then cat -- ${file}; else echo ${MISSING}; fi`, null, 120_000);
  if (text === `${MISSING}\n`) {
    throw new Error(manifest === BACKUP_MANIFEST ? `no backup here (no ${BACKUP_MANIFEST})` : `no such snapshot (no ${manifest}; axum restore --from ${host.spec} --list names them)`);
  }
  const list = [manifest, ...[...objectNames(text)].map((sha) => `${BACKUP_OBJECTS}/${sha}`)];
  const args = ['-r', '--files-from=-', '-e', rsyncShell(host, options.configFile), '--', rsyncPlace(host, `${host.path}/`), `${staging}/`];
  const copied = await execute('rsync', args, `${list.join('\n')}\n`, timeoutMs);
  if (copied.code !== 0 && !(copied.code !== null && PARTIAL_EXITS.has(copied.code))) throw new Error(reasonOf(`copying the backup from ${host.spec} (rsync)`, copied, RSYNC_EXITS));
}

/** The sha256 names a manifest's text lists (read leniently: the restore checks the manifest itself). */
function objectNames(text: string): Set<string> {
  try {
    const files = (JSON.parse(text) as { manifest?: { files?: { sha256?: unknown }[] } }).manifest?.files ?? [];
    return new Set(files.map((f) => f.sha256).filter((sha): sha is string => typeof sha === 'string' && /^[0-9a-f]{64}$/.test(sha)));
  } catch {
    return new Set();
  }
}

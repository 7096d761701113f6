// A backup target in a folder on an SSH host (docs/backups.md), over the user's OpenSSH and
// rsync (openssh.ts: BatchMode, known host keys only, AXUM_SSH_CONFIG). The objects the target lacks
// are staged under their sha256 in `.axum/backup-outgoing/` (a stored blob hard-linked, not copied)
// and sent in one rsync, which writes each file under a temp name and renames it whole; the target
// then proves every object sent with `sha256sum -c` before the manifest is renamed over the old one
// (temp file, `sync`, `mv`), all in one remote script: a cut connection leaves the old manifest.
import { randomBytes } from 'node:crypto';
import { link, mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { HostSpec } from '@axum/protocol';
import { BACKUP_MANIFEST, BACKUP_OBJECTS, BACKUP_SNAPSHOTS, SNAPSHOT_ID, snapshotFile, type BackupFile } from '../domain/backup-manifest.js';
import type { BackupDestination, SendResult } from './backup-destination.js';
import { copyVerified, sha256Of } from './fs-backup-objects.js';
import type { Source } from './fs-backup-sources.js';
import { describeFsError, isFileSystemError } from '../domain/disk-errors.js';
import { RSYNC_EXITS, execute, quote, reasonOf, rsyncPlace, rsyncShell, runOnHost, type Finished } from './openssh.js';
import type { SshConnections } from './openssh-masters.js';
import { STORED_FILE_MODE } from './owner-only.js';

const OBJECT_NAME = /^[0-9a-f]{64}$/;
/** Files of ours beside the manifest while a backup runs; whatever a cut-short one left is removed by the next. */
const INCOMING = '.incoming-';
/** Publishing and pruning hold a lock on the target folder itself (the shell's cwd), where the host has flock. */
const LOCK = `{ if command -v flock >/dev/null 2>&1; then exec 9<. && flock 9; fi; } && `;

/** A remote script's part that prints the newest manifest and every snapshot's, each after a `=== PATH` line. */
const MANIFEST_BLOCKS = `for f in ${BACKUP_MANIFEST} ${BACKUP_SNAPSHOTS}/*.json; do [ -f "$f" ] && printf '\\n=== %s\\n' "$f" && cat -- "$f"; done`;

/** The output before the first `=== PATH` line, and each manifest's text by path (texts are one JSON line: no `\n=== ` inside). */
export function manifestBlocks(out: string): { head: string; blocks: Map<string, string> } {
  const [head = '', ...parts] = out.split('\n=== ');
  const blocks = new Map<string, string>();
  for (const part of parts) {
    const cut = part.indexOf('\n');
    if (cut > 0) blocks.set(part.slice(0, cut), part.slice(cut + 1));
  }
  return { head, blocks };
}

/** Options of SSH backup targets. */
export interface SshBackupOptions {
  /** `.axum/`: objects are staged in its `backup-outgoing/` (the store's filesystem, so blobs are linked). */
  stateDir: string;
  /** `ssh -F FILE` (AXUM_SSH_CONFIG). */
  configFile?: string | null;
  /** The environment of ssh and rsync (the daemon's, with its step marker: openssh.ts). */
  env?: NodeJS.ProcessEnv;
  commandTimeoutMs?: number;
  copyTimeoutMs?: number;
  /** One connection per host shared with remote environments (openssh-masters.ts); else each command connects. */
  connections?: SshConnections;
}

/** The folder `host.path` on `host` as a backup destination. */
export function createSshBackupDestination(host: HostSpec, options: SshBackupOptions): BackupDestination {
  const commandTimeoutMs = options.commandTimeoutMs ?? 120_000;
  const copyTimeoutMs = options.copyTimeoutMs ?? 6 * 3_600_000;
  const shared = () => options.connections?.optionsFor(host) ?? Promise.resolve([]);
  const ssh = async (what: string, script: string, input: string | null = null) => runOnHost(host, options.configFile, what, script, input, commandTimeoutMs, options.env, await shared());
  const folder = quote(host.path);
  const stage = join(options.stateDir, 'backup-outgoing');
  /** The checksum list `send` put beside the objects (null: nothing sent), for `publish` to check. */
  let checkFile: string | null = null;
  /** The objects `verify` found (name → size), for `prune`. */
  let listing: Map<string, number> | null = null;

  return {
    label: host.spec,
    async inspect() {
      const out = await ssh('reading the backup folder', `if cd -- ${folder} 2>/dev/null; then ls -1A -- ${BACKUP_OBJECTS} 2>/dev/null || true; ${MANIFEST_BLOCKS}; fi; true`);
      const { head, blocks } = manifestBlocks(out);
      const snapshots = new Map<string, string>();
      for (const [path, text] of blocks) {
        const id = /^snapshots\/(.+)\.json$/.exec(path)?.[1];
        if (id !== undefined && SNAPSHOT_ID.test(id)) snapshots.set(id, text);
      }
      const names = head.split('\n').filter((name) => OBJECT_NAME.test(name));
      return { manifest: blocks.get(BACKUP_MANIFEST) ?? null, objects: new Set(names), snapshots };
    },

    async send(files, sources, crash) {
      checkFile = null;
      await rm(stage, { recursive: true, force: true });
      if (files.length === 0) return { sent: 0, bytes: 0, gone: new Set<string>() };
      const name = `${INCOMING}check-${randomBytes(6).toString('hex')}`;
      let result: Awaited<ReturnType<typeof stageObjects>>;
      let copied: Finished;
      try {
        result = await stageObjects(join(stage, BACKUP_OBJECTS), files, sources);
        if (result.sent === 0) return result;
        await writeFile(join(stage, name), result.staged.map((sha) => `${sha}  ${sha}\n`).join(''), { mode: STORED_FILE_MODE });
        // --fsync: an object is on the target's disk before rsync renames it into place. Owner-only
        // there as in .axum (--chmod sets the new files' modes, umask 077 the folders --mkpath makes).
        const args = ['-r', '--fsync', '--mkpath', '--chmod=D700,F400', '--rsync-path=umask 077 && rsync', '--stats', '-e', rsyncShell(host, options.configFile, await shared()), '--', `${stage}/`, rsyncPlace(host, `${host.path}/`)];
        copied = await execute('rsync', args, null, copyTimeoutMs, options.env);
      } finally {
        await rm(stage, { recursive: true, force: true });
      }
      if (copied.code !== 0) throw new Error(reasonOf(`sending ${result.sent} object(s) to ${host.spec} (rsync)`, copied, RSYNC_EXITS));
      checkFile = name;
      crash('backup.object-sent');
      return result;
    },

    async publish(text, id, _crash, files) {
      if (!SNAPSHOT_ID.test(id)) throw new Error(`"${id}" is not a snapshot id`);
      const temp = `${INCOMING}manifest-${randomBytes(6).toString('hex')}`;
      const need = `${INCOMING}need-${randomBytes(6).toString('hex')}`;
      const snapshotTemp = `${BACKUP_SNAPSHOTS}/${INCOMING}${id}`;
      const check = checkFile ? `{ (cd ${BACKUP_OBJECTS} && sha256sum --quiet --strict -c ../${checkFile}) >&2 && rm -f -- ${checkFile}; } && ` : '';
      // stdin: the manifest (one JSON line), then `sha256 size` of every object it names. Under the
      // target's lock (flock, where the host has it; a prune holds it too), each must be there with
      // its size before the manifest names it: a manifest never claims an object the target lacks.
      const present = `missing=$(find ${BACKUP_OBJECTS} -maxdepth 1 -type f -printf '%f %s\\n' 2>/dev/null | LC_ALL=C sort | LC_ALL=C comm -13 - ${need} | head -n 1) && rm -f -- ${need} && if [ -n "$missing" ]; then echo "the object ${BACKUP_OBJECTS}/$missing (sha256, bytes) is not in the target" >&2; exit 1; fi && `;
      const needed = [...new Set(files.map((f) => `${f.sha256} ${f.size}`))].sort().join('\n');
      // The snapshot first, then the newest manifest, each renamed whole (fs-backup-destination.ts).
      await ssh(
        'checking the objects sent and publishing the backup manifest',
        `umask 077 && mkdir -p -- ${folder}/${BACKUP_SNAPSHOTS} && cd -- ${folder} && ${LOCK}${check}awk -v m=${temp} -v n=${need} 'NR == 1 { print > m; next } { print > n }' && touch ${need} && ${present}sync -- ${temp} && cp -- ${temp} ${snapshotTemp} && sync -- ${snapshotTemp} && mv -f -- ${snapshotTemp} ${snapshotFile(id)} && mv -f -- ${temp} ${BACKUP_MANIFEST} && sync -- . ${BACKUP_SNAPSHOTS}`,
        `${text}${needed}${needed ? '\n' : ''}`,
      );
      checkFile = null;
    },

    async verify(text, files) {
      const out = await ssh('reading the backup back', `cd -- ${folder} && sha256sum -- ${BACKUP_MANIFEST} && echo --- && find ${BACKUP_OBJECTS} -maxdepth 1 -type f -printf '%f %s\\n'`);
      const [head = '', rest = ''] = out.split('---\n');
      const published = head.split(' ')[0];
      if (published !== sha256Of(text)) return `${host.spec}: ${BACKUP_MANIFEST} hashes to ${published?.slice(0, 12) ?? '?'}… there, not what was written (${sha256Of(text).slice(0, 12)}…)`;
      listing = new Map(rest.split('\n').filter(Boolean).map((line) => [line.slice(0, line.lastIndexOf(' ')), Number(line.slice(line.lastIndexOf(' ') + 1))]));
      for (const file of files) {
        const size = listing.get(file.sha256);
        const name = `${file.path} (${BACKUP_OBJECTS}/${file.sha256.slice(0, 12)}…)`;
        if (size === undefined) return `${host.spec}: ${name} is missing`;
        if (size !== file.size) return `${host.spec}: ${name} has ${size} bytes, expected ${file.size} (truncated or tampered)`;
      }
      return null;
    },

    async prune(named, dropped) {
      // The objects no kept snapshot names, and the temp files a cut-short rsync left.
      const remove = [...(listing?.keys() ?? [])].filter((name) => !named.has(name) && !name.includes('\n'));
      listing = null;
      const snapshots = dropped.filter((id) => SNAPSHOT_ID.test(id)).map((id) => ` ${snapshotFile(id)}`).join('');
      await ssh(
        'removing old snapshots and unnamed objects',
        `cd -- ${folder} && ${LOCK}rm -f -- ${INCOMING}* ${BACKUP_SNAPSHOTS}/${INCOMING}*${snapshots} && cd -- ${BACKUP_OBJECTS} && xargs -r -d '\\n' rm -f --`,
        remove.map((n) => `${n}\n`).join(''),
      );
    },

    // ssh's and rsync's failures name the host already (openssh.ts).
    describe: (err) => (isFileSystemError(err) ? `staging objects for ${host.spec} in ${stage}: ${describeFsError(err)}` : (err as Error).message),
  };
}

/**
 * Puts each object to send under its sha256 in `dir`: documents written, stored blobs hard-linked
 * (copied where a link cannot be made), logs copied as the prefix listed and hashed on the way.
 * A log that run retention removed meanwhile is left out (`gone`).
 */
async function stageObjects(dir: string, files: readonly BackupFile[], sources: readonly Source[]): Promise<SendResult & { staged: string[] }> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const byPath = new Map(sources.map((s) => [s.path, s]));
  const gone = new Set<string>();
  const staged: string[] = [];
  let bytes = 0;
  for (const file of files) {
    const source = byPath.get(file.path)!;
    const into = join(dir, file.sha256);
    if ('bytes' in source) {
      await writeFile(into, source.bytes, { mode: STORED_FILE_MODE });
    } else if (!source.log) {
      await link(source.file, into).catch(() => copyVerified(source.file, into, file.sha256, `.axum/${file.path}`));
    } else {
      try {
        await copyVerified(source.file, into, file.sha256, `.axum/${file.path}`, { length: source.size });
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
        gone.add(file.path);
        continue;
      }
    }
    staged.push(file.sha256);
    bytes += file.size;
  }
  return { sent: staged.length, bytes, gone, staged };
}

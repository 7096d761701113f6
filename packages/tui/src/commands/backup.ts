// `axum backup` and `axum restore --from FOLDER|user@host:/path` (docs/backups.md).
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { sshBackupTarget, type BackupReport } from '@axum/protocol';
import { probeDaemon, runRestore } from '../client/daemon-launcher.js';
import { findRepositoryRoot } from '../client/repository.js';
import { askYes } from './confirm-prompt.js';
import { CliError, EXIT, type ExitCode } from './exit-codes.js';
import type { GlobalOptions, Output } from './output.js';
import { call, withDaemon } from './runs.js';
import { OPERATION_TIMEOUT_MS } from './environments.js';
import { humanSize } from '../state/releases.js';

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/**
 * What one target got, in words: its files, and the objects they are stored as (one per content,
 * so fewer when files share bytes) — those sent against those already there, in the one unit.
 */
export function backupLines(report: BackupReport): string[] {
  return report.targets.map((t) =>
    t.ok
      ? `backed up to ${t.target}: ${plural(t.files, 'file')}, stored as ${plural(t.sent.files + t.present.files, 'object')}: ${t.sent.files} sent (${humanSize(t.sent.bytes)}), ${t.present.files} already there (${humanSize(t.present.bytes)}); verified${
          t.missing ? `; lost from .axum/store: ${t.missing.join(', ')} (axum fsck marks such releases bad)` : ''
        }`
      : `backup to ${t.target} FAILED: ${t.error ?? 'unknown error'}`,
  );
}

/** What `--take-over` does to the repository whose backups a target holds: asked before it is done. */
export const TAKE_OVER_TEXT =
  "take over every backup.to target that holds another repository's backups: the newest backup there becomes this repository's, and that repository's own backups to it are refused from then on";

/**
 * `axum backup [--take-over [--yes]]`: backs up now to every `backup.to` target; exit 1 when any
 * failed. Taking a target over is destructive for the repository it served: asked on a terminal,
 * `--yes` off one (exit 2 without it), before the daemon is asked anything.
 */
export async function backupCommand(options: GlobalOptions & { takeOver?: boolean; yes?: boolean }, out: Output): Promise<ExitCode> {
  if (options.takeOver && !options.yes) await askYes(`${TAKE_OVER_TEXT}?`, `--take-over asks first (it would ${TAKE_OVER_TEXT})`);
  const report = await withDaemon(options, 'axum-backup', (c) => call(c, 'backup.run', options.takeOver ? { takeOver: true } : {}, OPERATION_TIMEOUT_MS));
  const ok = report.targets.every((t) => t.ok);
  if (options.json) out.json(report);
  else out.lines(backupLines(report));
  return ok ? EXIT.ok : EXIT.failed;
}

/** One backup a target holds, as the restore process lists it. */
interface Snapshot {
  id: string;
  createdAt: string;
  files: number;
  bytes: number;
  newest: boolean;
  /** The repository it was taken from, as its manifest names it (every manifest does). */
  repository?: string;
}

/** `axum restore --from T --list` in words: one line per snapshot, newest first. */
export function snapshotLines(from: string, snapshots: readonly Snapshot[]): string[] {
  if (snapshots.length === 0) return [`no backup in ${from} yet`];
  return [
    `backups in ${from}, newest first (axum restore --from ${from} --snapshot ID restores an older one):`,
    ...snapshots.map((s) => `  ${s.id}  ${s.createdAt}  ${plural(s.files, 'file')}, ${humanSize(s.bytes)}${s.repository ? `  from ${s.repository}` : ''}${s.newest ? '  (newest: restored by default)' : ''}`),
  ];
}

/**
 * `axum restore --from FOLDER|user@host:/path [--snapshot ID] [--list]`: with the daemon stopped;
 * refused (exit 1, nothing written) when the backup is not whole. `--list` only reads the target.
 */
export async function restoreCommand(options: GlobalOptions & { from?: string; snapshot?: string; list?: boolean }, out: Output): Promise<ExitCode> {
  const repoRoot = findRepositoryRoot(options.repo);
  // `user@host:/path` goes to the restore as written (an SSH target); a folder, absolute.
  const from = sshBackupTarget(options.from ?? '') ? (options.from ?? '') : resolve(options.from ?? '');
  const refuse = (problem: string): ExitCode => {
    if (options.json) out.json({ ok: false, problem });
    else process.stderr.write(`axum: ${problem}\n`); // as every other error of the command line
    return EXIT.failed;
  };
  // A local folder first: a mistyped path is the likelier mistake, and stopping the daemon would not help it.
  if (!sshBackupTarget(from)) {
    const found = statSync(from, { throwIfNoEntry: false });
    if (!found?.isDirectory()) throw new CliError(`--from ${from}: ${found ? 'not a folder' : 'no such folder'}`, EXIT.usage);
  }
  if (options.list) {
    const listed = await runRestore(repoRoot, from, ['--list']);
    if (!listed.ok) return refuse(listed.problem ?? 'the backups could not be listed');
    if (options.json) out.json(listed);
    else out.lines(snapshotLines(from, (listed.snapshots as Snapshot[]) ?? []));
    return EXIT.ok;
  }
  const probe = await probeDaemon(repoRoot);
  if (probe.running) return refuse(`a daemon (pid ${probe.info.pid}) serves ${repoRoot}: stop it first (axum daemon stop), then restore; nothing was written`);
  const result = await runRestore(repoRoot, from, options.snapshot === undefined ? [] : ['--snapshot', options.snapshot]);
  if (!result.ok) return refuse(result.problem ?? 'the restore failed');
  if (options.json) {
    out.json(result);
    return EXIT.ok;
  }
  const envs = (result.environments as { env: string; revision: number; releaseId: string }[]) ?? [];
  out.lines([
    `restored ${repoRoot}/.axum from ${from} (backup ${String(result.snapshot)} of ${String(result.createdAt)}): ${plural(Number(result.files), 'file')} verified by sha256, ${plural(Number(result.releases), 'release')}`,
    ...envs.map((e) => `  ${e.env}: current → #${e.revision} (${e.releaseId})`),
    'the next axum command starts the daemon on the restored history',
    // A target serves one repository (its manifest names it): said here, not found out at the first backup.
    ...(typeof result.repository === 'string' && result.repository !== repoRoot
      ? [`the backup names ${result.repository}: backups from here to that target are refused until this repository takes it over (axum backup --take-over), if it replaces that one`]
      : []),
  ]);
  return EXIT.ok;
}

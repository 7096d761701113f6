// Backups of `.axum/` (docs/backups.md): every `backup.every` and on `axum backup`
// (`backup.run`), to each `backup.to` target (a folder or an SSH host's folder) through the
// BackupWriter port, keeping `backup.keep` snapshots there. One backup at a time: a request that
// arrives during one waits for it, then backs up what is saved by then. A target that fails (not
// writable, full, unreachable) is its status' `error` (status and the TUI's header warn with it,
// for as long as it lasts, and no longer: not a daemon warning that outlives the target) and a line
// in the daemon's log; the daemon and the other targets go on.
import type { BackupReport, BackupTargetStatus, PipelineConfig } from '@axum/protocol';
import type { BackupWriter, Clock, Logger } from './ports.js';

export interface BackupsDeps {
  writer: BackupWriter;
  /** When a target's newest backup was written (its manifest's time), or null: ages survive a restart. */
  lastBackupAt: (target: string) => Promise<string | null>;
  clock: Clock;
  logger: Logger;
  publish: (backups: BackupTargetStatus[]) => void;
  /** How long after a start an overdue target is backed up (default a minute: a start is busy enough). */
  firstDelayMs?: number;
}

export interface Backups {
  setConfig(config: PipelineConfig): void;
  /** Backs up now; `takeOver`: also to a target holding another repository's backups (this one moved). */
  run(takeOver?: boolean): Promise<BackupReport>;
  status(): BackupTargetStatus[];
  stop(): void;
}

export function createBackups(deps: BackupsDeps): Backups {
  let targets: string[] = [];
  let everyMs = 3_600_000;
  let keep = 10;
  let statuses = new Map<string, BackupTargetStatus>();
  let chain: Promise<unknown> = Promise.resolve();
  let timer: ReturnType<typeof setTimeout> | null = null;
  let stopped = false;

  const publish = () => deps.publish([...statuses.values()]);

  const schedule = (delayMs: number) => {
    if (timer) clearTimeout(timer);
    timer = null;
    if (stopped || targets.length === 0) return;
    timer = setTimeout(() => {
      timer = null;
      void run('timer').catch((err: Error) => deps.logger.warn(`scheduled backup: ${err.message}`));
    }, delayMs);
    timer.unref?.();
  };

  async function backupAll(takeOver: boolean): Promise<BackupReport> {
    const reports = [];
    for (const target of targets) {
      const report = await deps.writer.backup(target, keep, takeOver);
      const previous = statuses.get(target);
      statuses.set(target, { target, everyMs, lastBackupAt: report.ok ? report.at : (previous?.lastBackupAt ?? null), error: report.error });
      if (report.ok) deps.logger.info(`backup to ${target}: ${report.files} file(s); objects: ${report.sent.files} sent (${report.sent.bytes} bytes), ${report.present.files} already there`);
      // Said once per new error, not every `every`: the status keeps saying it until a backup succeeds.
      else if (report.error !== previous?.error) deps.logger.warn(`backup to ${target} failed: ${report.error ?? 'unknown error'} (the daemon goes on)`);
      else deps.logger.warn(`backup to ${target} failed again: ${report.error ?? 'unknown error'}`);
      if (report.ok && report.missing) deps.logger.warn(`backup to ${target}: lost from .axum/store: ${report.missing.join(', ')} (axum fsck marks such releases bad)`);
      reports.push(report);
    }
    publish();
    return { targets: reports };
  }

  function run(why: 'timer' | 'request', takeOver = false): Promise<BackupReport> {
    const next = chain.then(() => backupAll(takeOver));
    chain = next.catch(() => undefined);
    // The next scheduled backup counts from this one, whoever asked for it.
    void next.finally(() => schedule(everyMs));
    if (why === 'request') deps.logger.info('backup requested');
    return next;
  }

  return {
    setConfig(config) {
      keep = config.backup?.keep ?? 10;
      const next = config.backup?.to ?? [];
      const changed = next.join('\n') !== targets.join('\n') || (config.backup?.every ?? everyMs) !== everyMs;
      if (!changed) return;
      targets = [...next];
      everyMs = config.backup?.every ?? 3_600_000;
      statuses = new Map(targets.map((t) => [t, statuses.get(t) ? { ...statuses.get(t)!, everyMs } : { target: t, lastBackupAt: null, error: null, everyMs }]));
      publish();
      // Ages come from the targets' manifests, so a restart does not forget when the last backup was.
      void Promise.all(
        targets.map(async (t) => {
          // A target that cannot be read (a host that does not resolve, a folder not mounted) is said
          // as such until a backup succeeds: "never backed up" would be a guess, and a wrong one.
          const read = await deps.lastBackupAt(t).then(
            (at) => ({ at, error: null }),
            (err: Error) => ({ at: null, error: `cannot read the last backup: ${err.message}` }),
          );
          const status = statuses.get(t);
          if (!status || status.lastBackupAt !== null) return;
          if (read.at !== null) statuses.set(t, { ...status, lastBackupAt: read.at });
          else if (read.error !== null && status.error === null) statuses.set(t, { ...status, error: read.error });
        }),
      ).then(() => {
        publish();
        const now = deps.clock.now();
        const due = [...statuses.values()].map((s) => (s.lastBackupAt === null ? now : Date.parse(s.lastBackupAt) + everyMs));
        const first = Math.min(...due) - now;
        schedule(Math.max(first, Math.min(everyMs, deps.firstDelayMs ?? 60_000)));
      });
    },
    run: (takeOver = false) => (targets.length === 0 ? Promise.resolve({ targets: [] }) : run('request', takeOver)),
    status: () => [...statuses.values()],
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = null;
    },
  };
}

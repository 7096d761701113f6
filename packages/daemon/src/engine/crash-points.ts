// Crash points (RELIABILITY.md): `AXUM_CRASH_AT=<point>[@<n>]` makes the daemon SIGKILL itself the
// n-th time (default: first) it passes the named point — `restore.*` points in the `axum restore`
// process, which reads the same variable. Each sits right after a persist step (or between two
// that must both happen), where a crash is most likely to leave state half-written. The crash
// tests kill at every point below, restart, and check that nothing acknowledged is lost.

/** Every named point, with what is on disk when the daemon dies there. */
export const CRASH_POINTS = {
  'run.queued': 'a run is recorded as queued; the trigger has been acknowledged',
  'run.step-started': "a step is recorded as running; its process does not exist yet",
  'run.step-spawned': "a step's process group is running and recorded",
  'run.step-finished': "a step's result is recorded; the next step has not started",
  'run.released': "the run's release is recorded; the run is not yet marked succeeded",
  'run.finished': 'the run is recorded as finished; its worktree is gone',
  'run.cancelled': 'a cancel is recorded; the answer has not been sent',
  'runs.pruned': 'run retention dropped old runs from the history; their log folders are not deleted yet',
  'release.stored': "a release's files are in the content store; the release is not recorded yet",
  'release.recorded': 'a release is recorded; it has not been handed on (deploy, approval, queue)',
  'deploy.recorded': 'a deploy revision is recorded as deploying; nothing has moved',
  'deploy.swapped': "`current` names the new release; the revision still says deploying",
  'deploy.verifying': 'the revision is recorded as verifying; deploy and verify steps have not run',
  'deploy.verify-step': 'a deploy or verify step is running and its process group is recorded',
  'deploy.finished': 'the revision is recorded live (or failed); what follows (auto-rollback, retention) has not run',
  'hosts.staged': "every remote host holds the operation's release, sha256-checked there; no host's `current` moved",
  'hosts.host-swapped': "one more remote host's `current` names the operation's release (the others' swaps may be in flight)",
  'hosts.swapped': "every remote host's `current` names the operation's release; the local `current` does not yet",
  'rollback.recorded': 'a rollback revision is recorded and the environment pinned; nothing has moved',
  'rollback.swapped': '`current` names the rollback target; the revision still says deploying',
  'rollback.marked': 'the release a manual rollback leaves is marked bad; the revision still says deploying',
  'rollback.verifying': 'the rollback is recorded as verifying; the release it left is marked bad',
  'rollback.finished': 'the rollback is recorded live (or failed)',
  'auto-rollback.recorded': 'an automatic rollback revision is recorded; nothing has moved',
  'auto-rollback.swapped': '`current` names the last known good release again; not yet verified',
  'auto-rollback.verifying': 'the automatic rollback is recorded as verifying',
  'auto-rollback.finished': 'the automatic rollback is recorded live (or failed)',
  'pin.recorded': 'a pin or unpin is recorded; the answer has not been sent',
  'retention.recorded': 'release retention dropped releases from the history; their files are not deleted yet',
  'retention.pruned': "dropped releases' folders and unused stored files are deleted",
  'store.appended': "a line of the runs history's journal is written and fsynced; the snapshot is not rewritten",
  'store.compacted': "the runs history's snapshot was rewritten with the journal's state; the journal is not emptied yet",
  'store.rotated': "the runs journal was set aside (runs.journal.old) for a background fold and a fresh one opened; the fold has not started",
  'store.fold-written': "the background fold's new snapshot is written and fsynced beside runs.json; not renamed yet (saves go on to the fresh journal)",
  'store.fold-renamed': "the folded snapshot was renamed over runs.json and its folder fsynced; the set-aside journal segment is not deleted yet",
  'store.renamed': 'a history file was renamed over the old one; its folder is not fsynced yet',
  'store.temp-written': 'a history file\'s new version is written and fsynced beside the old one, not renamed yet',
  'backup.object-written': "a backup object's copy is written and fsynced in the target as `.incoming-*`, not renamed yet",
  'backup.object-sent': 'one more object is in the target under its sha256; the rest are not sent yet',
  'backup.objects-sent': "every object the new backup needs is in the target; its manifest is not written yet",
  'backup.manifest-written': "the new manifest is written and fsynced beside the old one, not renamed yet",
  'backup.manifest-renamed': 'the new manifest was renamed over the old one; not read back yet, unnamed objects not pruned',
  'restore.marked': "`.axum/restore-in-progress` is written (the daemon refuses to start while it is there); nothing restored yet",
  'restore.object-written': "a restored file's copy is written and fsynced as `.incoming-*` beside its place, not renamed yet",
  'restore.object-copied': 'one more stored file, release manifest or log is in place; the history documents are not',
  'restore.store-copied': 'the store, release manifests and logs are in place; no history document is written yet',
  'restore.history-written': 'one more history document is in place (releases.json last)',
  'restore.linked': "every environment's `current` names its live release; the marker is not removed yet",
} as const;

export type CrashPoint = keyof typeof CRASH_POINTS;

/** Called at each crash point; the daemon's hook kills the process when it is the chosen one. */
export type CrashHook = (point: CrashPoint) => void;

/** No crash points armed (unit tests, and the daemon without `AXUM_CRASH_AT`). */
export const noCrash: CrashHook = () => undefined;

/**
 * Parses `AXUM_CRASH_AT` (`point` or `point@n`). An unknown name is an error, not a silent no-op:
 * a crash test with a typo would otherwise pass without crashing anything.
 */
export function parseCrashAt(value: string | undefined): { ok: true; point: CrashPoint | null; hit: number } | { ok: false; error: string } {
  if (!value) return { ok: true, point: null, hit: 1 };
  const [name = '', count] = value.split('@');
  const hit = count === undefined ? 1 : Number(count);
  if (!(name in CRASH_POINTS)) return { ok: false, error: `AXUM_CRASH_AT=${value}: no crash point ${name} (points: ${Object.keys(CRASH_POINTS).join(', ')})` };
  if (!Number.isInteger(hit) || hit < 1) return { ok: false, error: `AXUM_CRASH_AT=${value}: the hit after @ must be a whole number ≥ 1` };
  return { ok: true, point: name as CrashPoint, hit };
}

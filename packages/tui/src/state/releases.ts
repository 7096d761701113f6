// Releases as people read them (build once, promote): where each is live, where it was verified,
// why it is marked bad. `axum releases` and the TUI's releases view show the same cells.
import { minuteText, type DaemonState, type EnvironmentView, type ReleaseListing } from '@axum/protocol';

/** Bytes as people read them: `512 B`, `3.4 kB`, `1.2 MB`, `2.0 GB`. */
export function humanSize(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let value = bytes / 1000;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}

/** `staging#3, production#5`, or `—` when no revision verified it. */
export function verifiedText(release: Pick<ReleaseListing, 'verifiedIn'>): string {
  return release.verifiedIn.length > 0 ? release.verifiedIn.map((v) => `${v.env}#${v.revision}`).join(', ') : '—';
}

/** `staging, production`, or `—`. */
export function liveInText(release: Pick<ReleaseListing, 'liveIn'>): string {
  return release.liveIn.length > 0 ? release.liveIn.join(', ') : '—';
}

/** `bad: verification failed — by staging#3, 2026-12-04 03:36`, or `` when not marked. */
export function badText(release: Pick<ReleaseListing, 'bad'>): string {
  return release.bad ? `bad: ${release.bad.why} — by ${release.bad.by}, ${minuteText(release.bad.at)}` : '';
}

/** What the confirmation of a promote says about the release: `rel-4 (live in staging, verified as staging#3)`. */
export function promotedReleaseText(releaseId: string, from: string, release: Pick<ReleaseListing, 'verifiedIn'> | undefined, live: EnvironmentView['live']): string {
  const verifiedHere = release?.verifiedIn.filter((v) => v.env === from) ?? [];
  const newest = verifiedHere.at(-1) ?? (live ? { env: from, revision: live.revision } : null);
  return `${releaseId} (live in ${from}${newest ? `, verified as ${newest.env}#${newest.revision}` : ''})`;
}

/**
 * The environment a promote from `env` goes to: the next one in the config's order among those
 * `axum.yml` declares (dev → staging → production); null for the last one or an unknown one.
 */
export function nextEnvironment(state: Pick<DaemonState, 'environments'> | null, env: string): EnvironmentView | null {
  const inConfig = state?.environments.filter((e) => e.inConfig) ?? [];
  const at = inConfig.findIndex((e) => e.name === env);
  return at >= 0 ? (inConfig[at + 1] ?? null) : null;
}

/**
 * A promote from a later environment back to an earlier one (production to dev) goes against the
 * config's order: said, as a note, so that a swapped FROM and TO is seen; null in order, or where
 * either is not declared in `axum.yml`.
 */
export function backwardsPromoteNote(state: Pick<DaemonState, 'environments'>, from: string, to: string): string | null {
  const order = state.environments.filter((e) => e.inConfig).map((e) => e.name);
  const [at, into] = [order.indexOf(from), order.indexOf(to)];
  if (at < 0 || into < 0 || into > at) return null;
  return `note: ${from} → ${to} goes against the order of axum.yml (${order.join(' → ')}): promoting all the same`;
}

/** The release a manual rollback of `env` leaves and marks bad: what serves now, when the target is another release. */
export function releaseMarkedByRollback(env: EnvironmentView, targetReleaseId: string): { releaseId: string; revision: number; failed: boolean } | null {
  const serving = env.serving ?? (env.live ? { ...env.live, failed: false } : null);
  if (!serving || serving.releaseId === targetReleaseId) return null;
  return { releaseId: serving.releaseId, revision: serving.revision, failed: serving.failed };
}

/**
 * Why a rollback with no target cannot be offered (rollbackTarget is null): said before anything is
 * asked. Said in the footer, two rows at 80 columns: what to do comes right after the why, so the
 * command to type is on screen, and the words are short enough to be read whole there.
 */
export function noRollbackTargetReason(env: EnvironmentView, inHistory = false): string {
  const live = env.live;
  if (live && env.lastKnownGood?.releaseId === live.releaseId) {
    // After an automatic rollback, or with nothing older verified: a second `r` must not step further back by habit.
    const pick = inHistory ? 'select an older one (j/k) and press r' : 'Enter, then r on an older one';
    return `${env.name} serves its only last known good (#${live.revision}): axum rollback ${env.name} --to N goes further back, or ${pick}`;
  }
  return `${env.name}: no last known good to roll back to (nothing else verified and unmarked); axum deploy ${env.name} --release ID deploys one`;
}

/**
 * What the mark takes from the other environments whose last known good is of `releaseId` (the
 * daemon says what each falls back to): `production then has no last known good to roll back to:
 * rel-8 was its only verified release`, or the older one it becomes. Nothing from older daemons.
 */
export function lastKnownGoodLosses(releaseId: string, env: string, environments: readonly EnvironmentView[]): string[] {
  return environments.flatMap((e) => {
    const after = e.ifLastKnownGoodMarked;
    if (e.name === env || e.lastKnownGood?.releaseId !== releaseId || !after) return [];
    if (after.lastKnownGood) return [`${e.name}'s last known good then becomes #${after.lastKnownGood.revision} (${after.lastKnownGood.releaseId})`];
    return [`${e.name} then has no last known good to roll back to: ${after.othersMarkedBad ? 'its other verified releases are marked bad' : `${releaseId} was its only verified release`}`];
  });
}

import { z } from 'zod/mini';
import { HostView, liveAlreadyText, missingRevisionText, Pause, ReleaseView, RevisionView } from '@axum/protocol';
import { badRefusal } from './marks.js';

export { changedConfigKeys, configChanges } from './config-changes.js';

/** An environment's settings as its config declared them, `path` made absolute. */
export const EnvironmentDeclaration = z.object({
  branch: z.string(),
  path: z.string(),
  protected: z.boolean(),
  approval: z.enum(['auto', 'manual']),
  /** Remote hosts (`[user@]host[:port]:/path`), when it has any: recovery and rollback reach them from the records too. */
  hosts: z.optional(z.array(z.string())),
});
export type EnvironmentDeclaration = z.infer<typeof EnvironmentDeclaration>;

/** The history of one environment: `.axum/history/envs/<name>.json` (small: one lowdb document each). */
export const EnvironmentDocument = z.object({
  version: z.literal(1),
  revisions: z.array(RevisionView),
  /**
   * `rollback`: the manual rollback revision that set the pin (none when the environment was pinned
   * already): a rollback undone after a crash lifts only a pin it set itself.
   */
  pinned: z.nullable(z.object({ by: z.string(), at: z.string(), rollback: z.optional(z.number().check(z.int())) })),
  pendingReleaseId: z.nullable(z.string()),
  incident: z.nullable(z.string()),
  /** Process groups of deploy, verify and monitor steps running now; reaped after a crash. */
  pgids: z._default(z.array(z.number().check(z.int())), []),
  /** A release built while an operation held the environment: it deploys next (newest wins), even after a restart. */
  queuedReleaseId: z._default(z.nullable(z.string()), null),
  /**
   * A revision that failed where it serves and that `current` still names (rollback.auto off, or a
   * rollback that could not run): *serving, failed* (ARCHITECTURE.md, glossary), until a revision
   * goes live or `current` is withdrawn.
   */
  failedServing: z._default(z.nullable(z.number().check(z.int())), null),
  /**
   * The environment as last configured (absolute folder of `current`, branch, flags): what serves it
   * from its records when the config in use no longer declares it (ARCHITECTURE.md, glossary: Records).
   */
  declared: z._default(z.nullable(EnvironmentDeclaration), null),
  /** The newest release a pin or a pause held back (built meanwhile): `axum unpin` / `axum approve` deploys it. */
  heldReleaseId: z._default(z.nullable(z.string()), null),
  /**
   * An inconclusive verification or monitor check paused the environment's automatic actions until a
   * person decides (ARCHITECTURE.md, glossary: Inconclusive). Files written before pauses load as null.
   */
  paused: z._default(z.nullable(Pause), null),
  /** Each remote host's release and whether the last operation went well there (engine/remote-fleet.ts). */
  hosts: z._default(z.array(HostView), []),
  /**
   * The run that asked for a release waiting here (held, awaiting approval, queued) when it is not
   * the run that built it (a reused release): its deploy follows when the release goes on, also
   * after a restart. Files written before it load without.
   */
  waitingRuns: z.optional(z.array(z.object({ releaseId: z.string(), runId: z.string() }))),
  /**
   * Crash recovery has still to put every remote host back on this release (null: no `current`):
   * set before the daemon listens, cleared once they are back, so a restart in between does it again.
   */
  hostsPending: z.optional(z.nullable(z.object({ releaseId: z.nullable(z.string()) }))),
});
export type EnvironmentDocument = z.infer<typeof EnvironmentDocument>;

export const emptyEnvironmentDocument = (): EnvironmentDocument => ({ version: 1, revisions: [], pinned: null, pendingReleaseId: null, incident: null, pgids: [], queuedReleaseId: null, failedServing: null, declared: null, heldReleaseId: null, paused: null, hosts: [] });

/** Every release, by id: `.axum/history/releases.json`. */
export const ReleasesDocument = z.object({ version: z.literal(1), releases: z.array(ReleaseView) });
export type ReleasesDocument = z.infer<typeof ReleasesDocument>;

/** The revision marked live, if any. */
export function liveRevision(doc: EnvironmentDocument): RevisionView | null {
  return doc.revisions.findLast((r) => r.status === 'live') ?? null;
}

/**
 * What `current` serves according to the records: the live revision, else a revision that failed
 * where it serves (*serving, failed*), else nothing.
 */
export function servingRevision(doc: EnvironmentDocument): { revision: RevisionView; failed: boolean } | null {
  const live = liveRevision(doc);
  if (live) return { revision: live, failed: false };
  const failed = doc.failedServing === null ? undefined : doc.revisions.find((r) => r.revision === doc.failedServing);
  return failed ? { revision: failed, failed: true } : null;
}

/**
 * Whether an operation left `current` where it was: refused before recording (`outcome` null),
 * refused at its check, or undone after an error of the machine. What it set on the way (a pin, a
 * lifted pause) is then put back, so pointer, marks and pause agree. `servingBefore` is
 * `servingRevision(doc)?.revision` taken before the operation (records are compared by identity).
 */
export function nothingMoved(doc: EnvironmentDocument, servingBefore: RevisionView | null, outcome: { status: string } | null): boolean {
  return outcome === null || (outcome.status === 'failed' && (servingRevision(doc)?.revision ?? null) === servingBefore);
}

/**
 * Last known good (ARCHITECTURE.md, glossary): the newest revision before the live one whose verification
 * passed and whose release is not marked bad — computed, not "previous". A revision of the live
 * release itself is skipped: going back to what is live changes nothing.
 */
export function lastKnownGood(doc: EnvironmentDocument, isBad: (releaseId: string) => boolean): RevisionView | null {
  const live = liveRevision(doc);
  const before = live ? doc.revisions.filter((r) => r.revision < live.revision) : doc.revisions;
  return before.findLast((r) => r.verified && !isBad(r.releaseId) && r.releaseId !== live?.releaseId) ?? null;
}

/**
 * The last known good as ARCHITECTURE.md, glossary defines it: the newest verified revision whose release is not
 * bad — the live one itself when it is verified. What a new revision's metrics are compared with
 * (a failing deploy goes back to exactly this one).
 */
export function lastKnownGoodOrLive(doc: EnvironmentDocument, isBad: (releaseId: string) => boolean): RevisionView | null {
  const live = liveRevision(doc);
  if (live && live.verified && !isBad(live.releaseId)) return live;
  return lastKnownGood(doc, isBad);
}

/**
 * The last known good once `releaseId` is marked bad too (a manual rollback elsewhere marks the
 * release it leaves, everywhere), and whether verified releases other than it are there, all bad.
 */
export function lastKnownGoodIfMarked(doc: EnvironmentDocument, isBad: (releaseId: string) => boolean, releaseId: string): { lastKnownGood: RevisionView | null; othersMarkedBad: boolean } {
  const lastKnownGood = lastKnownGoodOrLive(doc, (id) => id === releaseId || isBad(id));
  return { lastKnownGood, othersMarkedBad: lastKnownGood === null && doc.revisions.some((r) => r.verified && r.releaseId !== releaseId && isBad(r.releaseId)) };
}

/**
 * The last known good an operation of `kind` is judged beside (each gate's `lkgValue`), taken as it
 * begins: a manual rollback marks the release it leaves bad once the pointer moves, so that release
 * is no last known good of the rollback's own revision, though nothing marked it yet.
 */
export function lastKnownGoodFor(doc: EnvironmentDocument, isBad: (releaseId: string) => boolean, kind: RevisionView['kind']): RevisionView | null {
  const left = kind === 'rollback' ? servingRevision(doc)?.revision.releaseId : undefined;
  return lastKnownGoodOrLive(doc, (releaseId) => releaseId === left || isBad(releaseId));
}

/** The number the next revision gets. */
export function nextRevisionNumber(doc: EnvironmentDocument): number {
  return (doc.revisions.at(-1)?.revision ?? 0) + 1;
}

/**
 * Why there is no last known good to go back to, truthfully: earlier verified releases may be there
 * but marked bad (then the way on is `--to N --force`), or hold the release live now.
 */
function noRollbackTargetText(doc: EnvironmentDocument): string {
  const live = liveRevision(doc);
  const earlier = doc.revisions.filter((r) => r.verified && r.releaseId !== live?.releaseId && (!live || r.revision < live.revision));
  const newest = earlier.at(-1);
  if (newest) return `no last known good revision to roll back to: the earlier verified releases are marked bad (the newest: #${newest.revision}, ${newest.releaseId}; --to ${newest.revision} --force goes back to it anyway)`;
  if (live && doc.revisions.some((r) => r.verified && r.revision < live.revision)) return `no last known good revision to roll back to: the earlier verified revisions hold ${live.releaseId}, live now`;
  return 'no last known good revision to roll back to (nothing earlier passed verification)';
}

/** Why a rollback to `target` is refused, or null when it may go ahead. */
export function rollbackRefusal(
  doc: EnvironmentDocument,
  target: RevisionView | undefined,
  requested: number | null,
  bad: ReleaseView['bad'] | undefined,
  force: boolean,
  liveIsBad = false,
): string | null {
  if (requested !== null && !target) return missingRevisionText(requested, doc.revisions.map((r) => r.revision));
  // After an automatic rollback the environment serves its last known good already: a second
  // `rollback` out of habit (Helm's "undo") must not step further back and mark that release bad.
  // Unless that release was marked bad since: then it is not the last known good any more, and the
  // rollback goes to the one that is.
  const serving = liveRevision(doc);
  if (requested === null && serving?.kind === 'auto-rollback' && !liveIsBad) {
    return `#${serving.revision} is the automatic rollback to the last known good #${serving.rollbackTo}: a rollback with no target would go further back; name the revision with --to N (axum history lists them)`;
  }
  if (!target) return noRollbackTargetText(doc);
  if (target.status === 'deploying' || target.status === 'verifying') return `#${target.revision} is still ${target.status}`;
  // Live already before a bad mark: nothing would move, so naming --force would send them round.
  const live = liveRevision(doc);
  if (live && live.releaseId === target.releaseId) return liveAlreadyText(target.revision, live);
  if (bad && !force) return badRefusal(target.releaseId, bad, 'pass --force to roll back to it anyway', `the release of #${target.revision}, ${target.releaseId},`);
  return null;
}

/**
 * Retention (`history.keepReleases`): the newest `keep` releases stay, and so does every release
 * that is referenced (live, last known good, pending approval, in an operation), however old.
 * Returns the ids to prune, given releases oldest first.
 */
export function releasesToPrune(releasesOldestFirst: readonly { id: string }[], keep: number, referenced: ReadonlySet<string>): string[] {
  const excess = releasesOldestFirst.length - keep;
  if (excess <= 0) return [];
  return releasesOldestFirst.slice(0, excess).filter((r) => !referenced.has(r.id)).map((r) => r.id);
}

/** Artifacts added, removed or changed (sha256 or size, or a file that became a link) between two releases. */
export function changedArtifacts(from: ReleaseView, to: ReleaseView) {
  const a = new Map(from.artifacts.map((x) => [x.path, x]));
  const b = new Map(to.artifacts.map((x) => [x.path, x]));
  const paths = [...new Set([...a.keys(), ...b.keys()])].sort();
  return paths.flatMap((path) => {
    const x = a.get(path);
    const y = b.get(path);
    if (x && y && x.sha256 === y.sha256 && x.link === y.link) return [];
    return [{ path, change: (!x ? 'added' : !y ? 'removed' : 'changed') as 'added' | 'removed' | 'changed', fromSize: x?.size ?? null, toSize: y?.size ?? null }];
  });
}

/**
 * Both releases' metrics side by side: the ones `to`'s gates judge first, in their order (the
 * numbers a move is weighed by), then the rest by name. `metrics` gives more of a release than its
 * build wrote (what its verify steps wrote); without it, the build's.
 */
export function metricDeltas(from: ReleaseView, to: ReleaseView, metrics?: { of(release: ReleaseView): Record<string, number>; gated(release: ReleaseView): string[] }) {
  const [a, b] = metrics ? [metrics.of(from), metrics.of(to)] : [from.metrics, to.metrics];
  const value = (m: Record<string, number>, name: string) => (Object.hasOwn(m, name) ? (m[name] ?? null) : null);
  const gated = metrics?.gated(to) ?? [];
  const rest = [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((name) => !gated.includes(name)).sort();
  return [...gated.map((name) => ({ name, from: value(a, name), to: value(b, name), gated: true })), ...rest.map((name) => ({ name, from: value(a, name), to: value(b, name) }))];
}

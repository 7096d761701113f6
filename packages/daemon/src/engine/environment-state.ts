// What deployments show of one environment (its slice of EnvironmentView): live and serving, the
// last known good and the rollback target apart, what waits or is held, a bad mark on what serves.
import type { HostView, RevisionView } from '@axum/protocol';
import { revisionHealth } from '../domain/deploy-outcome.js';
import { firstMeaningfulLine } from '../domain/incidents.js';
import { emptyEnvironmentDocument, lastKnownGood, lastKnownGoodIfMarked, lastKnownGoodOrLive, liveRevision, rollbackRefusal, servingRevision } from '../domain/revisions.js';
import type { DeployState } from './deploy-state.js';

/** The slice of an environment's view that deployments own. */
export interface EnvironmentState {
  pinned: boolean;
  awaitingApproval: boolean;
  pendingReleaseId: string | null;
  /** The release queued to deploy next (behind an operation, or until axum.yml declares the environment again). */
  queuedReleaseId: string | null;
  live: { revision: number; releaseId: string; commit: string } | null;
  /** What `current` serves by the records: the live revision, or one *serving, failed*. */
  serving: { revision: number; releaseId: string; commit: string; failed: boolean } | null;
  /** The newest verified revision whose release is not bad: the live one itself when it is verified. */
  lastKnownGood: { revision: number; releaseId: string; commit: string } | null;
  /** Where a rollback with no target goes: the last known good other than the live release, unless refused. */
  rollbackTarget: { revision: number; releaseId: string; commit: string } | null;
  /** The last known good should lastKnownGood's release be marked bad, and whether verified releases marked bad are there. */
  ifLastKnownGoodMarked?: { lastKnownGood: { revision: number; releaseId: string; commit: string } | null; othersMarkedBad: boolean } | null;
  heldReleaseId: string | null;
  /** The bad mark of the release `current` serves, when it was marked while serving. */
  servingBad?: { releaseId: string; by: string; at: string; why: string } | null;
  /** Set while an inconclusive verification or monitor check pauses automatic actions (ARCHITECTURE.md, glossary: Inconclusive). */
  paused: { since: string; revision: number; reason: string } | null;
  operation: { revision: number; kind: string; holder: string; startedAt: string } | null;
  incident: string | null;
  liveMetric: { name: string; value: number; lkgValue: number | null } | null;
  lastCheck: { passed: boolean; inconclusive: boolean; at: string; step: string } | null;
  /** Why the live revision is not monitored though its release declares a monitor (the config in use has none); null otherwise. */
  monitorOff?: string | null;
  /** Each remote host as the last operation that reached it left it, in the order the declaration lists them. */
  hosts?: HostView[];
}

/** An operation in progress, as the coordinator holds it. */
interface Hold {
  revision: number;
  kind: string;
  holder: string;
  startedAt: string;
}

/** The view of `env` from its records (an environment never loaded shows as empty). */
export function environmentState(state: DeployState, env: string, operation: Hold | undefined): EnvironmentState {
  const doc = state.docs.get(env) ?? emptyEnvironmentDocument();
  const { unusable } = state;
  const live = liveRevision(doc);
  const serving = servingRevision(doc);
  const lkg = lastKnownGood(doc, unusable);
  // Refused after an automatic rollback (the environment serves its LKG already): no target shown.
  const target = rollbackRefusal(doc, lkg ?? undefined, null, undefined, false, live ? unusable(live.releaseId) : false) === null ? lkg : null;
  const view = (r: RevisionView | null) => (r ? { revision: r.revision, releaseId: r.releaseId, commit: r.commit } : null);
  const lkgShown = lastKnownGoodOrLive(doc, unusable);
  const ifMarked = lkgShown ? lastKnownGoodIfMarked(doc, unusable, lkgShown.releaseId) : null;
  const health = revisionHealth(live, lkgShown, (r) => state.release(r.releaseId)?.metrics ?? {});
  // The config in use decides whether anything is monitored (environment-monitors.ts): with no
  // `monitor:` there, the last check says nothing of now, so it is not shown as the health.
  const inUse = state.config();
  const monitorOff = live && inUse !== null && inUse.monitor === undefined && state.configFor(state.release(live.releaseId))?.monitor ? `axum.yml declares no monitor now: the monitor of #${live.revision} stopped` : null;
  const servingBad = serving ? state.release(serving.revision.releaseId)?.bad : undefined;
  return {
    pinned: doc.pinned !== null,
    awaitingApproval: doc.pendingReleaseId !== null,
    pendingReleaseId: doc.pendingReleaseId,
    queuedReleaseId: doc.queuedReleaseId,
    live: view(live),
    serving: serving ? { ...view(serving.revision)!, failed: serving.failed } : null,
    lastKnownGood: view(lkgShown),
    rollbackTarget: view(target),
    ifLastKnownGoodMarked: ifMarked ? { lastKnownGood: view(ifMarked.lastKnownGood), othersMarkedBad: ifMarked.othersMarkedBad } : null,
    heldReleaseId: doc.heldReleaseId,
    servingBad: serving && servingBad ? { releaseId: serving.revision.releaseId, ...servingBad } : null,
    paused: doc.paused,
    operation: operation ? { revision: operation.revision, kind: operation.kind, holder: operation.holder, startedAt: operation.startedAt } : null,
    incident: doc.incident === null ? null : firstMeaningfulLine(doc.incident).line, // one line wherever it is shown
    hosts: (state.declaration(env)?.hosts ?? []).map((host) => doc.hosts.find((h) => h.host === host) ?? { host, releaseId: null, state: 'unknown', reason: null, at: '' }),
    ...health,
    ...(monitorOff ? { lastCheck: null } : {}),
    monitorOff,
  };
}

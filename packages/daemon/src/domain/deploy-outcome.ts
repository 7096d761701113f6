import type { DeployOutcome, RevisionView } from '@axum/protocol';
import { metricValue } from './metric-values.js';

/** How crash recovery's message of a revision it cut short begins. */
export const INTERRUPTED = 'interrupted by a daemon restart';

/** What stands of a release in its environment now: whether a deploy of it may still be asked. */
export interface ReleaseStanding {
  /** Marked bad, or no longer known: no deploy takes it. */
  unusable: boolean;
  /** The release live in the environment, if any. */
  liveReleaseId: string | null;
}

/**
 * How to deploy a release again — one whose deploy a daemon restart cut short (not retried by
 * itself: a person may have stopped it on purpose), or a run's that found it live already — said
 * alike by the run and the incident (the dashboard shows the run's); null when no deploy would take
 * it. Live (a redeploy cut short, `current` back on it), a deploy of it is nothing to do without `--again`.
 */
export function deployAgainHint(env: string, releaseId: string, standing: ReleaseStanding): string | null {
  if (standing.unusable) return null;
  return `axum deploy ${env} --release ${releaseId}${standing.liveReleaseId === releaseId ? ' --again' : ''} deploys it again`;
}

/**
 * What a run's deploy came to, read off its revision (ARCHITECTURE.md, glossary), with the line the run shows.
 * `standing`: what stands of the revision's release now (for the way to deploy it again).
 * `superseder`: the kind of the operation that just replaced a live revision — a deploy supersedes
 * it, a rollback rolls it back.
 */
export function deployOutcomeOf(env: string, revision: RevisionView, standing: ReleaseStanding, superseder?: RevisionView['kind']): { outcome: DeployOutcome; message: string } {
  const at = `${env} #${revision.revision}`;
  switch (revision.status) {
    case 'deploying':
    case 'verifying':
      return { outcome: 'pending', message: `built ${revision.releaseId}; ${revision.status} in ${at}` };
    case 'live':
      return { outcome: 'live', message: `built ${revision.releaseId}; live in ${at}` };
    case 'failed':
      // Inconclusive is not failed: it serves, nothing was marked bad, a person decides (the pause).
      if (revision.message?.startsWith('inconclusive: ')) return { outcome: 'inconclusive', message: `built ${revision.releaseId}; ${at} ${revision.message}` };
      // Nor is a deploy a crash cut short: nothing judged the release (crash recovery's words begin so).
      if (revision.kind === 'deploy' && revision.message?.startsWith(INTERRUPTED)) {
        const again = deployAgainHint(env, revision.releaseId, standing);
        return { outcome: 'interrupted', message: `built ${revision.releaseId}; ${at} ${revision.message}${again ? ` (${again})` : ''}` };
      }
      return { outcome: 'failed', message: `built ${revision.releaseId}; ${at} failed: ${revision.message ?? 'no reason recorded'}` };
    case 'superseded':
      return superseder === 'rollback' || superseder === 'auto-rollback'
        ? { outcome: 'rolled-back', message: `built ${revision.releaseId}; was live in ${at}, then ${superseder === 'auto-rollback' ? 'rolled back automatically' : 'rolled back'}` }
        : { outcome: 'superseded', message: `built ${revision.releaseId}; was live in ${at} until a newer deploy replaced it` };
  }
}

/**
 * What the dashboard shows of a live revision: its key metric beside the LKG's, and its newest
 * monitor check. `lkg` is the revision the LKG column names (the live one itself once verified),
 * not the one the gate compared with at verification, which may since have been rolled back; its
 * value is left out when it is the live release's own (a metric beside itself says nothing).
 * `build` gives a revision's release's build metrics: a metric no verify step wrote is the build's,
 * as its gate judged it.
 */
export function revisionHealth(live: RevisionView | null, lkg: RevisionView | null, build: (revision: RevisionView) => Readonly<Record<string, number>>) {
  if (!live) return { liveMetric: null, lastCheck: null };
  const gated = live.gates.find((g) => g.value !== null);
  const name = gated?.metric ?? Object.keys(live.metrics)[0];
  const metricOf = (r: RevisionView, metric: string) => metricValue(metric, r.metrics, build(r))?.value;
  const value = name !== undefined ? metricOf(live, name) : undefined;
  const lkgValue = name !== undefined && lkg && lkg.releaseId !== live.releaseId ? (metricOf(lkg, name) ?? null) : null;
  const check = live.steps.findLast((s) => s.stage === 'monitor' && s.status !== 'running' && s.status !== 'pending');
  return {
    liveMetric: name !== undefined && value !== undefined ? { name, value, lkgValue } : null,
    lastCheck: check ? { passed: check.status === 'succeeded', inconclusive: check.status === 'inconclusive', at: check.startedAt ?? '', step: check.name } : null,
  };
}

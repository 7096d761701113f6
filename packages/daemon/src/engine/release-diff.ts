// What a move from one release to another changes, shown before it is confirmed: the commits it
// takes back or brings in, the config keys (named as the user wrote them), the artifacts and the
// metrics. Read-only: nothing here touches an environment.
import { parseYaml, type ReleaseDiff, type ReleaseView } from '@axum/protocol';
import { metricValues } from '../domain/metric-values.js';
import { changedArtifacts, configChanges, metricDeltas } from '../domain/revisions.js';
import type { DeployState } from './deploy-state.js';
import type { GitPort } from './ports.js';
import { RequestFailure } from './pipeline.js';

/** Which metrics a diff shows of a release, and which the gates judge. */
export interface DiffMetrics {
  /** The release's build metrics with what its verify steps wrote over them. */
  of(release: ReleaseView): Record<string, number>;
  /** The metrics the release's gates judge, in their order. */
  gated(release: ReleaseView): string[];
}

/**
 * A release's metrics as a person weighs a move: the build's, and what its newest verify in `env`
 * wrote (else in any environment: a release promoted has been verified elsewhere only) — the
 * metric its gate judges (`accuracy`) is often a verify step's, not the build's.
 */
export function diffMetrics(state: Pick<DeployState, 'docs' | 'configFor'>, env: string | undefined): DiffMetrics {
  const verified = (release: ReleaseView) => {
    const docs = [...(env !== undefined && state.docs.has(env) ? [state.docs.get(env)!] : []), ...state.docs.values()];
    for (const doc of docs) {
      const revision = doc.revisions.findLast((r) => r.releaseId === release.id && Object.keys(r.metrics).length > 0);
      if (revision) return revision.metrics;
    }
    return {};
  };
  return { of: (release) => metricValues(verified(release), release.metrics), gated: (release) => Object.keys(state.configFor(release)?.verify?.gates ?? {}) };
}

/** The diff from release `fromId` to `toId`, or `not-found` when either is not recorded. */
export async function releaseDiff(git: GitPort, release: (id: string) => ReleaseView | undefined, fromId: string, toId: string, metrics?: DiffMetrics): Promise<ReleaseDiff | RequestFailure> {
  const from = release(fromId);
  const to = release(toId);
  if (!from || !to) return new RequestFailure('not-found', `no release ${!from ? fromId : toId}`);
  // Not known either way (git failing) reads as neither: `sideways` lists the commits brought in.
  const [back, forward] = (await Promise.all([git.isAncestor(to.commit, from.commit), git.isAncestor(from.commit, to.commit)])).map((answer) => answer === 'ancestor');
  const direction = from.commit === to.commit ? 'same' : back ? 'back' : forward ? 'forward' : 'sideways';
  // Going back lists the commits that will no longer be live; going forward, the ones that will be.
  const commits = direction === 'back' ? await git.commitsBetween(to.commit, from.commit, 50) : direction === 'same' ? [] : await git.commitsBetween(from.commit, to.commit, 50);
  const [fromConfig, toConfig] = await Promise.all([git.showFile(from.commit, 'axum.yml'), git.showFile(to.commit, 'axum.yml')]);
  const parse = (text: string | null) => (text ? (parseYaml(text) as unknown) : null);
  let configKeys: string[];
  let changes: ReturnType<typeof configChanges> | undefined;
  try {
    changes = configChanges(parse(fromConfig), parse(toConfig));
    configKeys = changes.map((c) => c.key);
  } catch {
    configKeys = ['(axum.yml of one side does not parse)'];
  }
  return { from: fromId, to: toId, commits, direction, configKeys, ...(changes ? { configChanges: changes } : {}), artifacts: changedArtifacts(from, to), metrics: metricDeltas(from, to, metrics) };
}

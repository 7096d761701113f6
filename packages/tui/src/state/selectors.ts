import type { EnvironmentView } from '@axum/protocol';

/** One environment as table cells (name, branch, live, release, commit, LKG, flags): the TUI and `axum status` show the same. */
export function environmentCells(env: EnvironmentView): string[] {
  const flags = [
    env.operation && `${env.operation.kind} #${env.operation.revision} in progress`,
    env.protected && 'protected',
    env.approval === 'manual' && 'manual approval',
    env.pinned && 'pinned',
    env.awaitingApproval && `awaiting approval (${env.pendingReleaseId})`,
  ]
    .filter(Boolean)
    .join(', ');
  return [
    env.name,
    env.branch,
    env.live ? `#${env.live.revision}` : '—',
    env.live ? env.live.releaseId : '—',
    env.live ? env.live.commit.slice(0, 8) : '—',
    env.lastKnownGood ? `#${env.lastKnownGood.revision}` : '—',
    flags || '—',
  ];
}

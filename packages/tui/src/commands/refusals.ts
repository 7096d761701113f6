// What the daemon would refuse, said before a command asks anything: a confirmation typed (or a
// `--yes` added) for a request the daemon then refuses is wasted, and teaches people to confirm
// without reading. The words are the daemon's own, so `--yes` and a terminal read the same.
import { badRefusal, busyText, liveAlreadyText, nothingToApproveText, type EnvironmentView, type ReleaseListing } from '@axum/protocol';
import { servingOf } from '../state/selectors.js';

/** The daemon runs one operation per environment: a manual act while one holds it is refused. */
export function busyRefusal(env: EnvironmentView): string | null {
  const op = env.operation;
  return op ? busyText(env.name, op) : null;
}

/** A release marked bad goes nowhere without `--force` (ARCHITECTURE.md, glossary: Bad). */
export function badReleaseRefusal(releases: readonly ReleaseListing[], releaseId: string, force: boolean | undefined, anyway: string, subject?: string): string | null {
  const bad = force ? null : releases.find((r) => r.id === releaseId)?.bad;
  return bad ? badRefusal(releaseId, bad, anyway, subject) : null;
}

/** `axum approve ENV`: what it would act on (a paused environment's serving release, else the pending one), or why it is refused. */
export function approveRefusal(env: EnvironmentView, releases: readonly ReleaseListing[], force: boolean | undefined): string | null {
  const busy = busyRefusal(env);
  if (env.paused) {
    const serving = servingOf(env);
    if (!serving) return `${env.name} is paused but nothing serves to keep: axum deploy ${env.name} --release ID or axum rollback ${env.name} --to N decides`;
    return busy ?? badReleaseRefusal(releases, serving.releaseId, force, `to keep it anyway: axum approve ${env.name} --force; or axum rollback ${env.name}`);
  }
  if (!env.pendingReleaseId) return nothingToApproveText(env.name, env);
  return busy ?? badReleaseRefusal(releases, env.pendingReleaseId, force, `to approve it anyway: axum approve ${env.name} --force`);
}

/** A rollback to `target` the daemon would refuse (domain `rollbackRefusal`): still in its operation, live already, or marked bad. */
export function rollbackTargetRefusal(env: EnvironmentView, target: { revision: number; releaseId: string; status?: string }, releases: readonly ReleaseListing[], force: boolean | undefined): string | null {
  if (target.status === 'deploying' || target.status === 'verifying') return `#${target.revision} is still ${target.status}`;
  // Live already before a bad mark: nothing would move, so naming --force would send them round.
  if (env.live?.releaseId === target.releaseId) return liveAlreadyText(target.revision, env.live);
  const bad = badReleaseRefusal(releases, target.releaseId, force, 'pass --force to roll back to it anyway', `the release of #${target.revision}, ${target.releaseId},`);
  if (bad) return bad;
  return busyRefusal(env);
}

import { userName } from '../user-name.js';
import type { EnvironmentView, ParamsOf, ReleaseDiff, RequestMethod, ResultOf } from '@axum/protocol';
import { servingOf } from './selectors.js';
import type { Confirm, PendingAction, TuiState } from './tui-state.js';

const by = () => `axum TUI (pid ${process.pid}, ${userName()})`;

/** How an action reaches the daemon (`DaemonLink.request`), passed in so this file does no I/O. */
export type Requester = <M extends RequestMethod>(method: M, params: ParamsOf<M>) => Promise<ResultOf<M>>;

/** Sends the request an action stands for, and words its outcome for the footer; a refusal rejects. */
export async function performAction(request: Requester, action: PendingAction): Promise<string> {
  switch (action.kind) {
    case 'rollback': {
      const revision = await request('env.rollback', { env: action.env, to: action.to, force: action.force, by: by() });
      return revision.status === 'live' ? `${action.env}: rolled back, #${revision.revision} live and verified (pinned)` : `${action.env}: rollback #${revision.revision} FAILED: ${revision.message ?? ''}`;
    }
    case 'approve': {
      const revision = await request('env.approve', { env: action.env, by: by() });
      return revision.status === 'live' ? `${action.env}: #${revision.revision} live and verified` : `${action.env}: #${revision.revision} FAILED: ${revision.message ?? ''}`;
    }
    case 'pin':
      await request('env.pin', { env: action.env, pinned: action.pinned, by: by() });
      return `${action.env} ${action.pinned ? 'pinned' : 'unpinned'}`;
    case 'trigger': {
      const run = await request('run.trigger', { branch: action.branch });
      return `${run.id} queued on ${action.branch}`;
    }
    case 'cancel':
      await request('run.cancel', { runId: action.runId });
      return `${action.runId} cancelled`;
  }
}

/** The footer line while an action's request is in flight. */
export function describePending(action: PendingAction): string {
  switch (action.kind) {
    case 'rollback':
      return `rolling ${action.env} back`;
    case 'approve':
      return `deploying to ${action.env}`;
    case 'pin':
      return `${action.pinned ? 'pinning' : 'unpinning'} ${action.env}`;
    case 'trigger':
      return `queueing a run of ${action.branch}`;
    case 'cancel':
      return `cancelling ${action.runId}`;
  }
}

/**
 * The confirmation an action needs: null for harmless ones (a run or a pin of an unprotected
 * environment), `{ refused }` when it cannot go ahead — said before anything is asked, and truly —
 * else what to confirm. Protected environments need their name typed; the rest `y`.
 */
export function confirmationFor(action: PendingAction, state: TuiState): Omit<Confirm, 'input'> | { refused: string } | null {
  if (action.kind === 'cancel') return { title: `cancel ${action.runId}?`, details: ['its step processes are killed'], typed: null, action };
  if (action.kind === 'trigger') {
    const fed = state.daemon?.environments.find((e) => e.branch === action.branch);
    if (!fed?.protected || fed.approval === 'manual') return null;
    return { title: `run ${action.branch} now? when it succeeds it deploys to ${fed.name}`, details: liveLine(fed), typed: fed.name, action };
  }
  const env = state.daemon?.environments.find((e) => e.name === action.env);
  const typed = env?.protected ? env.name : null;
  if (action.kind === 'pin') {
    if (!env?.protected) return null;
    const what = action.pinned ? 'new commits will build and test but not deploy' : 'the next succeeded run deploys';
    return { title: `${action.pinned ? 'pin' : 'unpin'} ${action.env}?`, details: [...liveLine(env), what], typed, action };
  }
  if (action.kind === 'approve') {
    return { title: `deploy ${env?.pendingReleaseId ?? 'the pending release'} to ${action.env}?`, details: liveLine(env), typed, action };
  }
  const target = action.to === null ? env?.lastKnownGood : state.histories[action.env]?.find((r) => r.revision === action.to);
  if (!target) return { refused: action.to === null ? `${action.env}: no last known good revision to roll back to (nothing earlier passed verification)` : `${action.env} has no revision #${action.to}` };
  if (env?.live && target.releaseId === env.live.releaseId) return { refused: `#${target.revision} has the release that is live already (${env.live.releaseId} in #${env.live.revision}): nothing would change` };
  const badMark = Object.hasOwn(state.bad, target.releaseId) ? state.bad[target.releaseId] : undefined;
  if (badMark) return { refused: `#${target.revision}'s release ${target.releaseId} is marked bad (${badMark.why}, by ${badMark.by}); to go back to it anyway: axum rollback ${action.env} --to ${target.revision} --force` };
  const targetText = `#${target.revision} (${target.releaseId}, ${target.commit.slice(0, 8)})`;
  return {
    title: `roll ${action.env} back to ${action.to === null ? `the last known good ${targetText}` : targetText}?`,
    details: [
      ...liveLine(env),
      // A manual rollback marks the release it leaves bad (ARCHITECTURE.md, glossary): said before, not found out after.
      ...(env?.live ? [`${env.live.releaseId} will be marked bad (a rollback moves away from it)`] : []),
      'then verify it, and pin the environment (new commits will not deploy until unpinned)',
    ],
    typed,
    action,
  };
}

function liveLine(env: EnvironmentView | undefined): string[] {
  const serving = env ? servingOf(env) : null;
  if (!serving) return ['nothing is live now'];
  const what = `#${serving.revision} (${serving.releaseId}, ${serving.commit.slice(0, 8)})`;
  return [serving.failed ? `serving now: ${what}, which FAILED (serving, failed: not verified)` : `live now: ${what}`];
}

/** The pre-action diff of a rollback, as lines for the confirmation. */
export function diffLines(diff: ReleaseDiff): string[] {
  const size = (n: number | null) => (n === null ? '—' : n >= 1e6 ? `${(n / 1e6).toFixed(1)} MB` : n >= 1e3 ? `${(n / 1e3).toFixed(1)} kB` : `${n} B`);
  const lines: string[] = [];
  if (diff.direction === 'same') lines.push('code: the same commit');
  else {
    const verb = diff.direction === 'back' ? 'takes back' : diff.direction === 'forward' ? 'brings in' : 'switches across';
    lines.push(`code: ${verb} ${diff.commits.length}${diff.commits.length === 50 ? '+' : ''} commit${diff.commits.length === 1 ? '' : 's'}${diff.commits.length ? `: ${diff.commits.slice(0, 3).join(' · ')}${diff.commits.length > 3 ? ' …' : ''}` : ''}`);
  }
  lines.push(diff.configKeys.length ? `config: ${diff.configKeys.length} key${diff.configKeys.length === 1 ? '' : 's'} change: ${diff.configKeys.slice(0, 4).join(', ')}${diff.configKeys.length > 4 ? ' …' : ''}` : 'config: unchanged');
  lines.push(
    diff.artifacts.length
      ? `artifacts: ${diff.artifacts.slice(0, 3).map((a) => `${a.path} ${a.change === 'changed' ? `${size(a.fromSize)} → ${size(a.toSize)}` : a.change}`).join(', ')}${diff.artifacts.length > 3 ? ` (+${diff.artifacts.length - 3})` : ''}`
      : 'artifacts: identical (same sha256)',
  );
  const moved = diff.metrics.filter((m) => m.from !== m.to);
  if (moved.length) lines.push(`metrics: ${moved.map((m) => `${m.name} ${m.from ?? '—'} → ${m.to ?? '—'}`).join(', ')}`);
  return lines;
}

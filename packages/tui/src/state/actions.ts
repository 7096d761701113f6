import { userName } from '../user-name.js';
import { approvalScopeText, liveAlreadyText, minuteText, type EnvironmentView, type ParamsOf, type RequestMethod, type ResultOf } from '@axum/protocol';
import { deployNotLive, servingOf, unpinQuestion } from './selectors.js';
import { watchOf } from './confirm-watch.js';
import { lastKnownGoodLosses, noRollbackTargetReason, promotedReleaseText, releaseMarkedByRollback } from './releases.js';
import type { Confirm, PendingAction, TuiState } from './tui-state.js';

const by = () => `${userName()} via the TUI`;

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
      const revision = await request('env.approve', { env: action.env, by: by(), ...(action.releaseId ? { releaseId: action.releaseId } : {}) });
      if (revision.status === 'live' && revision.steps.length === 0 && revision.message?.startsWith('accepted')) return `${action.env}: ${revision.message}; #${revision.revision} live, the pause lifted`;
      return revision.status === 'live' ? `${action.env}: #${revision.revision} live and verified` : `${action.env}: #${revision.revision} FAILED: ${revision.message ?? ''}`;
    }
    case 'pin': {
      const result = await request('env.pin', { env: action.env, pinned: action.pinned, by: by() });
      if (action.pinned) return `${action.env} pinned`;
      // Unpinning deploys the newest release the pin held back: say what became of it.
      const d = result.deployed;
      // With nothing held, what the next run's release does here: `approval: manual` waits, as `axum unpin` says.
      if (!d) return result.note ? `${action.env} unpinned; ${result.note}` : `${action.env} unpinned; no release waits (${result.approval === 'manual' ? 'the next succeeded run waits for approval' : 'the next succeeded run deploys'})`;
      // An inconclusive verification is not called failed (its message says what it is).
      return d.status === 'failed' ? `${action.env} unpinned; ${d.releaseId} as #${d.revision} ${d.message?.startsWith('inconclusive: ') ? '' : 'FAILED: '}${d.message ?? ''}` : `${action.env} unpinned; deployed ${d.releaseId} as #${d.revision} (${d.status}${d.verified ? ', verified' : ''})`;
    }
    case 'trigger': {
      const run = await request('run.trigger', { branch: action.branch, by: by(), force: false, again: false });
      // A run that built the head already is the answer too (build once, promote): said as built, not as a status.
      if (run.existing && run.status === 'succeeded') {
        const deploy = run.deploy && deployNotLive(run) ? `; deploy ${run.deploy.outcome}: axum run --rebuild builds it anew` : '';
        return `${run.id} already built ${action.branch} ${run.commit.slice(0, 8)} (succeeded${deploy}): nothing new queued`;
      }
      return run.existing ? `${run.id} is already ${run.status} for ${action.branch} ${run.commit.slice(0, 8)}` : `${run.id} queued on ${action.branch}`;
    }
    case 'promote': {
      const revision = await request('env.promote', { from: action.from, to: action.to, force: action.force, by: by(), releaseId: action.releaseId });
      return revision.status === 'live' ? `${action.to}: ${revision.releaseId} promoted from ${action.from}, #${revision.revision} live and verified` : `${action.to}: promote #${revision.revision} FAILED: ${revision.message ?? ''}`;
    }
    case 'mark': {
      const release = await request('release.mark', { releaseId: action.releaseId, mark: action.mark, ...(action.reason !== null ? { reason: action.reason } : {}), by: by() });
      return release.bad ? `${release.id} marked bad: ${release.bad.why}` : `${release.id}: bad mark cleared`;
    }
    case 'cancel':
      await request('run.cancel', { runId: action.runId });
      return `${action.runId} cancelled`;
  }
}

/**
 * The footer's words for a request that did not succeed: a refusal, or — the daemon stopped
 * answering, or the link closed before it did — no answer, where what was asked may have happened.
 */
export function failureNotice(message: string, unanswered: boolean): string {
  return unanswered ? `no answer: ${message}` : `refused: ${message}`;
}

/** What a rollback will mark bad, said with its outcome: `; rel-4 marked bad (axum mark rel-4 good clears it)`, or ``. */
export function rollbackMarkNote(action: PendingAction, state: TuiState): string {
  if (action.kind !== 'rollback') return '';
  const env = state.daemon?.environments.find((e) => e.name === action.env);
  const targetRelease = action.releaseId ?? (action.to === null ? env?.rollbackTarget : state.histories[action.env]?.find((r) => r.revision === action.to))?.releaseId;
  const marked = env && targetRelease ? releaseMarkedByRollback(env, targetRelease) : null;
  // A release marked bad before the rollback is not news after it.
  if (!marked || state.releases?.find((r) => r.id === marked.releaseId)?.bad) return '';
  return `; ${marked.releaseId} marked bad (axum mark ${marked.releaseId} good clears it)`;
}

/** The footer line while an action's request is in flight. */
export function describePending(action: PendingAction): string {
  switch (action.kind) {
    case 'rollback':
      return `rolling ${action.env} back`;
    case 'approve':
      return `approving in ${action.env}`;
    case 'pin':
      return `${action.pinned ? 'pinning' : 'unpinning'} ${action.env}`;
    case 'trigger':
      return `queueing a run of ${action.branch}`;
    case 'cancel':
      return `cancelling ${action.runId}`;
    case 'promote':
      return `promoting ${action.releaseId} from ${action.from} to ${action.to}`;
    case 'mark':
      return `marking ${action.releaseId} ${action.mark}`;
  }
}

/**
 * The confirmation an action needs: null for harmless ones (a run or a pin of an unprotected
 * environment), `{ refused }` when it cannot go ahead — said before anything is asked, and truly —
 * else what to confirm. Protected environments need their name typed; the rest `y`.
 */
export function confirmationFor(action: PendingAction, state: TuiState): Omit<Confirm, 'input'> | { refused: string } | null {
  const confirm = confirmationAsked(action, state);
  if (!confirm || 'refused' in confirm) return confirm;
  // What it shows is about these environments as they are now: when they move, it closes (confirm-watch.ts).
  const watched = WATCHED[confirm.action.kind];
  if (!watched) return confirm;
  const envs = confirm.action.kind === 'promote' ? [confirm.action.from, confirm.action.to] : 'env' in confirm.action ? [confirm.action.env] : [];
  return { ...confirm, watch: watchOf(state.daemon, envs, watched) };
}

/** The key that asks again for each action whose confirmation shows an environment's state. */
const WATCHED: Partial<Record<PendingAction['kind'], string>> = { rollback: 'r', approve: 'a', pin: 'p', promote: 'P' };

function confirmationAsked(action: PendingAction, state: TuiState): Omit<Confirm, 'input'> | { refused: string } | null {
  if (action.kind === 'cancel') return { title: `cancel ${action.runId}?`, details: ['its step processes are killed'], typed: null, action };
  if (action.kind === 'promote') return promoteConfirmation(action, state);
  if (action.kind === 'mark') {
    const release = state.releases?.find((r) => r.id === action.releaseId);
    if (action.mark === 'good') {
      if (!release?.bad) return { refused: `${action.releaseId} is not marked bad: nothing to clear` };
      return { title: `clear the bad mark of ${action.releaseId}?`, details: [`marked bad: ${release.bad.why} — by ${release.bad.by}`, 'deploys, promotes and rollbacks to it will no longer need --force'], typed: null, action };
    }
    if (release?.bad) return { refused: `${action.releaseId} is marked bad already (${release.bad.why}, by ${release.bad.by})` };
    const live = release && release.liveIn.length > 0 ? [`live in ${release.liveIn.join(', ')}: it keeps serving; rollbacks and deploys to it will need --force`] : ['deploys, promotes and rollbacks to it will need --force'];
    // Live in a protected environment: as weighty as a rollback there, so its name is typed too
    // (after the reason: confirm-keys.ts), and the title says where it serves.
    const guarded = (state.daemon?.environments ?? []).find((e) => e.protected && release?.liveIn.includes(e.name));
    const title = guarded ? `mark ${action.releaseId} bad while it is live in ${guarded.name} (protected)?` : `mark ${action.releaseId} bad?`;
    // The reason is typed in the dialog (Enter confirms; left empty, the default of the action).
    return { title, details: live, typed: guarded?.name ?? null, reason: { fallback: action.reason ?? 'none given' }, action };
  }
  if (action.kind === 'trigger') {
    // The run's release goes on to the protected environment the branch feeds (one branch feeds one
    // environment: the config refuses a second) unless a pin or a pause holds it: at once, or after
    // an approval or a gate (as weighty: what reaches production is decided by this key), so its name is typed.
    const guarded = (state.daemon?.environments ?? []).find((e) => e.branch === action.branch && e.protected);
    if (!guarded) return null;
    // Held by a pin or a pause, the run reaches it not: still asked (y/n), so `t` on a branch that
    // feeds a protected environment always opens a dialog, and it says why nothing is typed.
    if (guarded.pinned || guarded.paused) {
      return { title: `run ${action.branch} now?`, details: [`${guarded.name} is ${guarded.pinned ? 'pinned' : 'paused'}: the release it builds waits there (held back), it does not deploy`], typed: null, action };
    }
    const fed = guarded;
    const waits = fed.approval === 'manual';
    return {
      title: `run ${action.branch} now? when it succeeds it ${waits ? 'waits for approval to deploy' : 'deploys'} to ${fed.name}`,
      details: [...liveLine(fed), ...(waits ? [`it deploys once approved (a here, or axum approve ${fed.name})`] : [])],
      typed: fed.name,
      action,
    };
  }
  const env = state.daemon?.environments.find((e) => e.name === action.env);
  const typed = env?.protected ? env.name : null;
  if (action.kind === 'pin') {
    if (!env) return { refused: `no environment ${action.env}` };
    // A pin that changes nothing is said, not sent: the key toggles, so this is a state that moved under it.
    if (action.pinned === env.pinned) return { refused: env.pinned ? `${env.name} is pinned already: nothing to pin` : `${env.name} is not pinned: nothing to unpin` };
    // Asked as the CLI asks (`axum unpin`): unpinning a protected environment turns its automatic
    // deploys back on, whether or not a held release deploys at once. A pin is never asked.
    if (action.pinned || !env.protected) return null;
    const held = env.heldReleaseId && !Object.hasOwn(state.bad, env.heldReleaseId) ? env.heldReleaseId : null;
    const then = held ? `${held} deploys and verifies now; new commits deploy again` : `nothing is held back; the next succeeded run on ${env.branch} ${env.approval === 'manual' ? 'waits for approval' : 'deploys'}`;
    return { title: `${unpinQuestion(env, held)}?`, details: [...liveLine(env), then], typed, action };
  }
  if (action.kind === 'approve') {
    const refused = badApproval(env, state);
    if (refused) return { refused };
    // A paused environment: approving keeps what serves (recorded live and verified by this person).
    if (env?.paused) {
      const held = env.heldReleaseId ? [`then ${env.heldReleaseId}, held back by the pause, deploys`] : [];
      const kept = servingOf(env)?.releaseId;
      return { title: `keep #${env.paused.revision} in ${action.env} as live and verified, and lift the pause?`, details: [...liveLine(env), `paused: ${env.paused.reason}`, ...held, approvalScopeText(action.env)], typed, action: kept ? { ...action, releaseId: kept } : action };
    }
    return { title: `deploy ${env?.pendingReleaseId ?? 'the pending release'} to ${action.env}?`, details: liveLine(env), typed, action: env?.pendingReleaseId ? { ...action, releaseId: env.pendingReleaseId } : action };
  }
  // No target named: where the daemon would go (the last known good other than the live release); none is refused before asking.
  const target = action.to === null ? env?.rollbackTarget : state.histories[action.env]?.find((r) => r.revision === action.to);
  if (!target) return { refused: action.to === null ? (env ? noRollbackTargetReason(env, state.view.kind === 'history') : `no environment ${action.env}`) : `${action.env} has no revision #${action.to}` };
  // The daemon's other refusal it can know of (domain rollbackRefusal): a target still in its operation.
  if ('status' in target && (target.status === 'deploying' || target.status === 'verifying')) return { refused: `#${target.revision} is still ${target.status}: nothing to roll back to yet` };
  if (env?.live && target.releaseId === env.live.releaseId) return { refused: `${liveAlreadyText(target.revision, env.live)}: nothing would change` };
  const badMark = Object.hasOwn(state.bad, target.releaseId) ? state.bad[target.releaseId] : undefined;
  // The command before the mark's why, which can be long: the footer's two rows at 80 columns keep it.
  if (badMark) return { refused: `#${target.revision}'s release ${target.releaseId} is marked bad: axum rollback ${action.env} --to ${target.revision} --force goes back to it anyway (${badMark.why}, by ${badMark.by})` };
  // A manual rollback marks the release it leaves bad (ARCHITECTURE.md, glossary): said before, not found out after.
  const marked = env ? releaseMarkedByRollback(env, target.releaseId) : null;
  const left = marked ? state.releases?.find((r) => r.id === marked.releaseId) : undefined;
  // Marked already (by a verify, a monitor, a person): the mark stays as it is, and says since when.
  // The title says what happens to it; this line only what the title leaves out (no word said twice).
  const markWords = marked ? (left?.bad ? `marked bad since ${minuteText(left.bad.at)}: ${left.bad.why}` : `to clear its mark later: axum mark ${marked.releaseId} good`) : '';
  // The release keeps serving wherever else it is live: a bad mark does not move those environments.
  const elsewhere = left?.liveIn.filter((e) => e !== action.env) ?? [];
  return {
    title: `roll back ${action.env} to #${target.revision} (${target.releaseId})?${marked ? ` ${marked.releaseId} (${marked.failed ? 'serving, failed' : 'live'}, #${marked.revision}) ${left?.bad ? 'stays marked bad' : 'will be marked bad'}` : ''}`,
    details: [
      ...liveLine(env),
      `target: #${target.revision} (${target.releaseId}, ${target.commit.slice(0, 8)})${action.to === null ? ', the last known good before it' : ''}`,
      ...(marked ? [`${marked.releaseId}: ${markWords}`] : []),
      ...(marked && elsewhere.length > 0 ? [`${marked.releaseId} is also live in ${elsewhere.join(', ')}: it keeps serving there`] : []),
      ...(marked ? lastKnownGoodLosses(marked.releaseId, action.env, state.daemon?.environments ?? []) : []),
      env?.pinned ? 'then verify it; it stays pinned (new commits do not deploy until unpinned)' : 'then verify it, and pin the environment (new commits will not deploy until unpinned)',
    ],
    typed,
    // The revision shown is the one asked for: the daemon goes there or refuses, never to a last known good picked later.
    action: { ...action, to: target.revision, releaseId: target.releaseId },
  };
}

/** Promote FROM's live release to TO: TO's protection decides how it is confirmed; a bad release is refused before asking. */
function promoteConfirmation(action: Extract<PendingAction, { kind: 'promote' }>, state: TuiState): Omit<Confirm, 'input'> | { refused: string } {
  const from = state.daemon?.environments.find((e) => e.name === action.from);
  const to = state.daemon?.environments.find((e) => e.name === action.to);
  if (!to) return { refused: `no environment ${action.to} to promote to` };
  if (!from?.live) return { refused: `${action.from}: nothing live to promote${from?.serving?.failed ? ` (#${from.serving.revision} serves but FAILED its verification)` : ''}` };
  // What the daemon would refuse after the typed confirmation, refused before it (the daemon's own words).
  if (to.live?.releaseId === from.live.releaseId) return { refused: `${action.releaseId} is live in ${action.to} already (#${to.live.revision}): nothing to promote` };
  const badMark = Object.hasOwn(state.bad, action.releaseId) ? state.bad[action.releaseId] : undefined;
  // Short, for the footer's one row: who marked it is in the releases view (R), the whole refusal in the event log (e).
  const why = badMark && badMark.why.length > 40 ? `${badMark.why.slice(0, 39)}…` : badMark?.why;
  if (badMark && !action.force) return { refused: `${action.releaseId} is marked bad (${why}): axum promote ${action.from} ${action.to} --force, or axum mark ${action.releaseId} good` };
  const release = state.releases?.find((r) => r.id === action.releaseId);
  return {
    title: `promote ${promotedReleaseText(action.releaseId, action.from, release, from.live)} to ${action.to}?`,
    // The daemon deploys a promote into a pinned environment (a pin holds back commits, not a person's
    // deploy) and keeps the pin: said before it is confirmed, not found out after.
    // First, where the dialog never cuts it (confirm-layout.ts keeps the first detail).
    details: [...(to.pinned ? [`${action.to} is pinned: the promote deploys all the same, and it stays pinned (new commits do not deploy until unpinned)`] : []), ...liveLine(to).map((l) => `${action.to}: ${l}`), 'the same bytes, no rebuild; then verify it there'],
    typed: to.protected ? to.name : null,
    action,
  };
}

/**
 * The daemon refuses to approve a release marked bad without --force: refused before asking, the
 * command first and the mark's why last (the daemon's words put the why first: cut at 80 columns).
 */
function badApproval(env: EnvironmentView | undefined, state: TuiState): string | null {
  const releaseId = env?.paused ? servingOf(env)?.releaseId : env?.pendingReleaseId;
  const mark = env && releaseId && Object.hasOwn(state.bad, releaseId) ? state.bad[releaseId] : undefined;
  if (!env || !releaseId || !mark) return null;
  const anyway = env.paused ? `axum approve ${env.name} --force keeps it anyway, or axum rollback ${env.name}` : `axum approve ${env.name} --force deploys it anyway, or axum mark ${releaseId} good`;
  return `${releaseId} is marked bad: ${anyway} (${mark.why}, by ${mark.by})`;
}

function liveLine(env: EnvironmentView | undefined): string[] {
  const serving = env ? servingOf(env) : null;
  if (!serving) return ['nothing is live now'];
  const what = `#${serving.revision} (${serving.releaseId}, ${serving.commit.slice(0, 8)})`;
  if (serving.failed && env?.paused?.revision === serving.revision) return [`serving now: ${what}, its verification inconclusive (paused: not verified, not failed)`];
  return [serving.failed ? `serving now: ${what}, which FAILED (serving, failed: not verified)` : `live now: ${what}`];
}

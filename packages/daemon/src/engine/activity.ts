// What a client did, in one line for every other terminal (the TUI's event log, lazygit's command
// log): only requests that change the shared state are said, with their outcome or refusal.
import type { AttachedClient, EnvironmentView, Request, ResultOf, RevisionView, RunView } from '@axum/protocol';

/** `alice (axum-tui on pts/3)`: a person's words for a client. */
export function whoOf(client: Pick<AttachedClient, 'name' | 'user' | 'terminal'>): string {
  const where = client.terminal ? `${client.name} on ${client.terminal}` : client.name;
  return client.user ? `${client.user} (${where})` : where;
}

/** `#3, live`, with the revision's message when it says more than the line around it (a rollback's `rolled back to #1` does not). */
const revisionOutcome = (revision: RevisionView) => {
  const news = revision.message === `rolled back to #${revision.rollbackTo}` ? null : revision.message;
  return `#${revision.revision}, ${revision.status}${news ? `: ${news}` : ''}`;
};

/**
 * The environments a request may move (a rollback, deploy, approve, promote, or an unpin that
 * deploys): while it is handled, its activity line says those moves, with who, and the daemon does
 * not say them again as moves nobody asked for.
 */
export function environmentsMovedBy(request: Request): string[] {
  switch (request.method) {
    case 'env.rollback':
    case 'env.deploy':
    case 'env.approve':
      return [request.params.env];
    case 'env.promote':
      return [request.params.to];
    case 'env.pin':
      return request.params.pinned ? [] : [request.params.env];
    default:
      return [];
  }
}

/**
 * The line for a request that succeeded (`result`) or was refused (`refusal`); null for requests
 * that only read (state, runs, logs, history…).
 */
export function activityText(request: Request, outcome: { result: unknown } | { refusal: string }): string | null {
  const refused = 'refusal' in outcome ? outcome.refusal : null;
  const result = 'result' in outcome ? outcome.result : null;
  const said = (done: string, attempt: string) => (refused !== null ? `${attempt} refused: ${refused}` : done);
  switch (request.method) {
    case 'run.trigger': {
      const run = result as ResultOf<'run.trigger'> | null;
      const what = request.params.commit ?? request.params.branch ?? 'the current branch';
      // A run that built the commit already answers (build once, promote): said as done, not as started.
      if (run?.existing && run.status === 'succeeded') return `asked for a run of ${run.branch} ${run.commit.slice(0, 8)}: ${run.id} already built it (succeeded), nothing new queued`;
      // The watcher's run of the commit (`git commit && axum run`) is said as the push's.
      if (run?.existing && run.trigger === 'push') return `asked for a run of ${run.branch} ${run.commit.slice(0, 8)}: ${run.id} already ${run.status === 'queued' ? 'queued' : 'started'} by the push`;
      if (run?.existing) return `asked for a run of ${run.branch} ${run.commit.slice(0, 8)}: ${run.id} is already ${run.status} for it`;
      return said(`queued ${run?.id} (${run?.branch} ${run?.commit.slice(0, 8)})`, `run of ${what}`);
    }
    case 'run.cancel':
      return said(`cancelled ${request.params.runId}`, `cancel of ${request.params.runId}`);
    case 'env.deploy': {
      const revision = result as ResultOf<'env.deploy'> | null;
      if (revision?.unchanged) return `deploy of ${revision.releaseId} to ${request.params.env}: live there already (#${revision.revision}), nothing changed`;
      return said(`deployed ${revision?.releaseId} to ${request.params.env} (${revision ? revisionOutcome(revision) : ''})`, `deploy to ${request.params.env}`);
    }
    case 'env.rollback': {
      const revision = result as ResultOf<'env.rollback'> | null;
      const target = request.params.to === null ? 'the last known good' : `#${request.params.to}`;
      return said(`rolled back ${request.params.env} to ${revision?.rollbackTo ? `#${revision.rollbackTo}` : target} (${revision ? revisionOutcome(revision) : ''})`, `rollback of ${request.params.env} to ${target}`);
    }
    case 'env.approve': {
      const revision = result as ResultOf<'env.approve'> | null;
      return said(`approved ${request.params.env} (${revision ? revisionOutcome(revision) : ''})`, `approval of ${request.params.env}`);
    }
    case 'env.pin': {
      const pin = result as Partial<ResultOf<'env.pin'>> | null;
      if (pin?.unchanged) return `${request.params.pinned ? 'pin' : 'unpin'} of ${request.params.env}: ${request.params.pinned ? 'pinned' : 'not pinned'} already, nothing changed`;
      // What unpinning did with the release the pin held back is part of what happened.
      const after = pin?.deployed ? `; deployed ${pin.deployed.releaseId} (${revisionOutcome(pin.deployed)})` : pin?.note ? `; ${pin.note}` : '';
      return said(`${request.params.pinned ? 'pinned' : 'unpinned'} ${request.params.env}${after}`, `${request.params.pinned ? 'pin' : 'unpin'} of ${request.params.env}`);
    }
    case 'env.promote': {
      const revision = result as ResultOf<'env.promote'> | null;
      const { from, to } = request.params;
      if (revision?.unchanged) return `promote of ${revision.releaseId} from ${from} to ${to}: live there already (#${revision.revision}), nothing changed`;
      return said(`promoted ${revision?.releaseId} from ${from} to ${to} (${revision ? revisionOutcome(revision) : ''})`, `promote of ${from} to ${to}`);
    }
    case 'release.mark': {
      const { releaseId, mark } = request.params;
      const marked = result as ResultOf<'release.mark'> | null;
      if (marked?.unchanged) return `mark of ${releaseId} ${mark}: ${mark === 'good' ? 'not marked bad' : 'marked bad'} already, nothing changed`;
      const why = marked?.marks.at(-1)?.why;
      // A second bad mark is a new reason for the one that stands.
      const again = mark === 'bad' && marked?.marks.at(-2)?.mark === 'bad';
      return said(mark === 'good' ? `cleared the bad mark of ${releaseId} (${why})` : again ? `gave ${releaseId}'s bad mark a new reason (${why})` : `marked ${releaseId} bad (${why})`, `mark of ${releaseId} ${mark}`);
    }
    case 'releases.fsck': {
      const report = result as ResultOf<'releases.fsck'> | null;
      const count = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
      return said(`ran fsck: ${report ? `${count(report.problems.length, 'problem')} in ${count(report.releases, 'release')}` : ''}`, 'fsck');
    }
    case 'backup.run': {
      const report = result as ResultOf<'backup.run'> | null;
      const ok = report ? report.targets.filter((t) => t.ok).length : 0;
      return said(`backed up .axum/ to ${ok} of ${report?.targets.length ?? 0} target(s)`, 'backup');
    }
    case 'daemon.shutdown':
      return 'stopped the daemon';
    default:
      return null;
  }
}

/**
 * An environment's move no request says (a push deploy, an automatic rollback, an operation that
 * ended without going live), read off its view before and after, said by `axum` with who started
 * the operation. Null when `current` did not move and no operation ended.
 */
/**
 * An incident that went (a revision went live and verified, `current` was put right, a repair):
 * said in the activity, so the event log keeps it after status stops showing it. Null while one
 * stands, or when another replaced it (that one is shown in its place).
 */
export function resolvedText(before: EnvironmentView, after: EnvironmentView): string | null {
  return before.incident && !after.incident ? `${after.name}: incident resolved: ${before.incident}` : null;
}

export function movedText(before: EnvironmentView, after: EnvironmentView): string | null {
  const op = before.operation;
  // `auto: #6 failed verification` → `after #6 failed verification`; `push run-6` → `by push run-6`.
  const cause = op ? (op.holder.startsWith('auto: ') ? `, after ${op.holder.slice('auto: '.length)}` : `, by ${op.holder}`) : '';
  // Nothing was known of it and no operation held it: its records were loaded (a daemon starting,
  // before its first client), which says what served already, not that anything moved.
  if (!op && !before.live && !before.serving) return null;
  if (after.live && before.live?.revision !== after.live.revision) {
    const kind = op && op.revision === after.live.revision ? `${op.kind} ` : '';
    return `${after.name}: ${kind}#${after.live.revision} is live (${after.live.releaseId}, ${after.live.commit.slice(0, 8)})${kind ? cause : ''}`;
  }
  // Ended where it started: not live (when it went live, an earlier update said so).
  if (!op || after.operation || before.live?.revision !== after.live?.revision || after.live?.revision === op.revision) return null;
  const logs = `axum logs ${after.name}#${op.revision}`;
  if (after.serving?.failed && after.serving.revision === op.revision) {
    // Paused over it: inconclusive, not failed (nothing was marked bad or rolled back).
    if (after.paused?.revision === op.revision) return `${after.name}: ${op.kind} #${op.revision} inconclusive where it serves${cause}: paused (axum approve ${after.name} keeps it; ${logs})`;
    return `${after.name}: ${op.kind} #${op.revision} FAILED where it serves${cause} (${logs})`;
  }
  const still = after.live ? `#${after.live.revision} still live` : 'nothing live';
  return `${after.name}: ${op.kind} #${op.revision} did not go live${cause}; ${still} (${logs})`;
}

/**
 * A run's deploy that waits for a person (approval, a pin) or was refused (a release marked bad),
 * when it becomes so: the event log says it, not only the run's row. Null otherwise.
 */
export function runOutcomeText(before: RunView | undefined, after: RunView): string | null {
  const deploy = after.deploy;
  // A run not seen before is one the daemon lists at its start: what it waits for is not news.
  if (!before || !deploy || before.deploy?.outcome === deploy.outcome) return null;
  const release = after.releaseId ?? 'its release';
  switch (deploy.outcome) {
    case 'awaiting-approval':
      return `${after.id}: ${release} waits for approval in ${deploy.env} (axum approve ${deploy.env})`;
    case 'held-by-pin':
      return `${after.id}: ${release} is held by the pin of ${deploy.env} (axum unpin ${deploy.env} deploys it)`;
    case 'refused-bad':
      return `${after.id}: ${release} not deployed to ${deploy.env}: marked bad (axum runs shows why)`;
    default:
      return null;
  }
}

import { markTime, metricNumberText } from '@axum/protocol';
import type { DaemonState, DeployOutcome, EnvironmentView, OperationStep, RevisionView, RunView, ServingRevision, StepView } from '@axum/protocol';
import { flagsText, flagWords } from './flag-words.js';

export { hostsFlag } from './flag-words.js';

/** What the selectors read of the TUI's state (structural, so state/ has no import cycle). */
interface Loaded {
  daemon: DaemonState | null;
  histories: Record<string, RevisionView[]>;
}

// Four digits: the GATES and live-metric badges are narrow.
const number = (n: number) => metricNumberText(n, 4);

/**
 * An open incident first (`!`, as the incident's own line starts: a passing monitor does not make a
 * folder that no longer matches its manifest healthy), then the newest monitor check (`✓`/`✗`),
 * then the live revision's key metric beside the LKG's: `! ✓ accuracy 0.93 (LKG 0.91)`;
 * `! incident` alone when nothing is monitored. First, so a narrow column keeps it. `brief`: without
 * the LKG's value (the history has it), for a column too narrow for the whole.
 */
export function healthCell(env: EnvironmentView, brief = false): string {
  const metric = env.liveMetric ? `${env.liveMetric.name} ${number(env.liveMetric.value)}${env.liveMetric.lkgValue !== null && !brief ? ` (LKG ${number(env.liveMetric.lkgValue)})` : ''}` : '';
  const check = env.lastCheck ? (env.lastCheck.inconclusive ? '?' : env.lastCheck.passed ? '✓' : '✗') : '';
  const monitored = [check, metric].filter(Boolean).join(' ');
  if (env.incident) return monitored ? `! ${monitored}` : '! incident';
  return monitored || '—';
}

/**
 * What `current` serves: the live revision, or one *serving, failed* (ARCHITECTURE.md, glossary).
 * A daemon that predates `serving` sends null: its live revision is what serves.
 */
export function servingOf(env: EnvironmentView): ServingRevision | null {
  return env.serving ?? (env.live ? { ...env.live, failed: false } : null);
}

/** `#3`, or `#3 serving, failed` for a revision that failed where it serves; `—` when nothing serves. */
export function servingText(env: EnvironmentView, brief = false): string {
  const serving = servingOf(env);
  if (!serving) return '—';
  if (!serving.failed) return `#${serving.revision}`;
  // Paused over it: its verification could not decide, which is not a failure (nothing was marked bad).
  if (env.paused?.revision === serving.revision) return `#${serving.revision} ${brief ? 'inconclusive' : 'serving, inconclusive'}`;
  return `#${serving.revision} ${brief ? 'failed' : 'serving, failed'}`;
}

/**
 * A revision's status as people read it: one recorded `failed` whose verification could not decide
 * says `inconclusive` (nothing was marked bad or rolled back); JSON keeps the recorded status.
 */
export function revisionStatusWord(r: Pick<RevisionView, 'status' | 'message'>): string {
  return r.status === 'failed' && r.message?.startsWith('inconclusive: ') ? 'inconclusive' : r.status;
}

/**
 * A revision's status in `axum history`'s words: one a rollback took the environment from says so
 * (`superseded, rolled back`); a bare `superseded` is a newer deploy's doing.
 */
export function revisionStatusText(r: Pick<RevisionView, 'status' | 'message' | 'supersededBy'>): string {
  return r.status === 'superseded' && r.supersededBy !== undefined && r.supersededBy.kind !== 'deploy' ? 'superseded, rolled back' : revisionStatusWord(r);
}

/** One environment as named cells: the TUI and `axum status` show the same, each picking its columns. */
export function environmentCells(env: EnvironmentView) {
  return {
    name: env.name,
    branch: env.branch,
    // What `current` serves, failed or not: never "nothing" while a failed release is in front of users.
    live: servingText(env),
    release: servingOf(env)?.releaseId ?? '—',
    commit: servingOf(env)?.commit.slice(0, 8) ?? '—',
    lkg: env.lastKnownGood ? `#${env.lastKnownGood.revision}` : '—',
    health: healthCell(env),
    flags: flagsText(flagWords(env)),
  };
}

/**
 * A paused environment in one line, with how a person decides (ARCHITECTURE.md, glossary:
 * Inconclusive); null when it is not paused. `keys`: the TUI's keys instead of the commands.
 */
export function pauseLine(env: EnvironmentView, keys = false): string | null {
  const p = env.paused;
  if (!p) return null;
  const held = env.heldReleaseId ? `; ${env.heldReleaseId} is held back` : '';
  const target = env.rollbackTarget;
  // On the dashboard the keys come first: the row is cut at the terminal's width, the reason is in its history (Enter).
  if (keys) return `${env.name} paused over #${p.revision} — a keeps it${target ? `, r rolls back to #${target.revision}` : ''}${held}: ${p.reason}`;
  return `${env.name} paused since ${markTime(p.since)} over #${p.revision}: ${p.reason}${held} — axum approve ${env.name} keeps #${p.revision}, ${rollbackHint(env)}`;
}

/**
 * How to go back from what serves, as far as it can be done: `axum rollback staging goes back to
 * #3`, or, with nothing verified to go back to, what replaces it instead (a hint never offers a
 * rollback the daemon would refuse). While an operation holds the environment (an automatic
 * rollback, a deploy), that operation is what happens next: it is named, nothing is advised.
 */
export function rollbackHint(env: Pick<EnvironmentView, 'name' | 'rollbackTarget'> & { operation?: EnvironmentView['operation'] }): string {
  if (env.operation) return `${env.operation.kind} #${env.operation.revision} in progress`;
  return env.rollbackTarget
    ? `axum rollback ${env.name} goes back to #${env.rollbackTarget.revision} (${env.rollbackTarget.releaseId})`
    : `nothing verified to roll back to (axum deploy ${env.name} --release ID replaces it)`;
}

/** `production#7` → its parts; null for a run id. `'production #7'`, as tables print it, is the same. */
export function revisionAddress(text: string): { env: string; revision: number } | null {
  const match = /^\s*(\S+?)\s*#(\d+)\s*$/.exec(text);
  return match?.[1] && match[2] ? { env: match[1], revision: Number(match[2]) } : null;
}

/** The revision `ENV#N` names, from the loaded history of its environment. */
export function revisionAt(state: Loaded, address: string): RevisionView | undefined {
  const at = revisionAddress(address);
  return at ? state.histories[at.env]?.find((r) => r.revision === at.revision) : undefined;
}

/** The steps of what the log view shows: a run's, or a revision's operations (`ENV#N`). */
export function stepsOf(state: Loaded, id: string): readonly (StepView | OperationStep)[] {
  return revisionAddress(id) ? (revisionAt(state, id)?.steps ?? []) : (state.daemon?.runs.find((r) => r.id === id)?.steps ?? []);
}

/**
 * The operation log an incident points at (`… axum logs staging#2 --step check-3`), as a view to open;
 * else the one a pause's reason names: the daemon says an inconclusive revision in its pause only.
 */
export function incidentLog(env: EnvironmentView | undefined): { runId: string; step: string | null } | null {
  for (const text of [env?.incident, env?.paused?.reason]) {
    const match = text ? /axum logs (\S+#\d+)(?: --step (\S+?))?\)?(?:[;,\s]|$)/.exec(text) : null;
    if (match?.[1]) return { runId: match[1], step: match[2] ?? null };
  }
  return null;
}

/**
 * Why `i` opens nothing on an environment: an incident about what its `current` link names (the
 * folder no longer matches its manifest, is gone, or is no recorded release: `axum fsck` found it)
 * has no output to open. The incident names the fsck that puts it right where there is one
 * (`--repair`, `--rebuild`); that is what `i` says, else that `axum fsck` checks it.
 */
export function noIncidentOutputReason(env: EnvironmentView | undefined): string {
  const incident = env?.incident;
  if (env && incident?.startsWith('current names ')) {
    const remedy = /\((axum fsck[^)]*)\)/.exec(incident)?.[1];
    return `no output behind the incident of ${env.name}: it is about what its current link names (${remedy ?? 'axum fsck checks it'})`;
  }
  return 'no incident with an output here';
}

/**
 * A step's status as the TUI words it. The daemon records an inconclusive check as `inconclusive`;
 * histories written before that status existed recorded it `failed`, and the revision's message
 * names it: those read `inconclusive` too.
 */
export function stepStatusText(step: Pick<StepView | OperationStep, 'name'> & { status: string }, revision?: RevisionView): string {
  const inconclusive = revision?.message?.startsWith('inconclusive: ') && revision.message.includes(`check ${step.name}:`);
  return step.status === 'failed' && inconclusive ? 'inconclusive' : step.status;
}

/** A revision's gates in one short cell: the first failed gate (else the first), `+N` for the rest: `✗ accuracy 0.035 +1`. */
export function gateBadge(revision: RevisionView): string {
  const gate = revision.gates.find((g) => g.verdict === 'fail') ?? revision.gates.find((g) => g.verdict === 'inconclusive') ?? revision.gates[0];
  if (!gate) {
    // No gate judged it: what the verify steps wrote. Unsure (`?`) only while nothing verified it (an
    // inconclusive check stopped the verify first); a verified one — a person's approval, which keeps
    // what was measured, or an environment with no gates — reads plain, as `axum history` says it.
    const metrics = Object.entries(revision.metrics);
    const [name, value] = metrics[0] ?? [];
    if (name !== undefined && value !== undefined) return `${revision.verified ? '' : '? '}${name} ${number(value)}${metrics.length > 1 ? ` +${metrics.length - 1}` : ''}`;
    return revision.steps.length > 0 ? '—' : '';
  }
  const more = revision.gates.length > 1 ? ` +${revision.gates.length - 1}` : '';
  const mark = gate.verdict === 'pass' ? '✓' : gate.verdict === 'fail' ? '✗' : '?';
  return `${mark} ${gate.metric} ${gate.value === null ? 'missing' : number(gate.value)}${more}`;
}

const OUTCOME: Record<DeployOutcome, string> = {
  pending: '… deploying',
  live: '✓ live',
  failed: '✗ failed',
  interrupted: '↯ interrupted',
  inconclusive: '? inconclusive',
  'rolled-back': 'rolled back',
  superseded: 'superseded',
  'awaiting-approval': '⏸ approval',
  queued: '⏸ queued',
  'held-by-pin': '⏸ pinned',
  'held-by-pause': '⏸ paused',
  'refused-bad': '✗ refused (bad)',
  none: '—',
};

/**
 * A `pending` deploy of a run whose stages have not succeeded yet (no revision made): it waits for
 * them, nothing deploys yet (`axum runs` says `pending` too).
 */
const waitsForStages = (run: RunView): boolean => run.deploy?.outcome === 'pending' && run.deploy.revision === null && run.status !== 'succeeded';

/** A run's deploy in a few columns: `staging#3 ✗ failed`. */
export function deployBadge(run: RunView): string {
  if (!run.deploy || run.deploy.outcome === 'none') return '—';
  return `${run.deploy.env}${run.deploy.revision !== null ? `#${run.deploy.revision}` : ''} ${waitsForStages(run) ? 'pending' : OUTCOME[run.deploy.outcome]}`;
}

/**
 * What became of a run's deploy, in words for the run view: `not deployed to production: rel-3 is
 * marked bad (axum mark rel-3 good, or axum promote --force)`; null when the run led to no deploy.
 * `live`: what the environment serves now — a release superseded or rolled back that a rollback
 * has put back says so, or the run of the release that serves reads as if it no longer did.
 */
export function deployOutcomeText(run: RunView, live?: { revision: number; releaseId: string } | null): string | null {
  const d = run.deploy;
  if (!d || d.outcome === 'none') return null;
  // Again: its own revision served once (a run superseded before its deploy, by a newer run of the same release, never did).
  const again = live && run.releaseId === live.releaseId && d.revision !== null && live.revision > d.revision && (d.outcome === 'superseded' || d.outcome === 'rolled-back') ? `; live again in ${d.env}#${live.revision}` : '';
  return `${outcomeWords(run, { ...d, outcome: d.outcome })}${again}`;
}

function outcomeWords(run: RunView, d: NonNullable<RunView['deploy']> & { outcome: Exclude<DeployOutcome, 'none'> }): string {
  const at = `${d.env}${d.revision !== null ? `#${d.revision}` : ''}`;
  const release = run.releaseId ?? 'its release';
  switch (d.outcome) {
    case 'pending':
      return waitsForStages(run) ? `deploy: pending, to ${d.env} once the stages succeed` : `deploy: ${release} deploying to ${at}…`;
    case 'live':
      return `deploy: ${release} live in ${at}, verified`;
    case 'failed':
      // No revision (a deploy refused before it began, a hold the disk refused): the run's message says why, and d has nothing to open.
      return `deploy: ${release} FAILED in ${at}${d.revision !== null ? ' (d opens it)' : ''}`;
    case 'interrupted':
      // Not failed: a daemon restart cut it short, nothing judged it, and it is not retried by itself.
      // How to deploy it again (--again, or not at all once it is marked bad) is the daemon's to
      // say: the run's message, shown above this line, says it.
      return `deploy: ${release} interrupted in ${at} by a daemon restart, not retried by itself`;
    case 'inconclusive':
      return `deploy: ${release} serves in ${at}, its verification inconclusive: ${d.env} is paused (a keeps it, r rolls back)`;
    case 'rolled-back':
      return `deploy: ${release} was live in ${at}, then rolled back`;
    case 'superseded':
      return `deploy: ${release} to ${d.env} superseded by a newer release`;
    case 'awaiting-approval':
      return `deploy: ${release} waits for approval in ${d.env} (a approves)`;
    case 'queued':
      return `deploy: ${release} queued, ${d.env} is not in axum.yml now (it deploys when axum.yml declares ${d.env} again)`;
    case 'held-by-pin':
      return `deploy: ${release} held back, ${d.env} is pinned (unpinning deploys it)`;
    case 'held-by-pause':
      return `deploy: ${release} held back, ${d.env} is paused by an inconclusive check (a keeps what serves and deploys it, r rolls back)`;
    case 'refused-bad':
      // The run's message names who marked it and the way out (--force, mark good): not said twice.
      return `deploy: refused, not deployed to ${d.env} (${release} is marked bad)`;
  }
}

/** What unpinning does, asked as one act: `unpin production and deploy rel-9, held back by the pin` or `unpin production: new commits on main deploy to it again`. */
export function unpinQuestion(env: Pick<EnvironmentView, 'name' | 'branch' | 'approval'>, held: string | null): string {
  if (held) return `unpin ${env.name} and deploy ${held}, held back by the pin`;
  return `unpin ${env.name}: new commits on ${env.branch} ${env.approval === 'manual' ? 'wait for approval to deploy to it again' : 'deploy to it again'}`;
}

/** A run that built its commit but whose deploy did not go live (failed, refused as bad, rolled back): never answered as a plain "succeeded". */
export const deployNotLive = (run: Pick<RunView, 'deploy'>): boolean => ['failed', 'refused-bad', 'rolled-back'].includes(run.deploy?.outcome ?? '');

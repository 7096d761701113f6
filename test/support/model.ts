// The model of test/model.test.ts: what an Axum daemon should show after each command, written
// from ARCHITECTURE.md, glossary (revisions, last known good, pinned, rollback refusals), not from the daemon's code.
// It is deliberately small: two environments without approval, releases whose content is "good"
// (verify passes) or "bad" (verify fails), rollback.auto on, no monitor, and commands applied only
// once the daemon has settled (no operation in flight when the next command starts).

/** What a commit's `model/kind` file says: good and bad build and release; slow builds until cancelled. */
export type CommitKind = 'good' | 'bad' | 'slow';

export interface ModelRelease {
  id: string;
  /** The content: a good release passes verify, a bad one fails it. */
  content: 'good' | 'bad';
  /** Marked bad (verify failed on it, or a manual rollback moved away from it). */
  bad: boolean;
  /** The commit it was built from (build once, promote: a later run of that commit reuses it). */
  commit: number;
}

export interface ModelRevision {
  revision: number;
  status: 'live' | 'superseded' | 'failed';
  kind: 'deploy' | 'rollback' | 'auto-rollback';
  releaseId: string;
  rollbackTo: number | null;
  verified: boolean;
}

export interface ModelRun {
  number: number;
  status: 'queued' | 'running' | 'succeeded' | 'cancelled' | 'superseded' | 'interrupted';
  branch: string;
  trigger: 'push' | 'manual';
  /** The kind of the commit it runs. */
  kind: CommitKind;
  /** The commit it runs (0: the first commit, which every branch starts at). */
  commit: number;
  releaseId: string | null;
}

export interface ModelEnv {
  name: string;
  branch: string;
  pinned: boolean;
  /** The newest release built while pinned: `unpin` deploys it (ARCHITECTURE.md, glossary: Pinned). */
  held: string | null;
  revisions: ModelRevision[];
}

export interface Model {
  envs: ModelEnv[];
  runs: ModelRun[];
  releases: ModelRelease[];
  /** The kind of each branch's head commit. */
  heads: Record<string, CommitKind>;
  /** Each branch's head commit (0 the first; the n-th commit is n). */
  headCommits: Record<string, number>;
  commits: number;
}

export const ENVIRONMENTS = [
  { name: 'dev', branch: 'main' },
  { name: 'staging', branch: 'staging' },
] as const;

export function initialModel(): Model {
  return {
    envs: ENVIRONMENTS.map((e) => ({ name: e.name, branch: e.branch, pinned: false, held: null, revisions: [] })),
    runs: [],
    releases: [],
    heads: Object.fromEntries(ENVIRONMENTS.map((e) => [e.branch, 'good' as CommitKind])),
    headCommits: Object.fromEntries(ENVIRONMENTS.map((e) => [e.branch, 0])),
    commits: 0,
  };
}

export const envOf = (m: Model, name: string): ModelEnv => {
  const env = m.envs.find((e) => e.name === name);
  if (!env) throw new Error(`model: no environment ${name}`);
  return env;
};
const releaseOf = (m: Model, id: string): ModelRelease => {
  const release = m.releases.find((r) => r.id === id);
  if (!release) throw new Error(`model: no release ${id}`);
  return release;
};

export const liveOf = (env: ModelEnv): ModelRevision | null => env.revisions.findLast((r) => r.status === 'live') ?? null;

/** ARCHITECTURE.md glossary: the newest earlier revision whose verification passed and whose release is not bad (and is not what is live). */
export function lastKnownGoodOf(m: Model, env: ModelEnv): ModelRevision | null {
  const live = liveOf(env);
  const earlier = live ? env.revisions.filter((r) => r.revision < live.revision) : env.revisions;
  return earlier.findLast((r) => r.verified && !releaseOf(m, r.releaseId).bad && r.releaseId !== live?.releaseId) ?? null;
}

/** The last known good as shown: the live revision itself when it is verified and its release not bad. */
export function shownLastKnownGoodOf(m: Model, env: ModelEnv): ModelRevision | null {
  const live = liveOf(env);
  return live && live.verified && !releaseOf(m, live.releaseId).bad ? live : lastKnownGoodOf(m, env);
}

/** The running run of a branch (a slow one), if any. */
export const runningOn = (m: Model, branch: string): ModelRun | null => m.runs.find((r) => r.branch === branch && r.status === 'running') ?? null;

/** One deploy, rollback or auto-rollback, through verify; a failed one is followed by the auto-rollback to LKG. */
function operate(m: Model, env: ModelEnv, releaseId: string, kind: ModelRevision['kind'], rollbackTo: number | null): ModelRevision {
  const release = releaseOf(m, releaseId);
  const previous = liveOf(env);
  const revision: ModelRevision = { revision: env.revisions.length + 1, status: 'live', kind, releaseId, rollbackTo, verified: false };
  env.revisions.push(revision);
  // A manual rollback marks the release it moves away from bad (ARCHITECTURE.md, glossary).
  if (kind === 'rollback' && previous) releaseOf(m, previous.releaseId).bad = true;
  if (previous) previous.status = 'superseded';
  if (release.content === 'good') {
    revision.status = 'live';
    revision.verified = true;
    return revision;
  }
  revision.status = 'failed';
  release.bad = true;
  // rollback.auto: a failed deploy or rollback goes back to the last known good, if there is one.
  if (kind !== 'auto-rollback') {
    const lkg = lastKnownGoodOf(m, env);
    if (lkg) operate(m, env, lkg.releaseId, 'auto-rollback', lkg.revision);
  }
  return revision;
}

/**
 * A run of `branch`'s head (a push after a commit, or a manual trigger). Runs of one branch run one
 * at a time, oldest first; a newer push supersedes an older *queued* push run (a manual run is
 * never superseded, and a running run never).
 */
export function runHead(m: Model, branch: string, trigger: ModelRun['trigger']): ModelRun {
  const number = m.runs.length + 1;
  if (trigger === 'push') for (const old of m.runs) if (old.branch === branch && old.status === 'queued' && old.trigger === 'push') old.status = 'superseded';
  const run: ModelRun = { number, status: 'queued', branch, trigger, kind: m.heads[branch] ?? 'good', commit: m.headCommits[branch] ?? 0, releaseId: null };
  m.runs.push(run);
  schedule(m);
  return run;
}

/**
 * `axum run` of `branch`'s head (build once, promote): a run of that head for that branch queued or
 * running is the answer, else the newest that succeeded (a bad model's run succeeds too: its
 * verify fails in the deploy); one cancelled, superseded or interrupted is none, so a manual run starts.
 */
export function triggerHead(m: Model, branch: string): { run: ModelRun; existing: boolean } {
  const head = m.headCommits[branch] ?? 0;
  const ofHead = m.runs.filter((r) => r.branch === branch && r.commit === head);
  const existing = ofHead.find((r) => r.status === 'queued' || r.status === 'running') ?? ofHead.findLast((r) => r.status === 'succeeded');
  return existing ? { run: existing, existing: true } : { run: runHead(m, branch, 'manual'), existing: false };
}

/** Starts what may start: a good or bad run builds, releases and deploys at once; a slow one runs until cancelled. */
function schedule(m: Model): void {
  for (;;) {
    const next = m.runs.find((r) => r.status === 'queued' && !runningOn(m, r.branch));
    if (!next) return;
    if (next.kind === 'slow') {
      next.status = 'running';
      continue;
    }
    next.status = 'succeeded';
    const env = m.envs.find((e) => e.branch === next.branch);
    // Build once, promote: a commit that has a release already runs no stage and hands it on; a bad one is refused.
    const reused = m.releases.findLast((r) => r.commit === next.commit);
    if (reused) {
      next.releaseId = reused.id;
      // A release live there already is not deployed again (nor held: nothing would change).
      if (env && !reused.bad && liveOf(env)?.releaseId !== reused.id) {
        if (!env.pinned) operate(m, env, reused.id, 'deploy', null);
        else env.held = reused.id; // newest wins, as for a release built while pinned
      }
      continue;
    }
    // The daemon's rule (engine/release-ids.ts): `rel-<run number>` when that number is above every
    // release's, else the next above them all — a later run of another branch may have finished first.
    const highest = m.releases.reduce((max, r) => Math.max(max, Number(r.id.slice('rel-'.length)) || 0), 0);
    next.releaseId = `rel-${next.number > highest ? next.number : highest + 1}`;
    m.releases.push({ id: next.releaseId, content: next.kind === 'bad' ? 'bad' : 'good', bad: false, commit: next.commit });
    if (env && !env.pinned) operate(m, env, next.releaseId, 'deploy', null);
    else if (env) env.held = next.releaseId; // newest wins
  }
}

export function commit(m: Model, branch: string, kind: CommitKind): ModelRun {
  m.heads[branch] = kind;
  m.commits++;
  m.headCommits[branch] = m.commits;
  return runHead(m, branch, 'push');
}

/** `deploy ENV --release ID [--force]`: a bad release needs force; a pinned environment stays pinned. */
export function deploy(m: Model, envName: string, releaseId: string, force = false): { refused: string } | { revision: ModelRevision } | { unchanged: ModelRevision } {
  // The release live there already: nothing to do, the live revision answers (no new revision).
  const live = liveOf(envOf(m, envName));
  if (live?.releaseId === releaseId) return { unchanged: live };
  if (releaseOf(m, releaseId).bad && !force) return { refused: 'is marked bad' };
  return { revision: operate(m, envOf(m, envName), releaseId, 'deploy', null) };
}

/** `promote FROM TO [--force]`: FROM's live release deployed to TO, the same release. */
export function promote(m: Model, from: string, to: string, force: boolean): { refused: string } | { revision: ModelRevision } | { unchanged: ModelRevision } {
  const live = liveOf(envOf(m, from));
  if (!live) return { refused: 'nothing is live' };
  // Live in TO already: nothing to do, answered with TO's live revision (as a deploy of it is).
  const there = liveOf(envOf(m, to));
  if (there?.releaseId === live.releaseId) return { unchanged: there };
  if (releaseOf(m, live.releaseId).bad && !force) return { refused: 'is marked bad' };
  return { revision: operate(m, envOf(m, to), live.releaseId, 'deploy', null) };
}

/** `mark REL good|bad`: never refused for a known release; asked again it answers with what stands (`unchanged`). */
export function mark(m: Model, releaseId: string, to: 'good' | 'bad'): { marked: true; unchanged: boolean } {
  const release = releaseOf(m, releaseId);
  // Bad again may still change the reason (the model keeps none): only good on a good release is surely unchanged.
  const unchanged = to === 'good' && !release.bad;
  release.bad = to === 'bad';
  return { marked: true, unchanged };
}

/** `pin`/`unpin`: unpinning deploys the release the pin held back, unless it is bad, live, or older than what is live. */
export function pin(m: Model, envName: string, pinned: boolean): ModelRevision | null {
  const env = envOf(m, envName);
  env.pinned = pinned;
  if (pinned) return null;
  const held = env.held;
  env.held = null;
  if (held === null || releaseOf(m, held).bad) return null;
  const live = liveOf(env);
  const age = (id: string) => m.releases.findIndex((r) => r.id === id);
  if (live && (live.releaseId === held || age(live.releaseId) > age(held))) return null;
  return operate(m, env, held, 'deploy', null);
}

/** `rollback ENV [--to N] [--force]`: the refusal the contract names, or the new revision (and a pin). */
export function rollback(m: Model, envName: string, to: number | null, force: boolean): { refused: string } | { revision: ModelRevision } {
  const env = envOf(m, envName);
  // ARCHITECTURE.md, glossary (Last known good): after an automatic rollback, no target is refused (name --to).
  if (to === null && liveOf(env)?.kind === 'auto-rollback') return { refused: 'serves its last known good' };
  const target = to === null ? lastKnownGoodOf(m, env) : env.revisions.find((r) => r.revision === to);
  if (!target) return { refused: to === null ? 'no last known good' : `no revision #${to}` };
  // Live already first: nothing would move, so --force (which a bad mark would name) could not help.
  if (liveOf(env)?.releaseId === target.releaseId) return { refused: 'is live already' };
  if (releaseOf(m, target.releaseId).bad && !force) return { refused: 'is marked bad' };
  env.pinned = true;
  return { revision: operate(m, env, target.releaseId, 'rollback', target.revision) };
}

/** Cancels a queued or running run; the next queued run of its branch starts. */
export function cancel(m: Model, run: ModelRun): void {
  run.status = 'cancelled';
  schedule(m);
}

/** A daemon stop or crash, then a start: what was running is interrupted (never retried), what was queued resumes. */
export function daemonRestarted(m: Model): void {
  for (const run of m.runs) if (run.status === 'running') run.status = 'interrupted';
  schedule(m);
}

/** Runs not finished yet. */
export const unfinished = (m: Model): ModelRun[] => m.runs.filter((r) => r.status === 'queued' || r.status === 'running');

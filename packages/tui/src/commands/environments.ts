import { commandBy } from '../user-name.js';
import { integrityProblem, missingRevisionText, type DeployResult, type EnvironmentView, type PinResult, type ReleaseListing, type RevisionView } from '@axum/protocol';
import { releaseMarkedByRollback } from '../state/releases.js';
import { revisionStatusWord, unpinQuestion } from '../state/selectors.js';
import { CliError, EXIT, type ExitCode } from './exit-codes.js';
import { stderrLine, type GlobalOptions, type Output } from './output.js';
import { awaitOperation, call, withDaemon } from './runs.js';
import { alsoLiveText, markedBadLine } from './rollback-mark-words.js';
import type { RequestFn } from '../client/daemon-connection.js';
import { confirm, diffFromLive } from './confirm-prompt.js';
import { badReleaseRefusal, busyRefusal, rollbackTargetRefusal } from './refusals.js';
import { knownEnvironment } from './environment-names.js';
import { releaseIdOf } from './typed-words.js';
import { resolveCommitOption } from './commit-revision.js';
import { awaitAutoRollback } from './auto-rollback-wait.js';
import { revisionJson } from './revision-json.js';

/** Deploys and rollbacks verify before they answer: give them as long as a verify may take. */
export const OPERATION_TIMEOUT_MS = 60 * 60 * 1000;
export const by = commandBy;
export { confirm };

/** Lines for one revision, as people read it: `#7 live rollback → #3`. */
export function revisionLine(r: RevisionView): string {
  const what = r.kind === 'deploy' ? 'deploy' : `${r.kind} → #${r.rollbackTo}`;
  const news = messageNews(r);
  return `#${r.revision}  ${r.status}  ${what}  ${r.releaseId}  ${r.commit.slice(0, 8)}${r.verified ? '  verified' : ''}${news ? `  — ${news}` : ''}`;
}

/** A revision's message when it says more than its kind does: a rollback's own `rolled back to #N` is not said twice. */
const messageNews = (r: RevisionView): string | null => (r.kind !== 'deploy' && r.message === `rolled back to #${r.rollbackTo}` ? null : r.message);

/**
 * What a deploy, rollback, approve or promote came to, as one sentence (a history row without its
 * table's header reads as noise): `production #5: rolled back to #1 — rel-1 (1a2b3c4d), live and verified`.
 */
export function revisionSentence(env: string, r: RevisionView, reasonElsewhere = false): string {
  // Refused at the integrity check: nothing moved, so nothing was deployed or rolled back.
  const problem = r.status === 'failed' ? integrityProblem(r.message, r.releaseId) : null;
  if (problem !== null) {
    const refused = r.kind === 'deploy' ? `${r.releaseId} (${r.commit.slice(0, 8)})` : `the ${r.kind} to #${r.rollbackTo} — ${r.releaseId} (${r.commit.slice(0, 8)})`;
    return `${env} #${r.revision}: refused ${refused}: it failed its integrity check${reasonElsewhere ? ', nothing moved' : `: ${problem}`}`;
  }
  const what = r.kind === 'deploy' ? `deployed ${r.releaseId} (${r.commit.slice(0, 8)})` : `${r.kind === 'auto-rollback' ? 'rolled back automatically' : 'rolled back'} to #${r.rollbackTo} — ${r.releaseId} (${r.commit.slice(0, 8)})`;
  const inconclusive = r.status === 'failed' && r.message?.startsWith('inconclusive: ');
  const state = r.status === 'live' ? (r.verified ? 'live and verified' : 'live, not verified') : inconclusive ? 'inconclusive (paused)' : r.status;
  // A failure's reason said on stderr is not said again here (`reasonElsewhere`).
  const news = reasonElsewhere && r.status === 'failed' ? null : messageNews(r);
  return `${env} #${r.revision}: ${what}, ${state}${news ? ` — ${news}` : ''}`;
}

/** The environment a command names, or a usage error (environment-names.ts). */
export async function environment(connection: Parameters<Parameters<typeof withDaemon>[2]>[0], name: string): Promise<EnvironmentView> {
  return knownEnvironment(connection, name);
}

export function revisionResult(envName: string, revision: RevisionView, options: GlobalOptions, out: Output): ExitCode {
  if (options.json) out.json(revisionJson(revision));
  else out.lines([revisionSentence(envName, revision, true)]);
  if (revision.status === 'failed') {
    // The reason once, on stderr; an inconclusive verification is not called failed (its message says what it is).
    const reason = revision.message ?? 'see axum history';
    const word = reason.startsWith('inconclusive: ') ? '' : integrityProblem(revision.message, revision.releaseId) !== null ? 'refused: ' : 'FAILED: ';
    stderrLine(`axum: #${revision.revision} ${word}${reason}`);
    if (revision.steps.length > 0) stderrLine(`axum: what its steps printed: axum logs ${envName}#${revision.revision}`);
    return EXIT.failed;
  }
  return EXIT.ok;
}

/** `axum rollback ENV [--to REVISION] [--yes] [--force] [--wait]`: no --to → the rollback target; pins the environment. */
export async function rollbackCommand(envName: string, options: GlobalOptions & { to?: string; yes?: boolean; force?: boolean; wait?: boolean }, out: Output): Promise<ExitCode> {
  const to = options.to === undefined ? null : Number(options.to.replace(/^#/, ''));
  if (to !== null && (!Number.isInteger(to) || to < 1)) throw new CliError(`--to ${options.to}: expected a revision number such as 3 or #3`, EXIT.usage);
  const params = { env: envName, to, force: options.force ?? false, by: by('rollback') };
  // With --yes nothing waits for an answer before the rollback is asked: it goes out with the hello,
  // before the client has read the snapshot (or loaded the code that reads it), and the history
  // behind it only words the answer. An unknown environment is refused by the daemon (nothing
  // changes) and said below from the snapshot, as without --yes. A target's revision and release
  // never change, so the answer reads the same whichever request the daemon handles first.
  let sent: { asked: Promise<RevisionView>; history: Promise<RevisionView[]> | null } | null = null;
  const early = options.yes
    ? (request: RequestFn) => {
        const history = to === null ? null : call({ request }, 'history.get', { env: envName });
        sent = { history, asked: call({ request }, 'env.rollback', params, OPERATION_TIMEOUT_MS) };
        // Awaited below; not unhandled rejections if the command stops first (an unknown environment).
        sent.asked.catch(() => undefined);
        sent.history?.catch(() => undefined);
      }
    : undefined;
  return withDaemon(
    options,
    'axum-rollback',
    async (connection) => {
      const env = await environment(connection, envName);
      const pipelined = sent as { asked: Promise<RevisionView>; history: Promise<RevisionView[]> | null } | null;
      const history = pipelined ? pipelined.history : to === null ? null : call(connection, 'history.get', { env: envName });
      const target = history === null ? env.rollbackTarget : ((await history).find((r) => r.revision === to) ?? null);
      // A number that names no revision: the rollback is refused (exit 1, as every refused rollback),
      // with the nearest revisions, not the whole history.
      if (history !== null && to !== null && !target) throw new CliError(`${envName}: ${missingRevisionText(to, (await history).map((r) => r.revision))}`, EXIT.failed);
      // No target to offer (none, or refused after an automatic rollback): nothing to confirm, the daemon's refusal says why.
      const found = target ? releaseMarkedByRollback(env, target.releaseId) : null;
      // A release marked bad before (by an earlier rollback elsewhere, or by hand) is not marked again: not news.
      const markedBefore = found !== null && env.servingBad?.releaseId === found.releaseId ? env.servingBad : null;
      const marked = markedBefore ? null : found;
      if (target && !options.yes) {
        // What the daemon would refuse is said before the confirmation, not after it.
        const refusal = rollbackTargetRefusal(env, target, await call(connection, 'releases.list', {}), options.force);
        if (refusal) throw new CliError(refusal, EXIT.failed);
        const markText = marked
          ? `, marking ${marked.releaseId} (${marked.failed ? 'serving, failed' : 'live now'}, #${marked.revision}) bad${alsoLiveText(marked.releaseId, envName, connection.welcomeState.environments)}`
          : markedBefore
            ? `; ${markedBefore.releaseId}, serving now, is marked bad already (${markedBefore.why})`
            : '';
        await confirm(env, `roll back ${env.name} to #${target.revision} (${target.releaseId})${markText}`, options.yes, diffFromLive(connection, env, target.releaseId));
      }
      const revision = await awaitOperation(pipelined ? pipelined.asked : call(connection, 'env.rollback', params, OPERATION_TIMEOUT_MS), `rollback of ${envName}`, `axum history ${envName}`, options.json === true);
      // A rollback that fails goes on to the last known good by itself (rollback.auto): waited for, as after a deploy.
      const rolledBack = revision.status === 'failed' ? await awaitAutoRollback(connection, envName, revision.revision, { ended: () => void (options.json || revisionResult(envName, revision, options, out)), json: options.json === true }) : null;
      const code = revisionResult(envName, revision, options, out);
      if (rolledBack && !options.json) stderrLine(`axum: ${rolledBack}`);
      // A manual rollback marks the release it leaves bad (ARCHITECTURE.md, glossary): said, with how to undo it.
      if (!options.json && marked && revision.status !== 'failed') out.lines([markedBadLine(marked.releaseId, envName, connection.welcomeState.environments)]);
      // A rollback pins (the next commit must not undo it): said, as the TUI says it, with the way out.
      if (!options.json && !env.pinned && revision.status !== 'failed') out.lines([`${envName} is pinned now: new commits do not deploy to it (axum unpin ${envName} lets them)`]);
      return code;
    },
    early,
  );
}

/** `axum deploy ENV (--release ID | --commit SHA) [--force] [--again]`: the release live there already is nothing to do, unless `--again`. */
export async function deployCommand(envName: string, options: GlobalOptions & { release?: string; commit?: string; yes?: boolean; force?: boolean; wait?: boolean; again?: boolean }, out: Output): Promise<ExitCode> {
  if (!options.release && !options.commit && !options.again) throw new CliError('name what to deploy: --release ID or --commit SHA (or --again: the live release once more)', EXIT.usage);
  if (options.release !== undefined && options.commit !== undefined) throw new CliError(`two things to deploy: --release ${options.release} and --commit ${options.commit}; name one`, EXIT.usage);
  if (options.commit !== undefined) options = { ...options, commit: resolveCommitOption(options.repo, options.commit, true) };
  if (options.release !== undefined) options = { ...options, release: releaseIdOf(options.release) };
  return withDaemon(options, 'axum-deploy', async (connection) => {
    const env = await environment(connection, envName);
    // `--again` alone: the release live there, deployed once more (a redeploy).
    if (!options.release && !options.commit) {
      const live = env.live?.releaseId;
      if (!live) throw new CliError(`nothing is live in ${env.name} to deploy again: name --release ID or --commit SHA`, EXIT.usage);
      options = { ...options, release: live };
    }
    const releases = await call(connection, 'releases.list', {});
    const params = { env: envName, ...(options.release ? { releaseId: options.release } : {}), ...(options.commit ? { commit: options.commit } : {}), force: options.force ?? false, by: by('deploy'), again: options.again ?? false };
    // What is live there already is nothing to do: no question asked, the daemon answers with the live revision.
    if (!options.again && liveAlready(env, releases, options)) return deployResult(envName, await call(connection, 'env.deploy', params, OPERATION_TIMEOUT_MS), options, out);
    // A bad release or a busy environment is refused before the confirmation, in the daemon's words.
    // Busy only when there is a question to spare: with --yes the daemon's own answer is the fresher.
    const refusal = !options.yes ? busyRefusal(env) : null;
    if (refusal) throw new CliError(refusal, EXIT.failed);
    if (options.release) {
      const bad = badReleaseRefusal(releases, options.release, options.force, 'pass --force to deploy it anyway');
      if (bad) throw new CliError(bad, EXIT.failed);
    }
    await confirm(env, `deploy ${options.release ?? `the release of ${options.commit ?? ''}`} to ${env.name}`, options.yes, options.release ? diffFromLive(connection, env, options.release) : undefined);
    const deployed = await awaitOperation(call(connection, 'env.deploy', params, OPERATION_TIMEOUT_MS), `deploy to ${envName}`, `axum history ${envName}`, options.json === true);
    // A failed deploy may start an automatic rollback: waited for too, so what follows reads where it ended.
    const rolledBack = deployed.status === 'failed' ? await awaitAutoRollback(connection, envName, deployed.revision, { ended: () => void (options.json || deployResult(envName, deployed, options, out)), json: options.json === true }) : null;
    const code = deployResult(envName, deployed, options, out);
    if (rolledBack && !options.json) stderrLine(`axum: ${rolledBack}`);
    return code;
  });
}

/** True when the release asked for (by id, or the only release of the commit) is the one live in `env`. */
function liveAlready(env: EnvironmentView, releases: readonly ReleaseListing[], asked: { release?: string; commit?: string }): boolean {
  if (!env.live) return false;
  if (asked.release !== undefined) return asked.release === env.live.releaseId;
  const ofCommit = releases.filter((r) => r.commit.startsWith((asked.commit ?? '').toLowerCase()));
  return ofCommit.length === 1 && ofCommit[0]!.id === env.live.releaseId;
}

/** A deploy's or promote's answer: the new revision, or the live one when the release was live there already (`unchanged`). */
export function deployResult(envName: string, revision: DeployResult, options: GlobalOptions, out: Output, verb = 'deploys'): ExitCode {
  if (!revision.unchanged) return revisionResult(envName, revision, options, out);
  if (options.json) out.json(revisionJson(revision));
  else out.lines([`${revision.releaseId} is live in ${envName} already (#${revision.revision}): nothing to do (--again ${verb} it anew, as a new revision)`]);
  return EXIT.ok;
}

/**
 * `axum pin ENV` / `axum unpin ENV [--yes]`: unpinning deploys the newest release the pin held back.
 * Unpinning a protected environment is always asked (`--yes` off a terminal): it turns its
 * automatic deploys back on, whether or not a release waits to go at once.
 */
export async function pinCommand(envName: string, pinned: boolean, options: GlobalOptions & { yes?: boolean }, out: Output): Promise<ExitCode> {
  const result = await withDaemon(options, pinned ? 'axum-pin' : 'axum-unpin', async (connection) => {
    const env = await environment(connection, envName);
    if (!pinned && env.pinned && env.protected) {
      // A held release marked bad is not deployed by the unpin (its answer says why): the question does not offer it.
      const held = env.heldReleaseId && !(await call(connection, 'releases.list', {})).find((r) => r.id === env.heldReleaseId)?.bad ? env.heldReleaseId : null;
      await confirm(env, unpinQuestion(env, held), options.yes);
    }
    return call(connection, 'env.pin', { env: envName, pinned, by: by(pinned ? 'pin' : 'unpin') }, OPERATION_TIMEOUT_MS);
  });
  if (options.json) out.json(result.deployed ? { ...result, deployed: revisionJson(result.deployed) } : result);
  else if (result.unchanged) out.lines([pinned ? `${result.name} is ${result.note ?? 'pinned already'}: nothing changed` : `${result.name} is not pinned: nothing to unpin`]);
  else if (pinned) out.lines([`${result.name} pinned: new commits build and test but do not deploy (axum unpin ${result.name} lets them deploy again)`]);
  else out.lines([unpinnedLine(result)]);
  if (result.deployed?.status === 'failed') {
    // An inconclusive verification is not called failed (its message says what it is).
    const reason = result.deployed.message ?? 'see axum history';
    stderrLine(`axum: #${result.deployed.revision} ${reason.startsWith('inconclusive: ') ? '' : 'FAILED: '}${reason}`);
    return EXIT.failed;
  }
  return EXIT.ok;
}

/** What the next succeeded run does with its release here, when nothing waits. */
export const nextRunDoes = (view: Pick<EnvironmentView, 'approval'>) => (view.approval === 'manual' ? 'the next succeeded run waits for approval' : 'the next succeeded run deploys');

/** `production unpinned; deployed rel-9 as #6 (live, verified)`, or that no release waits. */
export function unpinnedLine(result: PinResult): string {
  const d = result.deployed;
  // `note`: the pin held a release that did not deploy (bad, gone, or overtaken), and why.
  if (!d) return result.note ? `${result.name} unpinned; ${result.note}` : `${result.name} unpinned; no release waits (${nextRunDoes(result)})`;
  return `${result.name} unpinned; deployed ${d.releaseId} as #${d.revision} (${revisionStatusWord(d)}${d.verified ? ', verified' : ''})`;
}

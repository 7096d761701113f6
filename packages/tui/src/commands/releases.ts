// Build once, promote from the command line: `axum releases`, `axum promote FROM TO`, `axum mark REL good|bad`.
import { agoText, minuteText, type MarkResult, type ReleaseListing, type ReleaseView } from '@axum/protocol';
import { backwardsPromoteNote, badText, humanSize, liveInText, promotedReleaseText, verifiedText } from '../state/releases.js';
import { CliError, EXIT, type ExitCode } from './exit-codes.js';
import { stderrLine, type GlobalOptions, type Output } from './output.js';
import { awaitOperation, call, withDaemon } from './runs.js';
import { outputWidth, table } from './table.js';
import { busyRefusal } from './refusals.js';
import { knownEnvironment } from './environment-names.js';
import { limitOf, releaseIdOf } from './typed-words.js';
import { diffFromLive } from './confirm-prompt.js';
import { by, confirm, deployResult, environment, OPERATION_TIMEOUT_MS } from './environments.js';

/**
 * The releases table, newest first, fitted to `width`: the time first takes its short form (`3m ago`),
 * then the subject gives way (never the commit before it), the bad mark, where each was verified and
 * where it is live (lists of environments, cut no shorter than `staging, …`: else the time is left out).
 */
export function releaseTable(releases: readonly ReleaseListing[], width: number | null, nowMs = Date.now()): string[] {
  return table(
    ['RELEASE', 'COMMIT', 'CREATED', 'LIVE IN', 'VERIFIED', 'SIZE', 'BAD'],
    releases.map((r) => [r.id, `${r.commit.slice(0, 8)} ${r.subject}`, minuteText(r.createdAt), liveInText(r), verifiedText(r), humanSize(r.size), badText(r)]),
    width,
    { shorten: [{ column: 2, cells: releases.map((r) => agoText(r.createdAt, nowMs)) }], elide: [{ column: 1, min: 8 + 1 + 6 }, { column: 6 }, { column: 4, min: 10 }, { column: 3, min: 10 }], drop: [2, 5] },
  );
}

/** `axum releases [--env ENV] [--json]`: every release (or those deployed to ENV), newest first. */
export async function releasesCommand(options: GlobalOptions & { env?: string; limit?: string }, out: Output): Promise<ExitCode> {
  const limit = limitOf(options.limit, null);
  const listed = await withDaemon(options, 'axum-releases', (c) => {
    if (options.env !== undefined) knownEnvironment(c, options.env);
    return call(c, 'releases.list', options.env !== undefined ? { env: options.env } : {});
  });
  const releases = limit === null ? listed : listed.slice(0, limit);
  if (options.json) out.json(releases);
  else if (releases.length === 0) {
    out.lines([options.env !== undefined ? `no release was deployed to ${options.env} yet: a succeeded run on its branch makes one and deploys it` : 'no releases yet: a succeeded run on a branch that feeds an environment makes one (commit there, or axum run)']);
  } else out.lines(releaseTable(releases, outputWidth()));
  return EXIT.ok;
}

/**
 * `axum promote FROM TO [--yes] [--force] [--again]`: deploys FROM's live release to TO (no
 * rebuild), with TO's protection. Live in TO already is nothing to do, as for `axum deploy`.
 */
export async function promoteCommand(from: string, to: string, options: GlobalOptions & { yes?: boolean; force?: boolean; again?: boolean }, out: Output): Promise<ExitCode> {
  if (from === to) throw new CliError(`promote takes two environments: ${from} to ${to} would change nothing`, EXIT.usage);
  return withDaemon(options, 'axum-promote', async (connection) => {
    const source = await environment(connection, from);
    const target = await environment(connection, to);
    if (!source.live) throw new CliError(`nothing is live in ${from}: nothing to promote${source.serving?.failed ? ` (${source.serving.releaseId} serves there but ${source.paused?.revision === source.serving.revision ? `its verification was inconclusive: ${from} is paused, axum approve ${from} keeps it` : 'failed'})` : ''}`, EXIT.failed);
    const params = { from, to, force: options.force ?? false, by: by('promote'), releaseId: source.live.releaseId, again: options.again ?? false };
    // What is live there already is nothing to do: no question asked, the daemon answers with the live revision.
    if (!options.again && target.live?.releaseId === source.live.releaseId) return deployResult(to, await call(connection, 'env.promote', params, OPERATION_TIMEOUT_MS), options, out, 'promotes');
    // Before any question: a FROM and TO typed the wrong way round is seen before it is confirmed.
    const backwards = options.json ? null : backwardsPromoteNote(connection.welcomeState, from, to);
    if (backwards) stderrLine(`axum: ${backwards}`);
    const releases = await call(connection, 'releases.list', {});
    const release = releases.find((r) => r.id === source.live!.releaseId);
    // Asking first and being refused after would waste the confirmation: a bad release needs --force (ARCHITECTURE.md, glossary).
    if (release?.bad && !options.force) throw new CliError(`${release.id} is marked bad (${release.bad.why}, by ${release.bad.by}): to promote it anyway, add --force (or clear the mark: axum mark ${release.id} good)`, EXIT.failed);
    const busy = options.yes ? null : busyRefusal(target);
    if (busy) throw new CliError(busy, EXIT.failed);
    await confirm(target, `promote ${promotedReleaseText(source.live.releaseId, from, release, source.live)} to ${target.name}`, options.yes, diffFromLive(connection, target, source.live.releaseId));
    return deployResult(to, await awaitOperation(call(connection, 'env.promote', params, OPERATION_TIMEOUT_MS), `promote to ${to}`, `axum history ${to}`, options.json === true), options, out, 'promotes');
  });
}

/** `good` or `bad`, else a usage error that names the word. */
export function markWord(word: string): 'good' | 'bad' {
  if (word === 'good' || word === 'bad') return word;
  throw new CliError(`expected good or bad, got '${word}'`, EXIT.usage);
}

/**
 * `axum mark REL good|bad [--reason TEXT] [--yes]`: marks a release bad, or clears its bad mark. A
 * bad mark of a release live in a protected environment is asked first, as a rollback there is.
 */
export async function markCommand(typed: string, word: string, options: GlobalOptions & { reason?: string; yes?: boolean }, out: Output): Promise<ExitCode> {
  const mark = markWord(word);
  const releaseId = releaseIdOf(typed);
  const [before, after] = await withDaemon(options, 'axum-mark', async (connection) => {
    const previous = (await call(connection, 'releases.list', {})).find((r) => r.id === releaseId);
    // A new bad mark only: a reason given again to a standing one changes nothing that serves.
    const guarded = mark === 'bad' && previous && !previous.bad ? connection.welcomeState.environments.find((e) => e.protected && previous.liveIn.includes(e.name)) : undefined;
    if (guarded && previous) {
      const serving = `live in ${previous.liveIn.join(', ')}: it keeps serving; rollbacks and deploys to it will need --force`;
      await confirm(guarded, `mark ${releaseId} bad while it is live in ${guarded.name} (protected)`, options.yes, () => Promise.resolve([serving]));
    }
    const marked = await call(connection, 'release.mark', { releaseId, mark, ...(options.reason !== undefined ? { reason: options.reason } : {}), by: by('mark') });
    return [previous, marked] as const;
  });
  if (options.json) out.json(after);
  else out.lines([markLine(after, before?.bad ?? null)]);
  return EXIT.ok;
}

/**
 * What a mark did: `rel-4 marked bad: <reason> (by …)`, `rel-4: bad mark cleared (was: …)`, the
 * reason of a standing bad mark replaced, or — asked again — what stands already (an answer, exit 0).
 */
export function markLine(release: Pick<MarkResult, 'id' | 'bad'> & { unchanged?: boolean }, was: ReleaseView['bad']): string {
  if (release.unchanged) {
    if (!release.bad) return `${release.id} is not marked bad: nothing to clear`;
    return `${release.id} is marked bad already (by ${release.bad.by}, ${minuteText(release.bad.at)}: ${release.bad.why}): nothing changed (--reason TEXT gives it a new reason)`;
  }
  if (release.bad && was) return `${release.id} was marked bad already; reason updated: ${release.bad.why} (by ${release.bad.by}; was: ${was.why} — by ${was.by}, ${minuteText(was.at)})`;
  if (release.bad) return `${release.id} marked bad: ${release.bad.why} (by ${release.bad.by})`;
  if (!was) return `${release.id} is not marked bad: nothing to clear`;
  return `${release.id}: bad mark cleared (was: ${was.why} — by ${was.by}, ${minuteText(was.at)})`;
}

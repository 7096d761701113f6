// `axum history ENV [--at TIME] [--limit N]`: an environment's revisions newest first, and what
// explains them (the revision that failed, serving failed, the pause, the releases marked bad).
import { agoText, type EnvironmentView, type ReleaseListing, type RevisionView } from '@axum/protocol';
import { badText } from '../state/releases.js';
import { revisionStatusWord } from '../state/selectors.js';
import { CliError, EXIT, type ExitCode } from './exit-codes.js';
import type { GlobalOptions, Output } from './output.js';
import { call, withDaemon } from './runs.js';
import { outputWidth, table } from './table.js';
import { gatesCell } from './operations.js';
import { historyHostLines } from './history-hosts.js';
import { servingNotes } from './history-notes.js';
import { knownEnvironment } from './environment-names.js';
import { limitOf } from './typed-words.js';
import { revisionLine } from './environments.js';
import { revisionJson } from './revision-json.js';

/**
 * `--at` as the tables print times: in UTC, unless the text names a zone (`Z`, `+01:00`). Read
 * as local time, a CREATED value pasted back was off by the machine's offset.
 */
export function parseAtTime(text: string): number {
  const trimmed = text.trim();
  const withTime = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)$/.exec(trimmed);
  return Date.parse(withTime ? `${withTime[1]}T${withTime[2]}Z` : trimmed);
}

/** `axum history ENV [--at TIME]`: revisions newest first. */
export async function historyCommand(env: string, options: GlobalOptions & { at?: string; limit?: string }, out: Output): Promise<ExitCode> {
  const limit = limitOf(options.limit, null);
  // The plain table also says why any of the environment's releases is marked bad (who, when, why);
  // a listing that cannot be had leaves that line out, never the history.
  const plain = options.json !== true && options.at === undefined;
  const [revisions, releases, view] = await withDaemon(options, 'axum-history', async (c) => {
    knownEnvironment(c, env);
    // --limit: the newest N, as listed; --at looks through them all.
    const whole = await call(c, 'history.get', { env });
    const history = limit === null || options.at !== undefined ? whole : whole.slice(0, limit);
    return [history, plain ? await call(c, 'releases.list', { env }).catch((): ReleaseListing[] => []) : [], c.welcomeState.environments.find((e) => e.name === env)] as const;
  });
  if (options.at !== undefined) {
    const at = parseAtTime(options.at);
    if (Number.isNaN(at)) throw new CliError(`--at ${options.at}: expected a time such as 2026-11-29T14:03 or "2026-11-29 14:03"`, EXIT.usage);
    // What was live then: the newest revision that became live at or before that time and was not yet replaced.
    const live = revisions.find((r) => r.verified && r.finishedAt !== null && Date.parse(r.finishedAt) <= at);
    // The time as the tables print it (UTC, said so): what --at reads back.
    const when = `${new Date(at).toISOString().replace('T', ' ').slice(0, 19)} UTC`;
    if (options.json) out.json(live ? revisionJson(live) : null);
    else out.lines([live ? `live in ${env} at ${when}: ${revisionLine(live)}` : `nothing was live in ${env} at ${when}`]);
    return EXIT.ok;
  }
  if (options.json) {
    out.json(revisions.map((r) => revisionJson(r)));
    return EXIT.ok;
  }
  if (revisions.length === 0) out.lines([noRevisionsYet(env, view)]);
  else {
    out.lines(historyTable(revisions, outputWidth()));
    out.lines(historyHostLines(revisions));
    const failed = revisions.find((r) => r.status === 'failed' && r.message);
    if (failed) out.lines([``, `#${failed.revision} ${failed.message!.startsWith('inconclusive: ') ? '' : 'failed: '}${failed.message}`, `  its steps' output: axum logs ${env}#${failed.revision}`]);
    out.lines(servingNotes(env, revisions, view));
    out.lines(badReleaseLines(releases));
  }
  return EXIT.ok;
}

/**
 * A superseded revision a rollback took `current` from: its status stays `superseded` (a revision
 * status), and the cell says why, in the word its run's deploy uses (`rolled-back`).
 */
const rolledBack = (r: RevisionView): boolean => r.status === 'superseded' && r.supersededBy !== undefined && r.supersededBy.kind !== 'deploy';

/**
 * The history table, newest first, fitted to `width`. On a narrow terminal the time gives way
 * first (`3m ago`), then the verified column (the status says live), who (cut to no less than 12
 * — `push run-12` whole — then left out) and the time; the gates keep their metric and its value
 * (`accuracy 0.93 …`). Revisions, kinds, releases and commits stay whole.
 */
export function historyTable(revisions: readonly RevisionView[], width: number | null, nowMs = Date.now()): string[] {
  return table(
    ['REVISION', 'STATUS', 'KIND', 'RELEASE', 'COMMIT', 'VERIFIED', 'GATES', 'CREATED', 'BY'],
    revisions.map((r) => [`#${r.revision}`, `${revisionStatusWord(r)}${r.serving && r.status === 'failed' ? ', serving' : ''}${r.paused ? ', paused' : ''}${rolledBack(r) ? ', rolled back' : ''}`, r.kind === 'deploy' ? 'deploy' : `${r.kind} → #${r.rollbackTo}`, r.releaseId, r.commit.slice(0, 8), r.verified ? 'yes' : 'no', gatesCell(r), r.createdAt.replace('T', ' ').slice(0, 19), r.by]),
    width,
    { shorten: [{ column: 7, cells: revisions.map((r) => agoText(r.createdAt, nowMs)) }], elide: [{ column: 6, min: 14 }, { column: 8, first: true, min: 12 }], drop: [5, 8, 7] },
  );
}

/** Under `axum history`: the releases marked bad, each with who, when and why, and how to clear it. */
export function badReleaseLines(releases: readonly ReleaseListing[]): string[] {
  const bad = releases.filter((r) => r.bad);
  if (bad.length === 0) return [];
  return ['', 'marked bad:', ...bad.map((r) => `  ${r.id}  ${badText(r).replace(/^bad: /, '')}  (axum mark ${r.id} good clears it)`)];
}

/** Why an environment has no revision yet, and what would make one: a release may be waiting already. */
function noRevisionsYet(env: string, view: EnvironmentView | undefined): string {
  if (view?.pendingReleaseId) return `no revisions in ${env} yet: ${view.pendingReleaseId} waits for approval (axum approve ${env})`;
  if (view?.pinned && view.heldReleaseId) return `no revisions in ${env} yet: ${view.heldReleaseId} is held by the pin (axum unpin ${env})`;
  if (view?.approval === 'manual') return `no revisions in ${env} yet: a succeeded run on its branch waits for approval (axum approve ${env})`;
  return `no revisions in ${env} yet: a succeeded run on its branch deploys one`;
}


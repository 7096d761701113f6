// An environment's flags, each in its words and in a short form: the dashboard's FLAGS cell says
// the words where its row holds them and the short forms (named in the help's legend) where it does
// not, so that at 80 columns no flag is cut mid-word; `axum status` says the words.
import type { EnvironmentView, HostView } from '@axum/protocol';

/** One flag: its words, and the short form a narrow FLAGS cell says instead. */
export interface FlagWord {
  long: string;
  short: string;
}

/** Remote hosts in a few words: how many, and which failed (`axum status` lists each). Null for a local environment. */
export function hostsFlag(hosts: readonly HostView[]): string | null {
  if (hosts.length === 0) return null;
  const failed = hosts.filter((h) => h.state === 'failed');
  if (failed.length === 0) return `${hosts.length} host${hosts.length === 1 ? '' : 's'}${hosts.every((h) => h.state === 'ok') ? ' ok' : ''}`;
  return `host${failed.length === 1 ? '' : 's'} ${failed.map((h) => h.host).join(', ')} FAILED (${failed.length} of ${hosts.length})`;
}

/**
 * The flags of an environment, what changes first (an operation, a pin, a release waiting), then
 * the config (protected, manual approval): the order they are read in, and the reverse of the
 * order they shorten in.
 */
export function flagWords(env: EnvironmentView): FlagWord[] {
  const hosts = env.hosts ?? [];
  const hostsLong = hostsFlag(hosts);
  const failedHosts = hosts.filter((h) => h.state === 'failed').length;
  const flags: (FlagWord | false | null)[] = [
    !env.inConfig && { long: 'not in axum.yml', short: 'not in axum.yml' },
    // A release waiting in the queue (behind an operation, or until axum.yml declares the environment again) says which.
    env.queuedReleaseId ? { long: `queued ${env.queuedReleaseId}`, short: `queued ${env.queuedReleaseId}` } : null,
    env.paused && { long: `PAUSED (#${env.paused.revision} inconclusive)`, short: `PAUSED #${env.paused.revision}` },
    env.monitorOff ? { long: 'not monitored', short: 'no monitor' } : null,
    env.operation && { long: `${env.operation.kind} #${env.operation.revision} in progress`, short: `${env.operation.kind} #${env.operation.revision}…` },
    // A release marked bad after it went live here goes on serving (LIVE says which revision): say so until someone moves it.
    env.servingBad ? { long: `${env.servingBad.releaseId} marked bad`, short: `${env.servingBad.releaseId} bad` } : null,
    hostsLong !== null && { long: hostsLong, short: failedHosts > 0 ? `${failedHosts}/${hosts.length} hosts FAILED` : hostsLong },
    // A pin that holds a release back says which: the next unpin deploys it.
    env.pinned && (env.heldReleaseId ? { long: `pinned, holds ${env.heldReleaseId}`, short: `pinned (${env.heldReleaseId})` } : { long: 'pinned', short: 'pinned' }),
    env.awaitingApproval && { long: `awaiting approval (${env.pendingReleaseId})`, short: `awaiting ${env.pendingReleaseId}` },
    env.protected && { long: 'protected', short: 'prot' },
    env.approval === 'manual' && { long: 'manual approval', short: 'manual' },
  ];
  return flags.filter((f): f is FlagWord => Boolean(f));
}

/** The flags in their words, for a table that cuts its cells itself (`axum status`). */
export const flagsText = (flags: readonly FlagWord[]): string => flags.map((f) => f.long).join(', ') || '—';

/**
 * The flags in `width` columns: in their words when they fit; else the least needed ones (the
 * last: the config's) take their short form first, one at a time, until they fit. Longer still,
 * the cell cuts the end (the help's legend and `axum status` say them whole).
 */
export function fitFlags(flags: readonly FlagWord[], width: number): string {
  const chosen = flags.map((f) => f.long);
  const text = () => chosen.join(', ');
  for (let i = flags.length - 1; i >= 0 && text().length > width; i -= 1) chosen[i] = flags[i]!.short;
  return text() || '—';
}

/**
 * The short forms that need saying, for the help's legend on the dashboard (one row at 80 columns:
 * the help there has no row to spare); the others keep a word of their own (`awaiting rel-4`,
 * `pinned (rel-9)`, `rel-3 bad`).
 */
export const FLAG_LEGEND: readonly { short: string; long: string }[] = [
  { short: 'prot', long: 'protected' },
  { short: 'manual', long: 'manual approval' },
];

/** The legend in one line: `FLAGS, where narrow: prot = protected · manual = manual approval`. */
export const flagLegend = (): string => `FLAGS, where narrow: ${FLAG_LEGEND.map((l) => `${l.short} = ${l.long}`).join(' · ')}`;

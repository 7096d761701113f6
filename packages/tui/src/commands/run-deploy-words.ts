// The last line of `axum run --wait` about the run's deploy: a run can succeed while its release
// goes nowhere (its commit left its branch, a newer release took its place), and a script reading
// the exit code alone, or a person reading the last line, must not take that for a deploy.
import type { RunView } from '@axum/protocol';
import { DEPLOY_OK } from './operations.js';

/** Outcomes that mean the release was deployed and then failed (`axum logs ENV#N` shows why). */
const DEPLOY_FAILED = new Set(['failed', 'rolled-back']);

/**
 * Why the release was not deployed, from the run's message: the words after `not deployed: ` when
 * they are there (`built rel-7; not deployed: 1f22f4b3 is no longer on develop, …`), else after the
 * lead (`built rel-7; a newer release (rel-8) is held by the pin of staging instead`).
 */
export function notDeployedReason(message: string | null): string | null {
  if (!message) return null;
  const said = message.indexOf('not deployed: ');
  if (said >= 0) return message.slice(said + 'not deployed: '.length);
  const lead = message.indexOf('; ');
  return lead >= 0 ? message.slice(lead + 2) : message;
}

/** The line (without `axum: `) said after a run with a deploy that `run --wait` waited for; null when the run's own failure says it all. */
export function deployEndText(run: RunView): string | null {
  const deploy = run.deploy;
  if (!deploy || run.status !== 'succeeded') return null;
  const { env, revision, outcome } = deploy;
  if (outcome === 'live') return null;
  if (DEPLOY_OK.has(outcome)) return `${run.id} succeeded; its deploy is ${outcome} (${outcome === 'held-by-pin' ? `axum unpin ${env}` : `axum approve ${env}`})`;
  if (revision !== null) {
    const how = outcome === 'inconclusive' ? `was inconclusive (${env} is paused: axum approve ${env} keeps it)` : DEPLOY_FAILED.has(outcome) ? 'failed' : `is ${outcome}`;
    return `the deploy ${how}: axum logs ${env}#${revision} shows what its steps printed`;
  }
  // Never deployed: no revision to look at, so the reason goes on this line.
  const reason = notDeployedReason(run.message);
  return `${run.id} succeeded, but its release ${run.releaseId ?? ''}${run.releaseId ? ' ' : ''}was not deployed to ${env} (${outcome})${reason ? `: ${reason}` : ''}`;
}

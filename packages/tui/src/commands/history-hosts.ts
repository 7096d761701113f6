import type { RevisionHost, RevisionView } from '@axum/protocol';

/** One host's part in a revision, in words: `deploy@10.0.0.5:/srv/model switched, serving`. */
export function hostOutcomeText(h: RevisionHost): string {
  const what = h.outcome === 'put-back' ? 'put back' : h.outcome === 'failed' ? 'FAILED' : h.outcome;
  return `${h.host} ${what}${h.serving ? ', serving' : ''}${h.reason ? ` (${h.reason})` : ''}`;
}

/**
 * Under `axum history` of a remote environment: a line per host under each revision that reached
 * any (docs/remote-environments.md); none for a local environment.
 */
export function historyHostLines(revisions: readonly RevisionView[]): string[] {
  const withHosts = revisions.filter((r) => (r.hosts ?? []).length > 0);
  if (withHosts.length === 0) return [];
  return ['', 'hosts:', ...withHosts.flatMap((r) => (r.hosts ?? []).map((h, i) => `  ${i === 0 ? `#${r.revision}`.padEnd(5) : ' '.repeat(5)} ${hostOutcomeText(h)}`))];
}

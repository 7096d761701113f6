// Per-host state in an environment's history (docs/remote-environments.md): what each revision
// did on each host is recorded on the revision as the operation goes (engine/remote-fleet.ts); which
// revision each host serves now is read off the hosts' last seen `current` when history is asked.
import type { HostView, RevisionHost, RevisionView } from '@axum/protocol';

/** `hosts` with the entry of `entry.host` replaced (or added), in the order `order` lists hosts. */
export function withHostOutcome(hosts: readonly RevisionHost[] | undefined, entry: RevisionHost, order: readonly string[]): RevisionHost[] {
  const next = [...(hosts ?? []).filter((h) => h.host !== entry.host), entry];
  const rank = (host: string) => (order.includes(host) ? order.indexOf(host) : order.length);
  return next.sort((a, b) => rank(a.host) - rank(b.host));
}

/**
 * Revisions (oldest first) as a `history` answer shows them: each host whose `current` names a
 * release, as last seen, is flagged `serving` on the newest revision of that release (a rollback to
 * #3 that became #7 serves as #7). A serving host the revision has no record of is listed as
 * switched: its `current` names the release, whichever operation put it there.
 */
export function hostsServing(revisions: readonly RevisionView[], hosts: readonly HostView[]): RevisionView[] {
  const servingOn = new Map<number, string[]>();
  for (const host of hosts) {
    if (host.releaseId === null) continue;
    const newest = revisions.findLast((r) => r.releaseId === host.releaseId);
    if (newest) servingOn.set(newest.revision, [...(servingOn.get(newest.revision) ?? []), host.host]);
  }
  const order = hosts.map((h) => h.host);
  return revisions.map((r) => {
    const serving = servingOn.get(r.revision) ?? [];
    if (serving.length === 0 && !r.hosts) return r;
    let list: RevisionHost[] = (r.hosts ?? []).map((h) => ({ ...h, serving: serving.includes(h.host) }));
    for (const host of serving) if (!list.some((h) => h.host === host)) list = withHostOutcome(list, { host, outcome: 'switched', reason: null, serving: true }, order);
    return { ...r, hosts: list };
  });
}

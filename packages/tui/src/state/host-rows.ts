// The hosts of a remote environment as the TUI's history view shows them
// (docs/remote-environments.md): which release each host's `current` names, whether it could be
// reached and agreed, and when that was last seen. Words only, so NO_COLOR loses nothing.
import type { EnvironmentView, RevisionView } from '@axum/protocol';

export interface HostRow {
  host: string;
  /** `rel-7 #7`: the release the host's `current` named, and the newest revision of it; `—` when none. */
  current: string;
  /** `ok`, `FAILED: why`, or `not seen yet`. */
  state: string;
  failed: boolean;
  /** How long ago it was last seen (an operation reached it, or the check at start), `—` never. */
  checked: string;
}

/** One row per host, in `axum.yml`'s order. `age` words an ISO time as `2m`. */
export function hostRows(env: EnvironmentView, revisions: readonly RevisionView[] | undefined, age: (iso: string) => string): HostRow[] {
  return (env.hosts ?? []).map((h) => {
    const revision = h.releaseId === null ? undefined : revisions?.find((r) => r.releaseId === h.releaseId);
    return {
      host: h.host,
      current: h.releaseId === null ? '—' : `${h.releaseId}${revision ? ` #${revision.revision}` : ''}`,
      state: h.state === 'failed' ? `FAILED: ${h.reason ?? 'see axum status'}` : h.state === 'ok' ? 'ok' : 'not seen yet',
      failed: h.state === 'failed',
      checked: h.at ? age(h.at) : '—',
    };
  });
}

/** The selected revision on the hosts, in one line: `#7 on hosts: alpha switched, serving · beta FAILED`. Null without hosts. */
export function revisionHostsLine(r: RevisionView | undefined): string | null {
  if (!r?.hosts || r.hosts.length === 0) return null;
  const short = (host: string) => host.replace(/^[^@]*@/, '').replace(/:.*$/, '');
  const what = (h: NonNullable<RevisionView['hosts']>[number]) => `${short(h.host)} ${h.outcome === 'put-back' ? 'put back' : h.outcome === 'failed' ? 'FAILED' : h.outcome}${h.serving ? ', serving' : ''}`;
  return `#${r.revision} on hosts: ${r.hosts.map(what).join(' · ')}`;
}

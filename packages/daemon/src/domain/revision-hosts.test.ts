import { describe, expect, it } from 'vitest';
import type { HostView, RevisionView } from '@axum/protocol';
import { hostsServing, withHostOutcome } from './revision-hosts.js';

const revision = (n: number, releaseId: string, hosts?: RevisionView['hosts']): RevisionView => ({
  revision: n, status: 'live', kind: 'deploy', releaseId, commit: 'c'.repeat(40), rollbackTo: null, verified: true, createdAt: '', finishedAt: null, by: 'test', message: null, runId: null, metrics: {}, gates: [], steps: [], checks: { total: 0, failed: 0 }, ...(hosts ? { hosts } : {}),
});
const host = (name: string, releaseId: string | null): HostView => ({ host: name, releaseId, state: 'ok', reason: null, at: '' });

describe('per-host state in history', () => {
  it('keeps the hosts in the order axum.yml lists them, one entry per host', () => {
    const a = withHostOutcome(undefined, { host: 'b', outcome: 'staged', reason: null }, ['a', 'b']);
    const b = withHostOutcome(a, { host: 'a', outcome: 'staged', reason: null }, ['a', 'b']);
    expect(withHostOutcome(b, { host: 'b', outcome: 'switched', reason: null }, ['a', 'b'])).toEqual([
      { host: 'a', outcome: 'staged', reason: null },
      { host: 'b', outcome: 'switched', reason: null },
    ]);
  });

  it("flags each host on the newest revision of the release its current names; a rollback's revision serves, not the one it went back to", () => {
    const switched = (h: string) => ({ host: h, outcome: 'switched' as const, reason: null });
    const revisions = [revision(1, 'rel-1', [switched('a'), switched('b')]), revision(2, 'rel-2', [switched('a'), switched('b')]), revision(3, 'rel-1', [switched('a')])];
    const shown = hostsServing(revisions, [host('a', 'rel-1'), host('b', 'rel-2')]);
    expect(shown.map((r) => (r.hosts ?? []).map((h) => `${h.host}${h.serving ? '*' : ''}`).join(' '))).toEqual(['a b', 'a b*', 'a*']);
  });

  it('a host serving a revision with no record of it is listed as switched there; a local environment is left alone', () => {
    expect(hostsServing([revision(1, 'rel-1')], [host('a', 'rel-1'), host('b', null)])[0]!.hosts).toEqual([{ host: 'a', outcome: 'switched', reason: null, serving: true }]);
    expect(hostsServing([revision(1, 'rel-1')], [])[0]).not.toHaveProperty('hosts');
  });
});

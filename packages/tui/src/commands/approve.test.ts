import { describe, expect, it } from 'vitest';
import type { EnvironmentView, ReleaseListing, RevisionView } from '@axum/protocol';
import { acceptedLines, monitorFailing } from './approve.js';
import { approveRefusal, busyRefusal, rollbackTargetRefusal } from './refusals.js';

const accepted = { revision: 5, releaseId: 'rel-3', commit: '1a2b3c4d5e6f7a8b' } as RevisionView;

describe('approve of a paused environment', () => {
  it('says the release that serves was kept and nothing deployed, and what becomes of the release the pause held', () => {
    const env = { name: 'staging', pinned: false, heldReleaseId: 'rel-5', approval: 'auto' } as unknown as EnvironmentView;
    expect(acceptedLines(env, accepted)).toEqual([
      'staging #5: kept rel-3 (1a2b3c4d), which serves, as live and verified — nothing was deployed',
      'staging: pause lifted; rel-5, held back by the pause, deploys next',
      "staging: the approval holds for staging only: the next environment's gate is judged on its own",
    ]);
    expect(acceptedLines({ ...env, pinned: true }, accepted)[1]).toBe('staging: pause lifted; rel-5 stays held by the pin (axum unpin staging deploys it)');
    expect(acceptedLines({ ...env, heldReleaseId: null }, accepted)[1]).toBe('staging: pause lifted; no release was held back (the next succeeded run deploys)');
  });
});

describe('approve of a paused environment whose monitor is failing', () => {
  const env = { name: 'staging', live: { revision: 4, releaseId: 'rel-2', commit: 'c'.repeat(40) } } as unknown as EnvironmentView;
  const check = (passed: boolean, inconclusive: boolean) => ({ passed, inconclusive, at: 't', step: 'check-7' });
  it('says the pause (or an incident) may come back at once, naming the check', () => {
    expect(monitorFailing({ ...env, lastCheck: check(false, true) })).toBe('the monitor is failing now: its last check of #4 (check-7) was inconclusive; if the next checks are so too, staging pauses again (axum logs staging#4 --step check-7)');
    expect(monitorFailing({ ...env, lastCheck: check(false, false) })).toMatch(/its last check of #4 \(check-7\) failed; if the next checks are so too, it is an incident/);
  });
  it('says nothing when the last check passed, or there is none', () => {
    expect(monitorFailing({ ...env, lastCheck: check(true, false) })).toBeNull();
    expect(monitorFailing({ ...env, lastCheck: null })).toBeNull();
  });
});

describe('rollback refusals said before asking', () => {
  it('a target whose release is live already is that, even when it is marked bad: --force could not help', () => {
    const env = { name: 'staging', live: { revision: 4, releaseId: 'rel-2', commit: 'c'.repeat(40) }, operation: null } as unknown as EnvironmentView;
    const releases = [{ id: 'rel-2', bad: { by: 'ana', why: 'x', at: '2026-12-04T10:00:00.000Z' } }] as ReleaseListing[];
    expect(rollbackTargetRefusal(env, { revision: 2, releaseId: 'rel-2' }, releases, false)).toBe('#2 has the release that is live already (rel-2 in #4)');
  });
});

describe('busy refusals said before asking', () => {
  it("are the daemon's words: what holds the environment, who, since when, and what to do", () => {
    const operation = { revision: 5, kind: 'rollback', holder: 'ana via axum rollback', startedAt: '2026-12-04T10:07:31.000Z' };
    const env = { name: 'production', operation, paused: null, pendingReleaseId: 'rel-4', live: null } as unknown as EnvironmentView;
    const words = 'production is busy: ask again once #5 has ended (rollback by ana via axum rollback since 2026-12-04 10:07 UTC; axum history production shows it)';
    expect(busyRefusal(env)).toBe(words);
    expect(approveRefusal(env, [], false)).toBe(words);
  });
});

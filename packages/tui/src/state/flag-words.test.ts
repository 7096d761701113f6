import { describe, expect, it } from 'vitest';
import type { EnvironmentView } from '@axum/protocol';
import { fitFlags, flagsText, flagWords } from './flag-words.js';
import { revisionStatusWord } from './selectors.js';

const env = (extra: Partial<EnvironmentView> = {}): EnvironmentView => ({
  name: 'production', branch: 'release', path: '/r/production', protected: true, approval: 'manual', inConfig: true, pinned: true, awaitingApproval: true,
  live: { revision: 3, releaseId: 'rel-3', commit: 'b'.repeat(40) }, serving: null, lastKnownGood: null, rollbackTarget: null, heldReleaseId: null, paused: null, pendingReleaseId: 'rel-21', operation: null, incident: null, liveMetric: null, lastCheck: null, ...extra,
});

describe('the FLAGS cell: words where they fit, short forms where they do not, never a word cut', () => {
  const flags = flagWords(env());
  it('says the words when the cell holds them (120 columns; axum status)', () => {
    expect(flagsText(flags)).toBe('pinned, awaiting approval (rel-21), protected, manual approval');
    expect(fitFlags(flags, 80)).toBe('pinned, awaiting approval (rel-21), protected, manual approval');
  });
  it('shortens the least needed first (the config), one flag at a time, until they fit', () => {
    expect(fitFlags(flags, 55)).toBe('pinned, awaiting approval (rel-21), protected, manual');
    expect(fitFlags(flags, 48)).toBe('pinned, awaiting approval (rel-21), prot, manual');
    expect(fitFlags(flags, 30)).toBe('pinned, awaiting rel-21, prot, manual');
    // Narrower than even the short forms: they are what the cell cuts.
    expect(fitFlags(flags, 10)).toBe('pinned, awaiting rel-21, prot, manual');
  });
  it('shortens every flag that has a short form, and says — for none', () => {
    const busy = flagWords(env({ pinned: true, heldReleaseId: 'rel-9', awaitingApproval: false, paused: { since: 't', revision: 4, reason: 'r' }, operation: { kind: 'deploy', revision: 5, holder: 'x', startedAt: 't' } as EnvironmentView['operation'], servingBad: { releaseId: 'rel-3', by: 'a', why: 'w', at: 't' } as EnvironmentView['servingBad'] }));
    expect(fitFlags(busy, 0)).toBe('PAUSED #4, deploy #5…, rel-3 bad, pinned (rel-9), prot, manual');
    expect(flagsText(busy)).toBe('PAUSED (#4 inconclusive), deploy #5 in progress, rel-3 marked bad, pinned, holds rel-9, protected, manual approval');
    expect(fitFlags(flagWords(env({ protected: false, approval: 'auto', pinned: false, awaitingApproval: false })), 20)).toBe('—');
  });
});

describe('an environment whose axum.yml declares no monitor now', () => {
  it('is flagged not monitored (no monitor where the cell is narrow)', () => {
    const off = flagWords(env({ pinned: false, awaitingApproval: false, protected: false, approval: 'auto', monitorOff: 'axum.yml declares no monitor now: the monitor of #3 stopped' }));
    expect(flagsText(off)).toBe('not monitored');
    expect(fitFlags(off, 5)).toBe('no monitor');
  });
});

describe("a revision's status in words", () => {
  it('says inconclusive for a revision recorded failed whose verification could not decide, failed for the others', () => {
    expect(revisionStatusWord({ status: 'failed', message: 'inconclusive: check err: …' })).toBe('inconclusive');
    expect(revisionStatusWord({ status: 'failed', message: 'verify step smoke exited 1' })).toBe('failed');
    expect(revisionStatusWord({ status: 'live', message: null })).toBe('live');
  });
});

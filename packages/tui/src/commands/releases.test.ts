import { describe, expect, it } from 'vitest';
import type { EnvironmentView, ReleaseListing, RevisionView } from '@axum/protocol';
import { EXIT } from './exit-codes.js';
import { unpinnedLine } from './environments.js';
import { badReleaseLines } from './history.js';
import { markLine, markWord, releaseTable } from './releases.js';
import { backwardsPromoteNote } from '../state/releases.js';

const release = (n: number, extra: Partial<ReleaseListing> = {}): ReleaseListing => ({
  id: `rel-${n}`, runId: `run-${n}`, commit: `${n}`.repeat(40).slice(0, 40), branch: 'main', subject: `model v${n}`, createdAt: '2026-12-04T03:36:00.000Z',
  artifacts: [], metrics: {}, bad: null, marks: [], config: null, liveIn: [], verifiedIn: [], size: 1_234_567, ...extra,
});
const bad = { why: 'verification failed', by: 'staging#3', at: '2026-12-04T03:40:00.000Z' };

describe('axum releases', () => {
  it('one row per release: live in, verified, size, bad mark with who, when and why', () => {
    const lines = releaseTable([release(4, { liveIn: ['staging'], verifiedIn: [{ env: 'staging', revision: 3 }] }), release(3, { bad })], 200);
    expect(lines[0]).toMatch(/^RELEASE +COMMIT +CREATED +LIVE IN +VERIFIED +SIZE +BAD$/);
    expect(lines[1]).toMatch(/^rel-4 +44444444 model v4 +2026-12-04 03:36 +staging +staging#3 +1\.2 MB$/);
    expect(lines[2]).toContain('bad: verification failed — by staging#3, 2026-12-04 03:40');
  });
  it('cuts a long subject so a row fits the width', () => {
    const lines = releaseTable([release(1, { subject: 'x'.repeat(200) })], 80);
    expect(lines[1]).toContain('…');
    expect(lines[1]!.length).toBeLessThanOrEqual(80);
  });
  it('at 80 columns the time takes its short form first, and where it is live gets the room', () => {
    const everywhere = { liveIn: ['dev', 'staging', 'production'], verifiedIn: [{ env: 'dev', revision: 3 }, { env: 'staging', revision: 2 }, { env: 'production', revision: 1 }] };
    const lines = releaseTable([release(4, { ...everywhere, subject: 'model v4 trained on more data' }), release(3, { bad })], 80, Date.parse('2026-12-04T03:43:00.000Z'));
    expect(lines[0]).toMatch(/^RELEASE +COMMIT +CREATED +LIVE IN +VERIFIED +SIZE +BAD$/);
    expect(lines[1]).toMatch(/^rel-4 +44444444 model… +7m ago +dev, stagi… +dev#3, sta… +1\.2 MB$/);
    expect(Math.max(...lines.map((l) => [...l].length))).toBeLessThanOrEqual(80);
  });
});

describe('axum mark', () => {
  it('takes good or bad, else a usage error naming the word', () => {
    expect(markWord('good')).toBe('good');
    expect(() => markWord('meh')).toThrow(expect.objectContaining({ message: "expected good or bad, got 'meh'", exitCode: EXIT.usage }));
  });
  it('says what the mark is now, and what a cleared one was', () => {
    expect(markLine(release(4, { bad: { ...bad, why: 'wrong labels', by: 'axum mark (pid 1, ana)' } }), null)).toBe('rel-4 marked bad: wrong labels (by axum mark (pid 1, ana))');
    expect(markLine(release(4), bad)).toBe('rel-4: bad mark cleared (was: verification failed — by staging#3, 2026-12-04 03:40)');
    expect(markLine(release(4), null)).toBe('rel-4 is not marked bad: nothing to clear');
  });
  it('asked again, says what stands, or the reason it replaced', () => {
    expect(markLine({ ...release(4), unchanged: true }, null)).toBe('rel-4 is not marked bad: nothing to clear');
    expect(markLine({ ...release(4, { bad }), unchanged: true }, bad)).toBe('rel-4 is marked bad already (by staging#3, 2026-12-04 03:40: verification failed): nothing changed (--reason TEXT gives it a new reason)');
    const renamed = { ...bad, why: 'wrong labels', by: 'ana' };
    expect(markLine({ ...release(4, { bad: renamed }), unchanged: false }, bad)).toBe('rel-4 was marked bad already; reason updated: wrong labels (by ana; was: verification failed — by staging#3, 2026-12-04 03:40)');
  });
  it('history lists the bad releases with who and why', () => {
    expect(badReleaseLines([release(4), release(3, { bad })])).toEqual(['', 'marked bad:', '  rel-3  verification failed — by staging#3, 2026-12-04 03:40  (axum mark rel-3 good clears it)']);
    expect(badReleaseLines([release(4)])).toEqual([]);
  });
});

describe('axum unpin', () => {
  const base = { name: 'production' } as Parameters<typeof unpinnedLine>[0];
  it('says what it deployed, or that no release waits', () => {
    const deployed = { revision: 6, releaseId: 'rel-9', status: 'live', verified: true } as RevisionView;
    expect(unpinnedLine({ ...base, deployed })).toBe('production unpinned; deployed rel-9 as #6 (live, verified)');
    expect(unpinnedLine({ ...base, deployed: null })).toBe('production unpinned; no release waits (the next succeeded run deploys)');
  });
});

describe('axum promote against the order of axum.yml', () => {
  const envs = (names: string[], gone: string[] = []) => ({ environments: [...names.map((name) => ({ name, inConfig: true })), ...gone.map((name) => ({ name, inConfig: false }))] as EnvironmentView[] });
  it('notes a promote back to an earlier environment; nothing in order, nothing for an environment axum.yml no longer declares', () => {
    const state = envs(['dev', 'staging', 'production'], ['old']);
    expect(backwardsPromoteNote(state, 'production', 'dev')).toBe('note: production → dev goes against the order of axum.yml (dev → staging → production): promoting all the same');
    expect(backwardsPromoteNote(state, 'staging', 'dev')).toContain('staging → dev goes against');
    expect(backwardsPromoteNote(state, 'dev', 'production')).toBeNull();
    expect(backwardsPromoteNote(state, 'old', 'dev')).toBeNull();
  });
});

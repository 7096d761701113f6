import { describe, expect, it } from 'vitest';
import { parseCrashAt } from './crash-points.js';

describe('AXUM_CRASH_AT', () => {
  it('is off when unset or empty', () => {
    expect(parseCrashAt(undefined)).toEqual({ ok: true, point: null, hit: 1 });
    expect(parseCrashAt('')).toEqual({ ok: true, point: null, hit: 1 });
  });
  it('names a point, optionally the n-th pass', () => {
    expect(parseCrashAt('deploy.swapped')).toEqual({ ok: true, point: 'deploy.swapped', hit: 1 });
    expect(parseCrashAt('store.renamed@12')).toEqual({ ok: true, point: 'store.renamed', hit: 12 });
  });
  it('refuses an unknown point or a bad count, listing the points', () => {
    const typo = parseCrashAt('deploy.swaped');
    expect(typo.ok).toBe(false);
    if (!typo.ok) expect(typo.error).toContain('deploy.swapped');
    for (const bad of ['run.queued@0', 'run.queued@x', 'run.queued@1.5']) expect(parseCrashAt(bad).ok).toBe(false);
  });
});

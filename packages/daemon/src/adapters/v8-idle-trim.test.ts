import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createIdleTrimmer } from './v8-idle-trim.js';

const MiB = 1024 * 1024;

describe('idle trimmer', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('collects once quiet, again after the allocation window until the young generation is minimal, then stops', () => {
    let young = 16 * MiB;
    const gc = vi.fn(() => {
      // V8 shrinks only once the window has passed (the third collection here).
      if (gc.mock.calls.length >= 3) young = MiB;
    });
    const trimmer = createIdleTrimmer({ idleMs: 1000, windowMs: 4500, roundMs: 250, gc, youngBytes: () => young });
    trimmer.poke();
    vi.advanceTimersByTime(999);
    expect(gc).toHaveBeenCalledTimes(0);
    vi.advanceTimersByTime(1);
    expect(gc).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(3499);
    expect(gc).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(1);
    expect(gc).toHaveBeenCalledTimes(2);
    vi.advanceTimersByTime(250);
    expect(gc).toHaveBeenCalledTimes(3);
    // Young generation minimal: one last (compacting) collection, then nothing until a poke.
    vi.advanceTimersByTime(250);
    expect(gc).toHaveBeenCalledTimes(4);
    vi.advanceTimersByTime(60_000);
    expect(gc).toHaveBeenCalledTimes(4);
  });

  it('starts over at every poke, so a busy daemon is never collected by it', () => {
    const gc = vi.fn();
    const trimmer = createIdleTrimmer({ idleMs: 1000, gc, youngBytes: () => 16 * MiB });
    trimmer.poke();
    for (let i = 0; i < 20; i++) {
      vi.advanceTimersByTime(900);
      trimmer.poke();
    }
    expect(gc).not.toHaveBeenCalled();
    trimmer.stop();
    vi.advanceTimersByTime(60_000);
    expect(gc).not.toHaveBeenCalled();
  });

  it('gives up after maxRounds when the young generation never shrinks', () => {
    const gc = vi.fn();
    const trimmer = createIdleTrimmer({ idleMs: 10, windowMs: 10, roundMs: 10, maxRounds: 5, gc, youngBytes: () => 16 * MiB });
    trimmer.poke();
    vi.advanceTimersByTime(10_000);
    expect(gc).toHaveBeenCalledTimes(5);
  });

  it('does nothing without a gc function (daemon started without --expose-gc)', () => {
    const trimmer = createIdleTrimmer({ idleMs: 10, gc: undefined });
    trimmer.poke();
    expect(() => vi.advanceTimersByTime(1000)).not.toThrow();
  });
});

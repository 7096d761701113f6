import { describe, expect, it } from 'vitest';
import { FIREHOSE_FRAME_MS, FramePacer, LOG_FRAME_MS, frameInterval } from './log-frames.js';

/** A hand-driven clock: timers run only when the test advances time. */
function fakeClock() {
  let now = 1000;
  let timers: { at: number; fn: () => void; id: number }[] = [];
  let nextId = 1;
  return {
    now: () => now,
    setTimeout: (fn: () => void, ms: number) => {
      const id = nextId++;
      timers.push({ at: now + ms, fn, id });
      return id;
    },
    clearTimeout: (id: unknown) => {
      timers = timers.filter((t) => t.id !== id);
    },
    advance(ms: number) {
      now += ms;
      for (const timer of timers.filter((t) => t.at <= now).sort((a, b) => a.at - b.at)) {
        timers = timers.filter((t) => t !== timer);
        timer.fn();
      }
    },
    pending: () => timers.map((t) => t.at - now),
  };
}

describe('frame pacing', () => {
  it('slows to ~10 fps only when lines come faster than they can be read', () => {
    expect(frameInterval(5, 66)).toBe(LOG_FRAME_MS);
    expect(frameInterval(6, 66)).toBe(LOG_FRAME_MS);
    expect(frameInterval(7, 66)).toBe(FIREHOSE_FRAME_MS);
    expect(frameInterval(10_000, 100)).toBe(FIREHOSE_FRAME_MS);
    expect(frameInterval(3, 0)).toBe(FIREHOSE_FRAME_MS);
  });

  it('renders a first change at once, then coalesces changes into one frame per interval', () => {
    const clock = fakeClock();
    let lines = 0;
    let frames = 0;
    const pacer = new FramePacer(clock, () => lines, () => frames++);
    lines = 1;
    pacer.changed();
    expect(clock.pending()).toEqual([0]);
    clock.advance(0);
    expect(frames).toBe(1);
    // A slow log: three changes within a frame make one frame, LOG_FRAME_MS after the first.
    for (let i = 0; i < 3; i++) {
      lines++;
      pacer.changed();
      clock.advance(10);
    }
    expect(frames).toBe(1);
    clock.advance(LOG_FRAME_MS);
    expect(frames).toBe(2);
    // A firehose: thousands of lines a frame, and the next frame waits the longer interval.
    lines += 10_000;
    pacer.changed();
    clock.advance(LOG_FRAME_MS);
    expect(frames).toBe(3);
    expect(pacer.nextInterval).toBe(FIREHOSE_FRAME_MS);
    lines += 10_000;
    pacer.changed();
    expect(clock.pending()).toEqual([FIREHOSE_FRAME_MS]);
    pacer.stop();
    clock.advance(FIREHOSE_FRAME_MS);
    expect(frames).toBe(3);
  });
});

// When a ref event becomes a reconciliation: at once for the first event, and once more after a
// burst, never dropping the last event's. Fake timers: the order of calls is what is tested.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createLeadingHint } from './chokidar-git-watcher.js';

beforeEach(() => void vi.useFakeTimers());
afterEach(() => void vi.useRealTimers());

describe('ref hints', () => {
  it('the first event reconciles at once, without waiting for the events to settle', () => {
    let calls = 0;
    const hint = createLeadingHint(() => calls++, 15);
    hint();
    expect(calls).toBe(1);
    vi.advanceTimersByTime(100);
    expect(calls).toBe(1); // nothing came after it: no second call
  });

  it('events during the window after a call are one more call at its end, and a later event is a call at once again', () => {
    let calls = 0;
    const hint = createLeadingHint(() => calls++, 15);
    hint();
    hint();
    hint();
    expect(calls).toBe(1);
    vi.advanceTimersByTime(15);
    expect(calls).toBe(2);
    vi.advanceTimersByTime(100);
    expect(calls).toBe(2);
    hint();
    expect(calls).toBe(3);
  });

  it('cancelled (the watcher stops): no call is left pending', () => {
    let calls = 0;
    const hint = createLeadingHint(() => calls++, 15);
    hint();
    hint();
    hint.cancel();
    vi.advanceTimersByTime(100);
    expect(calls).toBe(1);
  });
});

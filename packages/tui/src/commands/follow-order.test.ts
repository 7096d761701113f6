import { describe, expect, it } from 'vitest';
import type { LogChunk } from '@axum/protocol';
import { followOrder } from './follow-order.js';

const chunk = (step: string, offset: number, data: string, complete = false): LogChunk => ({ runId: 'run-1', step, offset, nextOffset: offset + Buffer.byteLength(data), data, complete });

function recorder() {
  const out: string[] = [];
  const gaps: string[] = [];
  const order = followOrder({ print: (c) => c.data && out.push(`${c.step}:${c.data}`), end: (s) => out.push(`${s}.`), gap: (s, o) => gaps.push(`${s}@${o}`) });
  return { out, gaps, order };
}

describe('following a run from the middle', () => {
  it('drops bytes handed on already: a stored tail that overlaps the live stream prints once', () => {
    const { out, order } = recorder();
    order.steps([{ name: 'a', stage: 's' }]);
    order.add(chunk('a', 0, 'one\ntwo\n'));
    order.add(chunk('a', 4, 'two\nthree\n'));
    order.add(chunk('a', 0, 'one\n'));
    order.add(chunk('a', 14, 'four\n', true));
    expect(out).toEqual(['a:one\ntwo\n', 'a:three\n', 'a:four\n', 'a.']);
  });

  it('holds what comes past a hole until its bytes are read back, and says where the hole is', () => {
    const { out, gaps, order } = recorder();
    order.steps([{ name: 'a', stage: 's' }]);
    order.add(chunk('a', 0, 'one\n'));
    order.add(chunk('a', 8, 'three\n', true));
    expect(gaps).toEqual(['a@4']);
    expect(out).toEqual(['a:one\n']);
    order.add(chunk('a', 4, 'two\n'));
    expect(out).toEqual(['a:one\n', 'a:two\n', 'a:three\n', 'a.']);
  });

  it('prints steps in the run order: a later stage waits for the earlier one to end; steps of one stage go side by side', () => {
    const { out, order } = recorder();
    order.steps([{ name: 'a', stage: 'one' }, { name: 'b', stage: 'two' }, { name: 'c', stage: 'two' }]);
    order.add(chunk('b', 0, 'b1\n'));
    order.add(chunk('a', 0, 'a1\n'));
    expect(out).toEqual(['a:a1\n']);
    order.add(chunk('a', 3, 'a2\n', true));
    order.add(chunk('c', 0, 'c1\n'));
    order.add(chunk('b', 3, 'b2\n'));
    expect(out).toEqual(['a:a1\n', 'a:a2\n', 'a.', 'b:b1\n', 'c:c1\n', 'b:b2\n']);
    expect(order.allEnded(['a', 'b', 'c'])).toBe(false);
  });
});

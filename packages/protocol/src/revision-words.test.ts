import { describe, expect, it } from 'vitest';
import { missingRevisionText } from './revision-words.js';

describe('a revision number that names none', () => {
  it('lists a short history whole, and a long one as its range and the nearest revisions', () => {
    expect(missingRevisionText(9, [3, 1, 2])).toBe('no revision #9 (revisions: #1, #2, #3)');
    expect(missingRevisionText(1, [])).toBe('no revision #1 (revisions: none)');
    const forty = Array.from({ length: 40 }, (_, i) => 40 - i);
    expect(missingRevisionText(999, forty)).toBe('no revision #999 (revisions: #1 to #40; the nearest: #40, #39, #38)');
    // A gap (pruned revisions) names its neighbours.
    expect(missingRevisionText(12, forty.filter((n) => n < 10 || n > 14))).toBe('no revision #12 (revisions: #1 to #40; the nearest: #16, #15, #9)');
  });
});

import { describe, expect, it } from 'vitest';
import { nextReleaseNumber, releaseNumber, reserveReleaseId } from './release-ids.js';

describe('release ids', () => {
  it('keep the run number while it is above every number used', () => {
    expect(nextReleaseNumber(12, 11, ['rel-3', 'rel-11'])).toBe(12);
  });
  it('take the next free number when the run number was used (a runs history moved aside)', () => {
    expect(nextReleaseNumber(1, 0, ['rel-1'])).toBe(2);
    expect(nextReleaseNumber(1, 5, [])).toBe(6); // the counter or a folder on disk
    expect(nextReleaseNumber(4, 2, ['rel-9-2'])).toBe(10);
  });
  it('read numbers of both id forms', () => {
    expect(releaseNumber('rel-7')).toBe(7);
    expect(releaseNumber('rel-7-3')).toBe(7);
    expect(releaseNumber('other')).toBeNull();
  });
  it('record the number before handing the id out', async () => {
    const recorded: number[] = [];
    const id = await reserveReleaseId({ highestReleaseNumber: async () => 4, recordReleaseNumber: async (n) => void recorded.push(n) }, 2, []);
    expect(id).toBe('rel-5');
    expect(recorded).toEqual([5]);
  });
});

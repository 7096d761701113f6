// Release ids are never reused, also after a history file is lost (ARCHITECTURE.md, glossary:
// Release): the next number is above the durable counter, every `rel-N` folder on disk and every
// recorded release, and is written to the counter before any release takes it.
import type { ReleaseStore } from './ports.js';

/** The number in a release id (`rel-12`, and `rel-12-2` of older daemons), or null. */
export function releaseNumber(id: string): number | null {
  const match = /^rel-(\d+)(?:-\d+)?$/.exec(id);
  return match ? Number(match[1]) : null;
}

/**
 * The id a release of run `runNumber` gets: `rel-<run number>` when that number is above every one
 * used (the usual case: run numbers only grow), else the next number above them all.
 */
export function nextReleaseNumber(runNumber: number, highestUsed: number, recordedIds: readonly string[]): number {
  const highest = recordedIds.reduce((max, id) => Math.max(max, releaseNumber(id) ?? 0), highestUsed);
  return runNumber > highest ? runNumber : highest + 1;
}

/** Picks the id and records its number durably before it is used. */
export async function reserveReleaseId(store: Pick<ReleaseStore, 'highestReleaseNumber' | 'recordReleaseNumber'>, runNumber: number, recordedIds: readonly string[]): Promise<string> {
  const n = nextReleaseNumber(runNumber, await store.highestReleaseNumber(), recordedIds);
  await store.recordReleaseNumber(n);
  return `rel-${n}`;
}

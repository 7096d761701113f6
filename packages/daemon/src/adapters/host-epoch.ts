// The fence number this daemon writes on remote hosts (ssh-hosts.ts, `fenceScript`): greater than
// that of every earlier daemon of the repository, so the first command a restarted daemon runs on a
// host fences out whatever a killed one still had on its way there.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { mkdirNoFollow } from '@axum/protocol';
import { writeFileDurably } from './durable-file.js';

/**
 * The start time in milliseconds, or one more than the last daemon's when the clock went back;
 * recorded durably before any host is reached. The clock keeps it above the fence of a repository
 * restored from a backup (its record of the number is not in the backup) on the same hosts.
 */
export function nextHostEpoch(stateDir: string, now: number): number {
  const file = join(stateDir, 'state', 'host-epoch');
  let last = 0;
  try {
    last = Number(readFileSync(file, 'utf8').trim()) || 0;
  } catch {
    // the first start, or a record lost: the clock alone
  }
  const epoch = Math.max(Math.floor(now), last + 1);
  mkdirNoFollow(join(stateDir, 'state'));
  writeFileDurably(file, `${epoch}\n`);
  return epoch;
}

import { execFile, execFileSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { STATE_DIR, stateLinkProblem } from '@axum/protocol';
import { gitEnv } from './simple-git-git.js';

/** The fix said with every refusal of files the repository tracks under `.axum/`. */
export const UNTRACK_STATE = `git rm -r --cached ${STATE_DIR} && git commit`;

/**
 * Why the files git's index tracks under `.axum/` (a listing of `git ls-files -s -z -- .axum`) must
 * not be trusted, or null when it tracks none. A link is named as the links found in the folder
 * are; any other file is Axum's state written by a checkout: a committed `releases/rel-N/files/…`
 * swaps a served model, `history/releases.json` wipes the history, `daemon.pid` stops the daemon.
 */
export function trackedStateProblem(repoRoot: string, listing: string): string | null {
  const entries = listing.split('\0').filter((entry) => entry.includes('\t'));
  const link = entries.find((entry) => entry.startsWith('120000 '));
  if (link) return stateLinkProblem(join(repoRoot, link.slice(link.indexOf('\t') + 1)));
  if (entries.length === 0) return null;
  const paths = entries.map((entry) => entry.slice(entry.indexOf('\t') + 1));
  const named = paths.slice(0, 5).join(', ') + (paths.length > 5 ? ` and ${paths.length - 5} more` : '');
  return `the repository tracks files in ${join(repoRoot, STATE_DIR)}, Axum's state (${named}): a checkout would write them over its records and releases; untrack them (${UNTRACK_STATE})`;
}

const LS_FILES = ['ls-files', '-s', '-z', '--', STATE_DIR];

/** `trackedStateProblem` of the index now, asked of git at once; null when there is no git to ask (a restore into a bare folder). */
export function trackedStateProblemNow(repoRoot: string): string | null {
  let listing: string;
  try {
    listing = execFileSync('git', LS_FILES, { cwd: repoRoot, encoding: 'utf8', env: gitEnv(), stdio: ['ignore', 'pipe', 'ignore'] });
  } catch {
    return null;
  }
  return trackedStateProblem(repoRoot, listing);
}

/**
 * Under a running daemon: returns a check to call on every hint that refs or HEAD moved (a checkout,
 * a reset, a merge). It asks git only when the index file changed since it last asked, and calls
 * `onTracked` once, with the line to log, when the index tracks files under `.axum/`: the daemon
 * then stops (as when its lock is taken), since what the checkout wrote over its records and
 * releases cannot be trusted, and its next start refuses until the files are untracked.
 */
export function trackedStateWatch(repoRoot: string, onTracked: (problem: string) => void): () => void {
  const own = execFileSync('git', ['rev-parse', '--git-dir'], { cwd: repoRoot, encoding: 'utf8', env: gitEnv() }).trim();
  const index = join(isAbsolute(own) ? own : join(repoRoot, own), 'index');
  let seen = '';
  let asking = false;
  let told = false;
  return () => {
    if (asking || told) return;
    let stamp: string;
    try {
      const stat = statSync(index);
      stamp = `${stat.ino}:${stat.size}:${stat.mtimeMs}:${stat.ctimeMs}`;
    } catch {
      stamp = 'none';
    }
    if (stamp === seen) return;
    asking = true;
    execFile('git', LS_FILES, { cwd: repoRoot, encoding: 'utf8', env: gitEnv(), maxBuffer: 64 * 1024 * 1024 }, (err, listing) => {
      asking = false;
      if (err) return; // git could not answer (an index being written): the next hint asks again
      seen = stamp;
      const problem = trackedStateProblem(repoRoot, listing);
      if (problem === null) return;
      told = true;
      onTracked(`a checkout wrote files git tracks into ${STATE_DIR}: ${problem}; the daemon stops (its records there can no longer be trusted) and starts again once they are untracked`);
    });
  };
}

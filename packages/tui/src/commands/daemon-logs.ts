// `axum daemon logs`: the daemon's own log (`.axum/daemon.log`: starts, stops, recoveries, what it
// refused and why), as `pm2 logs` or `tail` would show it, without the user having to know where it
// lives. Its lines quote branch names, subjects and messages from outside: on a terminal they are
// cleaned of control sequences like every other line (output.ts); through a pipe, byte for byte.
import { closeSync, fstatSync, lstatSync, openSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { LOG_FILE, STATE_DIR, stateLinkProblem } from '@axum/protocol';
import { findRepositoryRoot } from '../client/repository.js';
import { CliError, EXIT, type ExitCode } from './exit-codes.js';
import type { GlobalOptions, Output } from './output.js';

/** How often `--follow` looks for new lines: a log that grows by a few lines a minute needs no watcher. */
const FOLLOW_POLL_MS = 250;
/** The most bytes read back from the end to find the last N lines: a log of long lines still answers at once. */
const TAIL_BYTES = 4 * 1024 * 1024;

export async function daemonLogsCommand(options: GlobalOptions & { lines?: string; follow?: boolean }, out: Output): Promise<ExitCode> {
  const count = options.lines === undefined ? 50 : Number(options.lines);
  if (!Number.isInteger(count) || count < 0) throw new CliError(`--lines takes a whole number of lines (0 or more), not ${options.lines}`, EXIT.usage);
  if (options.follow && options.json) throw new CliError('--follow prints lines as they come; --json gives one document: use one of them', EXIT.usage);
  const file = join(findRepositoryRoot(options.repo), STATE_DIR, LOG_FILE);
  const fd = openLog(file);
  try {
    const { lines, end } = lastLines(fd, count);
    if (options.json) out.json({ file, lines });
    else out.lines(lines);
    if (!options.follow) return EXIT.ok;
    return await follow(fd, end, out);
  } finally {
    closeSync(fd);
  }
}

/** The log, opened for reading; never through a link (a cloned repository may plant one). */
function openLog(file: string): number {
  try {
    if (lstatSync(file).isSymbolicLink()) throw new CliError(stateLinkProblem(file), EXIT.failed);
    return openSync(file, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new CliError(`no daemon log yet: ${file} is written from the daemon's first start (axum daemon start)`, EXIT.failed);
    throw err;
  }
}

/** The last `count` whole lines, and the offset reading stopped at (where `--follow` goes on). */
function lastLines(fd: number, count: number): { lines: string[]; end: number } {
  const end = fstatSync(fd).size;
  const from = Math.max(0, end - TAIL_BYTES);
  const buffer = Buffer.alloc(end - from);
  readSync(fd, buffer, 0, buffer.length, from);
  const lines = buffer.toString('utf8').split('\n');
  if (lines.at(-1) === '') lines.pop();
  // Read from the middle of the file: its first line is likely cut, so it does not count.
  if (from > 0) lines.shift();
  return { lines: count === 0 ? [] : lines.slice(-count), end };
}

/** New lines as the daemon writes them, until Ctrl-C (exit 0: following ends that way, as `tail -f`'s does). */
function follow(fd: number, start: number, out: Output): Promise<ExitCode> {
  let at = start;
  let partial = '';
  return new Promise((resolve) => {
    const poll = setInterval(() => {
      const size = fstatSync(fd).size;
      // Cut shorter (a user emptied it): read again from its start.
      if (size < at) [at, partial] = [0, ''];
      if (size === at) return;
      const buffer = Buffer.alloc(size - at);
      at += readSync(fd, buffer, 0, buffer.length, at);
      const lines = (partial + buffer.toString('utf8')).split('\n');
      partial = lines.pop() ?? '';
      if (lines.length > 0) out.lines(lines);
    }, FOLLOW_POLL_MS);
    process.once('SIGINT', () => {
      clearInterval(poll);
      if (partial) out.lines([partial]);
      resolve(EXIT.ok);
    });
  });
}

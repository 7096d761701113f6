// `axum daemon logs`: the daemon's own log (`.axum/daemon.log`: starts, stops, recoveries, what it
// refused and why), as `pm2 logs` or `tail` would show it, without the user having to know where it
// lives. Its lines quote branch names, subjects and messages from outside: on a terminal they are
// cleaned of control sequences like every other line (output.ts); through a pipe, byte for byte.
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { join } from 'node:path';
import { LOG_FILE, STATE_DIR, stateDirLinkProblem, stateLinkProblem } from '@axum/protocol';
import { findRepositoryRoot } from '../client/repository.js';
import { CliError, EXIT, type ExitCode } from './exit-codes.js';
import type { GlobalOptions, Output } from './output.js';

/** How often `--follow` looks for new lines: a log that grows by a few lines a minute needs no watcher. */
const FOLLOW_POLL_MS = 250;
/** The most bytes read back from the end to find the last N lines: a log of long lines still answers at once. */
const TAIL_BYTES = 4 * 1024 * 1024;

export async function daemonLogsCommand(options: GlobalOptions & { lines?: string; follow?: boolean }, out: Output): Promise<ExitCode> {
  const count = options.lines === undefined ? 50 : /^\d+$/.test(options.lines) ? Number(options.lines) : NaN;
  if (!Number.isSafeInteger(count)) throw new CliError(`--lines takes a whole number of lines (0 or more), not ${options.lines}`, EXIT.usage);
  if (options.follow && options.json) throw new CliError('--follow prints lines as they come; --json gives one document: use one of them', EXIT.usage);
  const stateDir = join(findRepositoryRoot(options.repo), STATE_DIR);
  const linked = stateDirLinkProblem(stateDir);
  if (linked !== null) throw new CliError(linked, EXIT.failed);
  const file = join(stateDir, LOG_FILE);
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

/** The log, opened for reading; never through a link (a cloned repository may plant one), and only a file. */
function openLog(file: string): number {
  let fd: number;
  try {
    // O_NONBLOCK: a FIFO put there would block the open itself, before the check below says it is no file.
    fd = openSync(file, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new CliError(`no daemon log yet: ${file} is written from the daemon's first start (axum daemon start)`, EXIT.failed);
    if (code === 'ELOOP') throw new CliError(stateLinkProblem(file), EXIT.failed);
    throw err;
  }
  if (!fstatSync(fd).isFile()) {
    closeSync(fd);
    throw new CliError(`${file} is not a file: the daemon writes its log there (move it aside; the next start makes it again)`, EXIT.failed);
  }
  return fd;
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
  // A character whose bytes two reads split is decoded whole, once its last byte has come.
  const decoder = new StringDecoder('utf8');
  return new Promise((resolve) => {
    const poll = setInterval(() => {
      const size = fstatSync(fd).size;
      // Cut shorter (a user emptied it): read again from its start.
      if (size < at) {
        at = 0;
        partial = '';
        decoder.end();
      }
      if (size === at) return;
      const buffer = Buffer.alloc(size - at);
      const read = readSync(fd, buffer, 0, buffer.length, at);
      at += read;
      const lines = (partial + decoder.write(buffer.subarray(0, read))).split('\n');
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

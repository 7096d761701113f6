import { writeSync } from 'node:fs';
import type { Logger } from '../engine/ports.js';

/**
 * A line to stderr, written directly: stderr is `.axum/daemon.log`, and on a full disk a stream
 * would emit an error (an uncaught exception) and then refuse every later line. A line that cannot
 * be written is dropped; the next one is tried again.
 */
export function writeStderrLine(line: string): void {
  try {
    writeSync(2, line);
  } catch {
    // the log file's disk is full or gone: the daemon goes on without this line
  }
}

/** Logs one timestamped line per event to stderr, which the launcher points at `.axum/daemon.log`. */
export function createStderrLogger(write: (line: string) => void = writeStderrLine, mask: (text: string) => string = (text) => text): Logger {
  // A line is often built from outside text (an error, a path, git's output): the registered secrets are masked in it.
  const log = (level: string) => (message: string) => write(`${new Date().toISOString()} ${level} ${mask(message)}\n`);
  return { info: log('info'), warn: log('warn'), error: log('error') };
}

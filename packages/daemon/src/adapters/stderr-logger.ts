import type { Logger } from '../engine/ports.js';

/** Logs one timestamped line per event to stderr, which the launcher points at `.axum/daemon.log`. */
export function createStderrLogger(write: (line: string) => void = (line) => process.stderr.write(line)): Logger {
  const log = (level: string) => (message: string) => write(`${new Date().toISOString()} ${level} ${message}\n`);
  return { info: log('info'), warn: log('warn'), error: log('error') };
}

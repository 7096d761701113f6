import { parseCrashAt, type CrashHook } from '../engine/crash-points.js';
import { writeStderrLine } from './stderr-logger.js';

/**
 * `AXUM_CRASH_AT=<point>[@n]`: SIGKILL at the n-th pass of that point, like a power cut
 * (RELIABILITY.md); a no-op hook without it. An unknown point is the error text (exit 2), never a
 * crash test that silently crashes nothing.
 */
export function crashHookFromEnv(value: string | undefined): CrashHook | string {
  const crashAt = parseCrashAt(value);
  if (!crashAt.ok) return crashAt.error;
  let hits = 0;
  return (point) => {
    if (point !== crashAt.point || ++hits !== crashAt.hit) return;
    writeStderrLine(`${new Date().toISOString()} warn AXUM_CRASH_AT: killing the daemon at ${point}${crashAt.hit > 1 ? `@${crashAt.hit}` : ''}\n`);
    process.kill(process.pid, 'SIGKILL');
  };
}

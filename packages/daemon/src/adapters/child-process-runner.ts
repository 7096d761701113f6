import { spawn } from 'node:child_process';
import type { StepProcessRequest, StepProcessResult, StepRunner } from '../engine/ports.js';

/** After SIGTERM, a step's process group has this long before SIGKILL. */
export const KILL_GRACE_MS = 3000;

/** Sends a signal to a whole process group; false when the group is gone. */
function killGroup(pgid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    return false;
  }
}

/**
 * Steps as real processes: `sh -c COMMAND` in its own process group (detached), so a timeout or a
 * cancel kills grandchildren too (SIGTERM, then SIGKILL after a grace period). When `sh` exits,
 * whatever it left running in its group is killed: a step must not leave processes behind.
 */
export function createChildProcessRunner(graceMs = KILL_GRACE_MS): StepRunner {
  return {
    run(request: StepProcessRequest, signal: AbortSignal): Promise<StepProcessResult> {
      const started = Date.now();
      return new Promise((resolve) => {
        const child = spawn('sh', ['-c', request.command], { cwd: request.cwd, env: request.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
        let ended: 'timed-out' | 'cancelled' | null = null;
        let killTimer: NodeJS.Timeout | undefined;
        const terminate = (reason: 'timed-out' | 'cancelled') => {
          if (ended || child.pid === undefined) return;
          ended = reason;
          request.log.write(Buffer.from(`\n[axum] ${reason === 'timed-out' ? `timed out after ${request.timeoutMs} ms` : 'cancelled'}: stopping the step's process group\n`));
          killGroup(child.pid, 'SIGTERM');
          killTimer = setTimeout(() => child.pid !== undefined && killGroup(child.pid, 'SIGKILL'), graceMs);
        };
        if (child.pid !== undefined) request.onSpawn(child.pid);
        child.stdout.on('data', (chunk: Buffer) => request.log.write(chunk));
        child.stderr.on('data', (chunk: Buffer) => request.log.write(chunk));
        const timeout = request.timeoutMs !== null ? setTimeout(() => terminate('timed-out'), request.timeoutMs) : undefined;
        const onAbort = () => terminate('cancelled');
        if (signal.aborted) onAbort();
        else signal.addEventListener('abort', onAbort, { once: true });
        child.on('error', (err) => {
          request.log.write(Buffer.from(`[axum] could not start the step: ${err.message}\n`));
        });
        child.on('exit', () => {
          // sh is gone; its leftovers (a server started with &) must not outlive the step.
          if (child.pid !== undefined) killGroup(child.pid, 'SIGKILL');
        });
        child.on('close', (code, sig) => {
          clearTimeout(timeout);
          clearTimeout(killTimer);
          signal.removeEventListener('abort', onAbort);
          const durationMs = Date.now() - started;
          if (ended) resolve({ status: ended, exitCode: code, durationMs });
          else if (code === 0) resolve({ status: 'succeeded', exitCode: 0, durationMs });
          else {
            if (sig) request.log.write(Buffer.from(`\n[axum] the step was killed by ${sig}\n`));
            resolve({ status: 'failed', exitCode: code, durationMs });
          }
        });
      });
    },
    reap(pgid) {
      return killGroup(pgid, 'SIGKILL');
    },
  };
}

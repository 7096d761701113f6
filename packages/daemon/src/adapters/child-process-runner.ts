import { spawn } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import type { StepProcessRequest, StepProcessResult, StepRunner } from '../engine/ports.js';
import type { Containment } from './cgroup-containment.js';

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
 * Every step process (run, deploy, verify, monitor) gets this variable, naming the repository's
 * daemon. Children inherit it, so after a kill -9 the next daemon finds what its predecessor left
 * running even when the process group id never reached the history (RELIABILITY.md).
 */
export const STEP_MARKER_VAR = 'AXUM_DAEMON_KEY';

/** A live process carrying the marker, as /proc shows it. */
interface ProcEntry {
  pid: number;
  pgrp: number;
}

/** Processes of this user that carry `marker` (Linux /proc; elsewhere nothing is found). */
function markedProcesses(marker: string): ProcEntry[] {
  const entry = `${STEP_MARKER_VAR}=${marker}`;
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return [];
  }
  const found: ProcEntry[] = [];
  for (const name of pids) {
    const pid = Number(name);
    if (pid === process.pid) continue;
    try {
      // NUL-separated NAME=value entries; latin1 keeps every byte as one character.
      if (!readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0').includes(entry)) continue;
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      // Field 5 (pgrp) follows `pid (comm) state ppid`; comm may contain spaces and parentheses.
      found.push({ pid, pgrp: Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]) });
    } catch {
      // gone, a zombie without environ, or another user's: not ours to kill
    }
  }
  return found;
}

/**
 * Steps as real processes: `sh -c COMMAND` in its own process group (detached), so a timeout or a
 * cancel kills grandchildren too (SIGTERM, then SIGKILL after a grace period). When `sh` exits,
 * whatever it left running in its group is killed: a step must not leave processes behind.
 */
export function createChildProcessRunner(options: { marker: string; graceMs?: number; containment?: Containment }): StepRunner {
  const graceMs = options.graceMs ?? KILL_GRACE_MS;
  const ownGroup = (() => {
    try {
      const stat = readFileSync('/proc/self/stat', 'utf8');
      return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]);
    } catch {
      return -1;
    }
  })();
  return {
    run(request: StepProcessRequest, signal: AbortSignal): Promise<StepProcessResult> {
      const started = Date.now();
      return new Promise((resolve) => {
        const env = { ...request.env, [STEP_MARKER_VAR]: options.marker };
        // In a cgroup, the shell joins it before the step's command runs, so nothing the step starts
        // (setsid, env -i) can leave it. The command stays the step's own text, as a positional argument.
        const cgroup = options.containment?.create() ?? null;
        const args = cgroup ? ['-c', `echo $$ > '${cgroup.procsFile}' 2>/dev/null; exec sh -c "$1"`, 'sh', request.command] : ['-c', request.command];
        const child = spawn('sh', args, { cwd: request.cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
        let ended: 'timed-out' | 'cancelled' | null = null;
        let note: string | null = null;
        let wrote = false;
        let killTimer: NodeJS.Timeout | undefined;
        const terminate = (reason: 'timed-out' | 'cancelled') => {
          if (ended || child.pid === undefined) return;
          ended = reason;
          // A daemon that stops says so: no person cancelled the step (its run is `interrupted`).
          const why = reason === 'timed-out' ? `timed out after ${request.timeoutMs} ms` : signal.reason === 'shutdown' ? 'interrupted: the daemon is stopping' : 'cancelled';
          // Said once the output is all in (at close): bytes the step wrote before the signal are
          // still in its pipes now, and would land after the note.
          note = `[axum] ${why}: stopped the step's process group\n`;
          killGroup(child.pid, 'SIGTERM');
          killTimer = setTimeout(() => {
            if (child.pid !== undefined) killGroup(child.pid, 'SIGKILL');
            cgroup?.kill();
          }, graceMs);
        };
        if (child.pid !== undefined) request.onSpawn(child.pid);
        const output = (chunk: Buffer) => {
          wrote ||= chunk.length > 0;
          request.log.write(chunk);
        };
        child.stdout.on('data', output);
        child.stderr.on('data', output);
        const timeout = request.timeoutMs !== null ? setTimeout(() => terminate('timed-out'), request.timeoutMs) : undefined;
        const onAbort = () => terminate('cancelled');
        if (signal.aborted) onAbort();
        else signal.addEventListener('abort', onAbort, { once: true });
        child.on('error', (err) => {
          request.log.write(Buffer.from(`[axum] could not start the step: ${err.message}\n`));
        });
        child.on('exit', () => {
          // sh is gone; its leftovers (a server started with &, a setsid escapee) must not outlive the step.
          if (child.pid !== undefined) killGroup(child.pid, 'SIGKILL');
          cgroup?.kill();
        });
        child.on('close', (code, sig) => {
          void cgroup?.remove();
          clearTimeout(timeout);
          clearTimeout(killTimer);
          signal.removeEventListener('abort', onAbort);
          const durationMs = Date.now() - started;
          if (note !== null) request.log.write(Buffer.from(`${wrote ? '\n' : ''}${note}`));
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
      // Only a group one of our steps is still in: after a long downtime the id may belong to
      // someone else's processes now.
      if (!markedProcesses(options.marker).some((p) => p.pgrp === pgid)) return false;
      return killGroup(pgid, 'SIGKILL');
    },
    reapStrays() {
      const strays = markedProcesses(options.marker);
      for (const { pid, pgrp } of strays) {
        if (pgrp > 1 && pgrp !== ownGroup) killGroup(pgrp, 'SIGKILL'); // group-mates that cleared their environment
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // already gone with its group
        }
      }
      return strays.map((p) => p.pid);
    },
  };
}

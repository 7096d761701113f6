// The user's OpenSSH and rsync as they are, shared by remote environments (ssh-hosts.ts) and SSH
// backup targets (ssh-backup-destination.ts). Every command is an argument list, never a local
// shell; the one string a remote shell reads is built from checked parts (host-spec.ts), each
// quoted. `BatchMode=yes`: nothing may prompt (a daemon has no one to ask);
// `StrictHostKeyChecking=yes`: an unknown host key is a refusal, never accepted on first sight.
import { spawn } from 'node:child_process';
import type { HostSpec } from '@axum/protocol';

/** A word the remote shell reads literally (host specs are checked too: host-spec.ts). */
export const quote = (word: string): string => `'${word.replaceAll("'", `'\\''`)}'`;

/** How a command ended: its exit code (null when killed) and its output. */
export interface Finished {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs a program with an argument list (never a local shell) and collects its output. `env` is
 * the daemon's own plus its step marker (child-process-runner.ts): a daemon killed mid-command
 * leaves an ssh or rsync the next one finds and kills before it touches a host.
 */
export function execute(program: string, args: string[], input: string | null, timeoutMs: number, env?: NodeJS.ProcessEnv): Promise<Finished> {
  return new Promise((resolve, reject) => {
    const child = spawn(program, args, { stdio: ['pipe', 'pipe', 'pipe'], timeout: timeoutMs, killSignal: 'SIGKILL', ...(env ? { env } : {}) });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    child.on('error', reject);
    child.stdin.on('error', () => undefined); // a process that died early closes its stdin: its exit says why
    child.on('close', (code, signal) => {
      const stderr = Buffer.concat(err).toString('utf8');
      resolve({ code: signal ? null : code, stdout: Buffer.concat(out).toString('utf8'), stderr: signal ? `${stderr}\n(killed after ${timeoutMs} ms)` : stderr });
    });
    child.stdin.end(input ?? '');
  });
}

/** What rsync's exit codes mean (its manual, EXIT VALUES), said when it printed nothing itself. */
export const RSYNC_EXITS: Record<number, string> = {
  10: 'the connection failed or was cut',
  11: 'a file could not be written (a full disk, a folder it may not write)',
  12: 'the data stream broke (the connection was cut)',
  23: 'some files were not transferred',
  30: 'timed out sending or receiving data',
  255: 'ssh failed',
};

/**
 * What ssh says when a shared connection has no room for one more session (the host's MaxSessions):
 * it then connects on its own, so the lines say nothing of why a command failed.
 */
const REFUSED_SESSION = /^(mux_client_request_session: session request failed|channel \d+: open failed: .*|no more sessions$)/;

/** The last meaningful lines of a failed command's stderr, on one line. */
export const reasonOf = (what: string, done: Finished, exits: Record<number, string> = {}): string => {
  const lines = done.stderr.split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('Warning: Permanently added') && !REFUSED_SESSION.test(l));
  const meaning = done.code !== null && Object.hasOwn(exits, done.code) ? `, ${exits[done.code]}` : '';
  return `${what} failed (exit ${done.code ?? 'killed'}${meaning})${lines.length > 0 ? `: ${lines.slice(-3).join(' / ')}` : ''}`;
};

/** `ssh`'s options for a host: no prompts, known host keys only, `-F` when configured, the spec's port. */
export function sshOptions(host: HostSpec, configFile: string | null | undefined): string[] {
  return [
    '-o', 'BatchMode=yes',
    '-o', 'StrictHostKeyChecking=yes',
    '-o', 'ConnectTimeout=10',
    '-o', 'ServerAliveInterval=10',
    ...(configFile ? ['-F', configFile] : []),
    ...(host.port !== null ? ['-p', String(host.port)] : []),
  ];
}

/** `user@host`, or the host alone (the ssh config's user). */
export const destination = (host: HostSpec): string => (host.user ? `${host.user}@${host.host}` : host.host);

/** rsync's `[user@]host:path`, an IPv6 address bracketed (rsync splits at its first colon; ssh takes it bare). */
export const rsyncPlace = (host: HostSpec, path: string): string =>
  `${host.user ? `${host.user}@` : ''}${host.host.includes(':') ? `[${host.host}]` : host.host}:${path}`;

/**
 * rsync's `-e`: it splits on spaces and honours quotes, so paths (the config, a shared
 * connection's socket: `shared`, openssh-masters.ts) are quoted for it.
 */
export const rsyncShell = (host: HostSpec, configFile: string | null | undefined, shared: readonly string[] = []): string =>
  ['ssh', ...[...sshOptions(host, configFile), ...shared].map((arg) => (/^[\w@%+=:,./-]+$/.test(arg) ? arg : quote(arg)))].join(' ');

/**
 * Runs `script` on the host through ssh (stdin `input`), through its shared connection when
 * `shared` names one; its stdout, or an error naming `what` and the host.
 */
export async function runOnHost(host: HostSpec, configFile: string | null | undefined, what: string, script: string, input: string | null, timeoutMs: number, env?: NodeJS.ProcessEnv, shared: readonly string[] = []): Promise<string> {
  const done = await execute('ssh', [...sshOptions(host, configFile), ...shared, '--', destination(host), script], input, timeoutMs, env);
  if (done.code !== 0) throw new Error(reasonOf(`${what} on ${host.spec}`, done));
  return done.stdout;
}

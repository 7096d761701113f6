// One OpenSSH connection per host for the daemon's life (ControlMaster): a connection costs a key
// exchange (most of a command's time on a small machine), and a deploy or a rollback runs several
// commands on every host. The master is the daemon's own child (`ssh -N`, no ControlPersist, so
// it never forks away from it) and carries the daemon's step marker like every ssh it starts: a
// clean stop closes it, and after a kill -9 the next start finds it by the marker and kills it.
// Every later ssh or rsync to the host is a client of it (`ControlMaster=no`); a client whose
// master is gone (host rebooted, connection cut) makes a fresh connection of its own, which is
// OpenSSH's behaviour when the socket cannot be reached, and the next command starts a new master.
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { lstatSync, mkdirSync, rmSync, watch } from 'node:fs';
import { join } from 'node:path';
import type { HostSpec } from '@axum/protocol';
import { destination, sshOptions } from './openssh.js';

/** Shared connections to remote hosts. */
export interface SshConnections {
  /**
   * The ssh options that send a command to `host` through its shared connection, which is started
   * at the first need and waited for; none when it could not be had (the command then connects on
   * its own, and says why it could not when the host is down).
   */
  optionsFor(host: HostSpec): Promise<string[]>;
  /** Ends every master and removes their sockets; later commands connect on their own. */
  close(): Promise<void>;
}

export interface SshMastersOptions {
  /** The folder of the sockets: private (0700), the daemon's. `prepare` checks or makes it before each master. */
  dir: string;
  prepare?: (dir: string) => void;
  configFile?: string | null;
  /** The environment of the masters (the daemon's, with its step marker: openssh.ts). */
  env?: NodeJS.ProcessEnv;
  /** How long a master may take to connect before commands go without it. */
  readyTimeoutMs?: number;
  /** Where a master that could not start, or that ended, is said. */
  log?: (message: string) => void;
}

// OpenSSH binds `<ControlPath>.<16 random characters>` first and renames it into place, and a Unix
// socket's path has room for 104 bytes on some systems (108 on Linux).
const BIND_SUFFIX = 17;
const MAX_SOCKET_PATH = 104;

/** A short name per connection (user, host, port): a long host name still fits a socket path. */
export const masterName = (host: HostSpec): string =>
  createHash('sha256').update(`${host.user ?? ''}\0${host.host}\0${host.port ?? ''}`).digest('hex').slice(0, 12);

/** `%` starts a token in ssh's ControlPath. */
const controlPath = (path: string) => `ControlPath=${path.replaceAll('%', '%%')}`;

const isSocket = (path: string): boolean => {
  try {
    return lstatSync(path).isSocket();
  } catch {
    return false;
  }
};

const lastLine = (text: string) => text.split('\n').map((l) => l.trim()).filter(Boolean).at(-1) ?? '';

/** Masters under `dir`, one per host, each the daemon's child. */
export function createSshMasters(options: SshMastersOptions): SshConnections {
  const readyTimeoutMs = options.readyTimeoutMs ?? 30_000;
  const log = options.log ?? (() => undefined);
  const ready = new Map<string, Promise<string[]>>();
  const children = new Set<ChildProcess>();
  let closed = false;
  let tooLongSaid = false;

  const start = (host: HostSpec, name: string): Promise<string[]> => {
    const path = join(options.dir, name);
    if (Buffer.byteLength(path) + BIND_SUFFIX >= MAX_SOCKET_PATH) {
      if (!tooLongSaid) log(`ssh connections are not shared: the socket path ${path} is too long (set AXUM_RUNTIME_DIR to a short folder)`);
      tooLongSaid = true;
      return Promise.resolve([]);
    }
    try {
      (options.prepare ?? ((dir: string) => mkdirSync(dir, { recursive: true, mode: 0o700 })))(options.dir);
      rmSync(path, { force: true }); // a killed daemon's: its master is killed at start (step marker)
    } catch (err) {
      log(`ssh connections are not shared: ${(err as Error).message}`);
      return Promise.resolve([]);
    }
    const through = ['-o', controlPath(path), '-o', 'ControlMaster=no'];
    const args = [...sshOptions(host, options.configFile), '-N', '-o', controlPath(path), '-o', 'ControlMaster=yes', '-o', 'ControlPersist=no', '--', destination(host)];
    const current: Promise<string[]> = new Promise((resolve) => {
      let settled = false;
      let stderr = '';
      const settle = (value: string[]) => {
        if (settled) return;
        settled = true;
        watcher.close();
        clearTimeout(timer);
        resolve(value);
      };
      // The socket appears (by a rename) once the master is connected and listening.
      const watcher = watch(options.dir, () => {
        if (isSocket(path)) settle(through);
      });
      watcher.on('error', () => undefined);
      const child = spawn('ssh', args, { stdio: ['ignore', 'ignore', 'pipe'], ...(options.env ? { env: options.env } : {}) });
      children.add(child);
      child.stderr!.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString('utf8')).slice(-2000)));
      const timer = setTimeout(() => {
        log(`ssh connection to ${host.spec} not ready after ${readyTimeoutMs} ms; its commands connect on their own`);
        child.kill('SIGKILL');
      }, readyTimeoutMs);
      child.on('error', (err) => log(`ssh connection to ${host.spec}: ${err.message}`));
      child.on('close', (code, signal) => {
        children.delete(child);
        if (ready.get(name) === current) ready.delete(name); // the next command starts another
        rmSync(path, { force: true });
        if (!closed) log(`ssh connection to ${host.spec} ended (${signal ?? `exit ${code}`})${lastLine(stderr) ? `: ${lastLine(stderr)}` : ''}`);
        settle([]);
      });
      if (isSocket(path)) settle(through);
    });
    ready.set(name, current);
    return current;
  };

  return {
    optionsFor(host) {
      if (closed) return Promise.resolve([]);
      const name = masterName(host);
      // One master per host, shared by the commands that wait for it; one that ended or could not
      // start is no longer here (its close handler), so the next command starts another.
      return ready.get(name) ?? start(host, name);
    },
    async close() {
      closed = true;
      ready.clear();
      await Promise.all(
        [...children].map(
          (child) =>
            new Promise<void>((resolve) => {
              if (child.exitCode !== null || child.signalCode !== null) return resolve();
              child.once('close', () => resolve());
              child.kill('SIGTERM');
              setTimeout(() => child.kill('SIGKILL'), 2000).unref();
            }),
        ),
      );
      rmSync(options.dir, { recursive: true, force: true });
    },
  };
}

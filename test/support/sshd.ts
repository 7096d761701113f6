// Real OpenSSH servers on loopback for the remote-environment tests (docs/remote-environments.md):
// one `sshd -D` per "host", run as the current user with a temporary host key, an `authorized_keys`
// for a temporary client key, a folder per host, and an ssh config plus known_hosts for the client
// (handed to the daemon as AXUM_SSH_CONFIG). No mock of ssh or rsync.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { userInfo } from 'node:os';
import { join } from 'node:path';

const SSHD = '/usr/sbin/sshd';
const onPath = (program: string) => {
  try {
    execFileSync('sh', ['-c', `command -v ${program}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
};

/** Why the sshd suites cannot run here, or null (`pnpm system-deps` installs openssh-server and rsync). */
export const SSHD_MISSING: string | null = !existsSync(SSHD)
  ? `${SSHD} is missing (Debian openssh-server)`
  : !onPath('ssh') || !onPath('ssh-keygen')
    ? 'ssh or ssh-keygen is missing (Debian openssh-client)'
    : !onPath('rsync')
      ? 'rsync is missing'
      : null;

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Resolves once the server on `port` says its SSH banner. */
async function waitForBanner(port: number, deadline: number): Promise<void> {
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('data', (data) => {
        socket.destroy();
        resolve(data.toString().startsWith('SSH-'));
      });
      socket.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`sshd on port ${port} did not answer`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Every process below `pid` (an sshd forks one per connection, and that one the session's). */
function descendants(pid: number): number[] {
  let children: number[] = [];
  try {
    children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').split(' ').filter(Boolean).map(Number);
  } catch {
    return [];
  }
  return children.flatMap((child) => [child, ...descendants(child)]);
}

/** One sshd "host". */
export interface SshHost {
  name: string;
  port: number;
  /** The host's own folder (what `user@name:/root` deploys into). */
  root: string;
  /** `user@name:root`, for axum.yml. */
  spec: string;
}

/** A few sshd hosts, the client's ssh config for them, and how to stop, kill and restart each. */
export interface SshLab {
  hosts: SshHost[];
  /** The ssh config naming every host (for `ssh -F` / AXUM_SSH_CONFIG). */
  config: string;
  /** Stops the host's sshd (connections to it are then refused). */
  kill(name: string): Promise<void>;
  /** Cuts the network to the host: its sshd and every connection it serves (the processes it forked) are killed. */
  cut(name: string): Promise<void>;
  start(name: string): Promise<void>;
  /** Runs a command on the host (as a test's check, through the same ssh config). */
  run(name: string, command: string): string;
  stop(): Promise<void>;
}

/**
 * Starts one sshd per name in `dir`; `unknownKey` names hosts in the config whose key is not in
 * known_hosts; `forceCommand` gives a host's sshd a ForceCommand (a script that may delay or
 * watch each command before running `$SSH_ORIGINAL_COMMAND` itself); `sshdConfig` adds lines to a
 * host's sshd_config (`MaxSessions 2`).
 */
export async function startSshLab(dir: string, names: string[], options: { unknownKey?: string[]; forceCommand?: Record<string, string>; sshdConfig?: Record<string, string[]> } = {}): Promise<SshLab> {
  const user = userInfo().username;
  mkdirSync(dir, { recursive: true });
  // sshd run as root needs its privilege-separation folder.
  if (process.getuid?.() === 0) mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
  const keygen = (file: string) => execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'axum-test', '-f', file]);
  keygen(join(dir, 'client_key'));
  keygen(join(dir, 'host_key'));
  writeFileSync(join(dir, 'authorized_keys'), readFileSync(join(dir, 'client_key.pub')), { mode: 0o600 });
  const hostPub = readFileSync(join(dir, 'host_key.pub'), 'utf8').trim();
  const hosts: SshHost[] = [];
  const servers = new Map<string, ChildProcess>();
  const known: string[] = [];
  const clientConfig: string[] = [];
  for (const name of names) {
    const port = await freePort();
    const root = join(dir, 'hosts', name);
    mkdirSync(root, { recursive: true });
    writeFileSync(
      join(dir, `sshd-${name}.conf`),
      [
        `Port ${port}`,
        'ListenAddress 127.0.0.1',
        `HostKey ${join(dir, 'host_key')}`,
        `PidFile ${join(dir, `sshd-${name}.pid`)}`,
        `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
        'StrictModes no',
        'PubkeyAuthentication yes',
        'PasswordAuthentication no',
        'KbdInteractiveAuthentication no',
        'UsePAM no',
        'PermitRootLogin prohibit-password',
        'LogLevel ERROR',
        ...(options.forceCommand?.[name] ? [`ForceCommand ${options.forceCommand[name]}`] : []),
        ...(options.sshdConfig?.[name] ?? []),
        '',
      ].join('\n'),
    );
    if (!options.unknownKey?.includes(name)) known.push(`[127.0.0.1]:${port} ${hostPub}`);
    clientConfig.push(
      `Host ${name}`,
      '  HostName 127.0.0.1',
      `  Port ${port}`,
      `  User ${user}`,
      `  IdentityFile ${join(dir, 'client_key')}`,
      '  IdentitiesOnly yes',
      `  UserKnownHostsFile ${join(dir, 'known_hosts')}`,
      '  GlobalKnownHostsFile /dev/null',
      '',
    );
    hosts.push({ name, port, root, spec: `${user}@${name}:${root}` });
  }
  writeFileSync(join(dir, 'known_hosts'), `${known.join('\n')}\n`);
  const config = join(dir, 'ssh_config');
  writeFileSync(config, clientConfig.join('\n'), { mode: 0o600 });

  const hostOf = (name: string) => {
    const host = hosts.find((h) => h.name === name);
    if (!host) throw new Error(`no host ${name}`);
    return host;
  };
  const start = async (name: string) => {
    const host = hostOf(name);
    if (servers.get(name)?.exitCode === null) return; // running already
    const child = spawn(SSHD, ['-D', '-e', '-f', join(dir, `sshd-${name}.conf`)], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
    servers.set(name, child);
    await waitForBanner(host.port, Date.now() + 10_000).catch((err: Error) => {
      throw new Error(`${err.message}: ${stderr}`);
    });
  };
  const kill = async (name: string) => {
    const child = servers.get(name);
    servers.delete(name);
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
  };
  for (const name of names) await start(name);
  return {
    hosts,
    config,
    kill,
    async cut(name) {
      const pid = servers.get(name)?.pid;
      const connections = pid === undefined ? [] : descendants(pid);
      await kill(name);
      for (const child of connections) {
        try {
          process.kill(child, 'SIGKILL');
        } catch {
          // gone already
        }
      }
    },
    start,
    run: (name, command) => execFileSync('ssh', ['-F', config, '-o', 'BatchMode=yes', name, command], { encoding: 'utf8' }),
    async stop() {
      for (const name of [...servers.keys()]) await kill(name);
    },
  };
}

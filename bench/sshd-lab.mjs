// Real OpenSSH servers on loopback for the remote-rollback benchmark: one `sshd -D` per "host", as
// the current user, with a temporary host key and client key (the same layout as the tests'
// test/support/sshd.ts, which the bench cannot import: it runs on plain node).
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { sleep } from './lib.mjs';

const SSHD = '/usr/sbin/sshd';

/** Why sshd hosts cannot run here, or null. */
export function sshdMissing() {
  if (!existsSync(SSHD)) return `${SSHD} is missing (Debian openssh-server)`;
  try {
    execFileSync('sh', ['-c', 'command -v ssh && command -v ssh-keygen && command -v rsync'], { stdio: 'ignore' });
    return null;
  } catch {
    return 'ssh, ssh-keygen or rsync is missing';
  }
}

const freePort = () =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });

async function banner(port) {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const ok = await new Promise((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('data', (d) => {
        socket.destroy();
        resolve(d.toString().startsWith('SSH-'));
      });
      socket.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`sshd on port ${port} did not answer`);
    await sleep(50);
  }
}

/** Starts one sshd per name under `dir`: `{hosts: [{name, root, spec}], config, stop()}`. */
export async function startSshLab(dir, names) {
  const user = userInfo().username;
  mkdirSync(dir, { recursive: true });
  if (process.getuid?.() === 0) mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
  for (const key of ['client_key', 'host_key']) execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'axum-bench', '-f', join(dir, key)]);
  writeFileSync(join(dir, 'authorized_keys'), readFileSync(join(dir, 'client_key.pub')), { mode: 0o600 });
  const hostPub = readFileSync(join(dir, 'host_key.pub'), 'utf8').trim();
  const hosts = [];
  const known = [];
  const client = [];
  const servers = [];
  for (const name of names) {
    const port = await freePort();
    const root = join(dir, 'hosts', name);
    mkdirSync(root, { recursive: true });
    const conf = join(dir, `sshd-${name}.conf`);
    writeFileSync(conf, [`Port ${port}`, 'ListenAddress 127.0.0.1', `HostKey ${join(dir, 'host_key')}`, `PidFile ${join(dir, `sshd-${name}.pid`)}`, `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`, 'StrictModes no', 'PubkeyAuthentication yes', 'PasswordAuthentication no', 'KbdInteractiveAuthentication no', 'UsePAM no', 'PermitRootLogin prohibit-password', 'LogLevel ERROR', ''].join('\n'));
    known.push(`[127.0.0.1]:${port} ${hostPub}`);
    client.push(`Host ${name}`, '  HostName 127.0.0.1', `  Port ${port}`, `  User ${user}`, `  IdentityFile ${join(dir, 'client_key')}`, '  IdentitiesOnly yes', `  UserKnownHostsFile ${join(dir, 'known_hosts')}`, '  GlobalKnownHostsFile /dev/null', '');
    servers.push(spawn(SSHD, ['-D', '-e', '-f', conf], { stdio: 'ignore' }));
    await banner(port);
    hosts.push({ name, root, spec: `${user}@${name}:${root}` });
  }
  writeFileSync(join(dir, 'known_hosts'), `${known.join('\n')}\n`);
  const config = join(dir, 'ssh_config');
  writeFileSync(config, client.join('\n'), { mode: 0o600 });
  return { hosts, config, stop: () => servers.forEach((s) => s.kill('SIGKILL')) };
}

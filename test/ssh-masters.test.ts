// One shared OpenSSH connection per host (openssh-masters.ts) against real sshd hosts on loopback:
// commands ride one connection, a master that dies is replaced, a host that is down is named, the
// host fence still refuses an earlier daemon, and closing leaves no master and no socket behind.
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseHostSpec, type HostSpec, type ReleaseView } from '@axum/protocol';
import { createSshMasters, masterName, type SshConnections } from '../packages/daemon/src/adapters/openssh-masters.js';
import { runOnHost } from '../packages/daemon/src/adapters/openssh.js';
import { createSshRemoteHosts } from '../packages/daemon/src/adapters/ssh-hosts.js';
import { backupDestinationFor } from '../packages/daemon/src/adapters/backup-targets.js';
import { isAlive, processesMatching } from './support/axum.js';
import { SSHD_MISSING, startSshLab, type SshLab } from './support/sshd.js';

describe.skipIf(SSHD_MISSING !== null)(`shared ssh connections against real sshd hosts${SSHD_MISSING ? ` (skipped: ${SSHD_MISSING})` : ''}`, { timeout: 120_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'axum-ssh-mux-'));
  const sockets = join(dir, 'rt', 'ssh');
  let lab: SshLab;
  let masters: SshConnections;
  const logged: string[] = [];
  const spec = (name: string): HostSpec => parseHostSpec(lab.hosts.find((h) => h.name === name)!.spec) as HostSpec;
  /** The pid of the sshd process serving the command's connection (its shell's parent). */
  const connectionOf = async (name: string, shared: readonly string[]) => Number((await runOnHost(spec(name), lab.config, 'reading the connection', 'echo $PPID', null, 20_000, undefined, shared)).trim());
  const mastersRunning = () => processesMatching(lab.config).filter((pid) => processesMatching('ControlMaster=yes').includes(pid));

  beforeAll(async () => {
    lab = await startSshLab(join(dir, 'lab'), ['alpha', 'beta', 'narrow'], { sshdConfig: { narrow: ['MaxSessions 2'] } });
    masters = createSshMasters({ dir: sockets, configFile: lab.config, log: (m) => logged.push(m) });
  });
  afterAll(async () => {
    await masters?.close();
    await lab?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('sends every command to a host through one connection, where each would otherwise make its own', async () => {
    const alone = [await connectionOf('alpha', []), await connectionOf('alpha', [])];
    expect(alone[0]).not.toBe(alone[1]);
    // Commands at once wait for the one master the first of them started.
    const [a, b] = await Promise.all([masters.optionsFor(spec('alpha')), masters.optionsFor(spec('alpha'))]);
    expect(a).toEqual(b);
    expect(a).toContain('ControlMaster=no');
    const shared = [await connectionOf('alpha', a), await connectionOf('alpha', a), await connectionOf('alpha', await masters.optionsFor(spec('alpha')))];
    expect(new Set(shared).size).toBe(1);
    expect(mastersRunning()).toHaveLength(1);
    expect(readdirSync(sockets)).toEqual([masterName(spec('alpha'))]);
  });

  it('a master that died (its host rebooted): commands still reach the host, and the next one starts a new master', async () => {
    const before = await masters.optionsFor(spec('alpha'));
    const first = await connectionOf('alpha', before);
    await lab.cut('alpha'); // sshd and every connection it served: the master with them
    await lab.start('alpha');
    // The options handed out before: the socket is gone, so ssh connects on its own.
    const fresh = await connectionOf('alpha', before);
    expect(fresh).not.toBe(first);
    const after = await masters.optionsFor(spec('alpha'));
    const again = [await connectionOf('alpha', after), await connectionOf('alpha', after)];
    expect(again[0]).toBe(again[1]);
    expect(again[0]).not.toBe(first);
    expect(logged.some((m) => m.startsWith(`ssh connection to ${spec('alpha').spec} ended`))).toBe(true);
  });

  it('a host that is down gets no master and its command names it; once back, it is shared again', async () => {
    await lab.kill('beta');
    const down = await masters.optionsFor(spec('beta'));
    expect(down).toEqual([]);
    await expect(connectionOf('beta', down)).rejects.toThrow(/on .*beta.*Connection refused/);
    expect(logged.join('\n')).toMatch(/ssh connection to .*beta.* ended \(exit 255\): .*Connection refused/);
    await lab.start('beta');
    const up = await masters.optionsFor(spec('beta'));
    expect(up).toContain('ControlMaster=no');
    expect(await connectionOf('beta', up)).toBe(await connectionOf('beta', up));
  });

  it('the host fence works through the master: an earlier daemon is refused after a later one acted', async () => {
    const release = { id: 'rel-1', artifacts: [] } as unknown as ReleaseView;
    const later = createSshRemoteHosts({ configFile: lab.config, epoch: 200, connections: masters });
    const earlier = createSshRemoteHosts({ configFile: lab.config, epoch: 100, connections: masters });
    expect((await later.inspect(spec('alpha'), release)).current).toBeNull();
    await expect(earlier.inspect(spec('alpha'), release)).rejects.toThrow(/a daemon started later has acted on this host \(fence 200, this daemon 100\): refusing/);
  });

  it('closing ends every master and removes their sockets; later commands connect on their own', async () => {
    const running = mastersRunning();
    expect(running.length).toBe(2);
    await masters.close();
    for (const pid of running) expect(isAlive(pid), `master ${pid}`).toBe(false);
    expect(existsSync(sockets)).toBe(false);
    expect(await masters.optionsFor(spec('alpha'))).toEqual([]);
  });

  it('a host allowing 2 sessions per connection (MaxSessions 2): with two swaps held ready, more commands still run, each beyond the limit on a connection of its own', async () => {
    const narrow = spec('narrow');
    const root = lab.hosts.find((h) => h.name === 'narrow')!.root;
    const own = createSshMasters({ dir: join(dir, 'rt2', 'ssh'), configFile: lab.config });
    const hosts = createSshRemoteHosts({ configFile: lab.config, commandTimeoutMs: 20_000, connections: own });
    lab.run('narrow', `mkdir -p ${root}/releases/rel-1 && : > ${root}/releases/rel-1/.axum-sha256`);
    const release = { id: 'rel-1', artifacts: [] } as unknown as ReleaseView;
    // Two sessions held open through the master: it has no room for a third.
    const held = [await hosts.prepare(narrow, release), await hosts.prepare(narrow, release)];
    expect(held.map((h) => h.present)).toEqual([true, true]);
    const seen = await Promise.all([1, 2, 3].map(() => hosts.inspect(narrow, release)));
    expect(seen.map((s) => s.present)).toEqual([true, true, true]);
    // A command that fails there says its own failure, not the refused session it fell back from.
    const failed = await runOnHost(narrow, lab.config, 'a failing command', 'echo broken >&2; exit 3', null, 20_000, undefined, await own.optionsFor(narrow)).catch((err: Error) => err.message);
    expect(failed).toMatch(/^a failing command on .*narrow.* failed \(exit 3\): broken$/);
    await held[0]!.commit();
    await held[1]!.abort();
    expect(lab.run('narrow', `readlink ${root}/current`).trim()).toBe('releases/rel-1');
    await own.close();
  });

  it('a backup target on a host rides its shared connection too', async () => {
    const sockets2 = join(dir, 'rt3', 'ssh');
    const own = createSshMasters({ dir: sockets2, configFile: lab.config });
    const target = join(lab.hosts.find((h) => h.name === 'beta')!.root, 'backups');
    const backup = backupDestinationFor(`${spec('beta').user}@beta:${target}`, { repoRoot: dir, stateDir: join(dir, 'state'), sshConfigFile: lab.config, connections: own });
    expect((await backup.inspect()).manifest).toBeNull();
    expect(readdirSync(sockets2)).toEqual([masterName(spec('beta'))]);
    await own.close();
  });
});

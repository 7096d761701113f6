// Remote environments end to end (docs/remote-environments.md): a real daemon deploying to
// three real sshd "hosts" on loopback over the real ssh and rsync — all hosts or none.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readFileSync, readlinkSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { commitFiles, daemonPid, descendsFrom, isAlive, processesMatching, readDaemonJson } from './support/axum.js';
import { SSHD_MISSING } from './support/sshd.js';
import { remoteConfig, sshdHostsSuite } from './support/sshd-hosts.js';

const sha = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');

interface HostJson {
  host: string;
  releaseId: string | null;
  state: string;
  reason: string | null;
}

describe.skipIf(SSHD_MISSING !== null)(`remote environments on three real sshd hosts${SSHD_MISSING ? ` (skipped: ${SSHD_MISSING}; pnpm system-deps installs openssh-server and rsync)` : ''}`, () => {
  // Each host counts the ssh sessions it runs (a line per command in `sessions-NAME`), then runs the command.
  const suite = sshdHostsSuite(['alpha', 'beta', 'gamma'], {
    prefix: 'axum-ssh-e2e-',
    forceCommand: (labDir) =>
      Object.fromEntries(
        ['alpha', 'beta', 'gamma'].map((name) => {
          const script = join(labDir, `count-${name}.sh`);
          writeFileSync(script, `#!/bin/sh\necho "$SSH_ORIGINAL_COMMAND" | head -c 60 | tr '\\n' ' ' >> ${labDir}/sessions-${name}; echo >> ${labDir}/sessions-${name}\nexec sh -c "$SSH_ORIGINAL_COMMAND"\n`, { mode: 0o755 });
          return [name, script];
        }),
      ),
  });
  const sessions = (name: string) => (existsSync(join(suite.labDir, `sessions-${name}`)) ? readFileSync(join(suite.labDir, `sessions-${name}`), 'utf8').split('\n').filter(Boolean).length : 0);
  const { run, served } = suite;
  /** A repository whose `production` is served by the three hosts; verify runs once per host. */
  const started = () =>
    suite.started(
      remoteConfig(suite.lab.hosts, {
        extraTrain: ' && head -c 300000 /dev/zero > model/big.bin && ln -sf weights.txt model/latest.txt',
        extra: `verify:
  steps:
    # The test's hosts are folders of this machine: a real smoke test would ask $AXUM_HOST over the network.
    - { name: smoke, run: "cat $AXUM_HOST_CURRENT/model/weights.txt" }
`,
      }),
    );
  const settled = (dir: string, count: number) => suite.settled(dir, count);
  async function hostsJson(dir: string): Promise<HostJson[]> {
    const status = JSON.parse((await run(['status', '--json', '--repo', dir])).stdout) as { environments: { hosts: HostJson[] }[] };
    return status.environments[0]!.hosts;
  }
  const model = (dir: string, value: string) => commitFiles(dir, `model ${value}`, { 'data.txt': `${value}\n` });

  // A deploy is a few ssh round trips per host, and each costs seconds on a loaded 2-core machine.
  const SLOW = { timeout: 240_000 };

  it('deploys to all three hosts: each serves the release, every file sha256-correct, verify ran once per host', SLOW, async () => {
    const dir = await started();
    model(dir, '0.91');
    const [first] = await settled(dir, 1);
    expect(first).toMatchObject({ status: 'live' });
    const id = first!.releaseId;
    expect(served()).toEqual([`releases/${id}`, `releases/${id}`, `releases/${id}`]);
    const local = join(dir, '.axum', 'envs', 'production', 'current');
    for (const host of suite.lab.hosts) {
      for (const file of ['model/weights.txt', 'model/big.bin']) {
        expect(sha(readFileSync(join(host.root, 'current', file))), `${host.name} ${file}`).toBe(sha(readFileSync(join(local, file))));
      }
    }
    // A symlink artifact arrives as the symlink (its target checked on the host, not hashed through it).
    for (const host of suite.lab.hosts) expect(readlinkSync(join(host.root, 'current', 'model', 'latest.txt')), host.name).toBe('weights.txt');
    expect((await hostsJson(dir)).map((h) => `${h.host} ${h.releaseId} ${h.state}`)).toEqual(suite.lab.hosts.map((h) => `${h.spec} ${id} ok`));
    const log = await run(['logs', 'production#1', '--step', 'smoke', '--repo', dir]);
    for (const host of suite.lab.hosts) expect(log.stdout).toContain(`[axum] smoke for host ${host.spec}`);
    expect(log.stdout.match(/^0\.91$/gm)).toHaveLength(3);
    const text = await run(['status', '--repo', dir]);
    expect(text.stdout).toContain(`host         production ${suite.lab.hosts[1]!.spec}: on ${id} · ok`);
    // History says which hosts the revision reached and serves, in --json and in text.
    expect(first!.hosts!.map((h) => `${h.host} ${h.outcome} ${h.serving}`)).toEqual(suite.lab.hosts.map((h) => `${h.spec} switched true`));
    expect((await run(['history', 'production', '--repo', dir])).stdout).toContain(`#1    ${suite.lab.hosts[0]!.spec} switched, serving`);

    // One shared connection per host (ControlMaster), the daemon's own children; a clean stop
    // closes them and leaves no socket (the runtime folder goes with them).
    const daemon = daemonPid(dir)!;
    const runtime = dirname(readDaemonJson(dir).socket);
    const masters = processesMatching(suite.lab.config).filter((pid) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('ControlMaster=yes'));
    expect(masters).toHaveLength(3);
    for (const pid of masters) expect(descendsFrom(pid, daemon), `master ${pid}`).toBe(true);
    expect((await run(['daemon', 'stop', '--repo', dir])).code).toBe(0);
    for (const pid of masters) expect(isAlive(pid), `master ${pid}`).toBe(false);
    expect(existsSync(runtime)).toBe(false);
  });

  it('one host down before the swap: all three stay on the old release and the revision fails naming the host', SLOW, async () => {
    const dir = await started();
    model(dir, '0.91');
    const [first] = await settled(dir, 1);
    // Down: its sshd and the connections it served (the daemon's shared one too) are gone.
    await suite.lab.cut('beta');
    model(dir, '0.95');
    const revisions = await settled(dir, 2);
    expect(revisions[0]).toMatchObject({ revision: 2, status: 'failed' });
    expect(revisions[0]!.message).toContain(suite.lab.hosts[1]!.spec);
    expect(revisions[0]!.message).toMatch(/no host was switched/);
    expect(revisions[1]).toMatchObject({ revision: 1, status: 'live' });
    expect(revisions[0]!.hosts!.map((h) => h.outcome)).toEqual(['staged', 'failed', 'staged']);
    expect(revisions[1]!.hosts!.map((h) => h.serving)).toEqual([true, true, true]);
    await suite.lab.start('beta');
    expect(served()).toEqual(suite.lab.hosts.map(() => `releases/${first!.releaseId}`));
    expect(readFileSync(join(suite.lab.hosts[0]!.root, 'current', 'model', 'weights.txt'), 'utf8')).toBe('0.91\n');
    const hosts = await hostsJson(dir);
    expect(hosts[1]).toMatchObject({ host: suite.lab.hosts[1]!.spec, releaseId: first!.releaseId, state: 'failed' });
    expect(hosts[1]!.reason).toMatch(/Connection refused/);
    expect(readFileSync(join(dir, '.axum', 'envs', 'production', 'current', 'model', 'weights.txt'), 'utf8')).toBe('0.91\n');
  });

  it.runIf(process.getuid?.() === 0)('a full disk on one host: the first deploy switches no host and names the full one', SLOW, async () => {
    const gamma = suite.lab.hosts[2]!;
    // A 100 kB tmpfs as gamma's folder: the 300 kB model cannot land there (mounting needs root).
    mkdirSync(gamma.root, { recursive: true }); // an earlier case's cleanup removed it
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=100k,mode=0755', 'tmpfs', gamma.root]);
    try {
      const dir = await started();
      model(dir, '0.91');
      const [first] = await settled(dir, 1);
      expect(first).toMatchObject({ revision: 1, status: 'failed' });
      expect(first!.message).toContain(`so no host was switched: copying ${first!.releaseId} to ${gamma.spec} (rsync) failed`);
      expect(first!.message).toMatch(/exit 11, a file could not be written \(a full disk/);
      for (const host of suite.lab.hosts) expect(existsSync(join(host.root, 'current')), host.name).toBe(false);
      expect(existsSync(join(dir, '.axum', 'envs', 'production', 'current'))).toBe(false);
      expect((await hostsJson(dir)).map((h) => h.state)).toEqual(['unknown', 'unknown', 'failed']);
    } finally {
      execFileSync('umount', ['-l', gamma.root]);
    }
  });

  it('a swap failing on one host midway: the hosts already swapped go back, and the revision fails naming the host', SLOW, async () => {
    const dir = await started();
    model(dir, '0.91');
    const [first] = await settled(dir, 1);
    // Someone replaced beta's `current` link by a folder of their own: `mv -T` cannot replace it.
    const beta = suite.lab.hosts[1]!;
    rmSync(join(beta.root, 'current'));
    cpSync(join(beta.root, 'releases', first!.releaseId), join(beta.root, 'current'), { recursive: true });
    model(dir, '0.95');
    const revisions = await settled(dir, 2);
    expect(revisions[0]).toMatchObject({ revision: 2, status: 'failed' });
    expect(revisions[0]!.message).toContain(`switching ${revisions[0]!.releaseId} failed on ${beta.spec}`);
    expect(revisions[0]!.message).toContain(`switched back: ${suite.lab.hosts[0]!.spec}, ${suite.lab.hosts[2]!.spec}`);
    expect(revisions[1]).toMatchObject({ revision: 1, status: 'live' });
    for (const host of [suite.lab.hosts[0]!, suite.lab.hosts[2]!]) expect(readlinkSync(join(host.root, 'current'))).toBe(`releases/${first!.releaseId}`);
    expect(readFileSync(join(beta.root, 'current', 'model', 'weights.txt'), 'utf8')).toBe('0.91\n'); // their folder, untouched
    expect(readFileSync(join(dir, '.axum', 'envs', 'production', 'current', 'model', 'weights.txt'), 'utf8')).toBe('0.91\n');
    expect((await hostsJson(dir)).map((h) => h.state)).toEqual(['ok', 'failed', 'ok']);
  });

  it('a rollback on three hosts swaps to the folder already there: nothing is copied', SLOW, async () => {
    const dir = await started();
    model(dir, '0.91');
    const [first] = await settled(dir, 1);
    model(dir, '0.93');
    const [second] = await settled(dir, 2);
    expect(served()).toEqual(suite.lab.hosts.map(() => `releases/${second!.releaseId}`));
    // The second copy linked its unchanged big file against the first: one inode on the host.
    expect(statSync(join(suite.lab.hosts[0]!.root, 'releases', first!.releaseId, 'model', 'big.bin')).nlink).toBe(2);
    const before = suite.lab.hosts.map((h) => sessions(h.name));
    const started_ = Date.now();
    const rollback = await run(['rollback', 'production', '--to', '1', '--yes', '--json', '--repo', dir]);
    const tookMs = Date.now() - started_;
    expect(rollback.code, rollback.stderr).toBe(0);
    // One ssh session per host for the whole rollback: its check and its swap in one script.
    expect(suite.lab.hosts.map((h) => sessions(h.name) - before[suite.lab.hosts.indexOf(h)]!)).toEqual([1, 1, 1]);
    expect(JSON.parse(rollback.stdout)).toMatchObject({ revision: 3, kind: 'rollback', status: 'live' });
    expect(served()).toEqual(suite.lab.hosts.map(() => `releases/${first!.releaseId}`));
    const daemonLog = readFileSync(join(dir, '.axum', 'daemon.log'), 'utf8');
    // Two copies per host (one per deploy), none for the rollback.
    expect(daemonLog.match(/copied to /g)).toHaveLength(6);
    // What it costs beside one ssh round trip (a connection, `true`, the exit) on this machine now.
    const trips = [0, 1, 2].map(() => {
      const t = Date.now();
      suite.lab.run('alpha', 'true');
      return Date.now() - t;
    });
    const swapMs = Number(/production #3: current → \S+ \((\d+) ms\)/.exec(daemonLog)?.[1] ?? NaN);
    console.log(`FIGURE remote rollback, 3 hosts, axum rollback --json end to end (verify once per host included): ${tookMs} ms`);
    console.log(`FIGURE remote rollback, 3 hosts, the swap of every host's current then the local one: ${swapMs} ms`);
    console.log(`FIGURE one ssh round trip to a loopback sshd: ${trips.join(', ')} ms`);
  });
});

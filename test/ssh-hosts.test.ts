// The OpenSSH adapter of remote environments against real sshd "hosts" on loopback
// (docs/remote-environments.md): copy with rsync, sha256 checked on the host, atomic swap,
// refusals.
import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseHostSpec, type HostSpec, type ReleaseView } from '@axum/protocol';
import { createSshRemoteHosts } from '../packages/daemon/src/adapters/ssh-hosts.js';
import { SSHD_MISSING, startSshLab, type SshLab } from './support/sshd.js';

const sha = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');

/** A release folder on "this machine" and the release record naming its files. */
function localRelease(dir: string, id: string, files: Record<string, string | Buffer>): { release: ReleaseView; folder: string } {
  const folder = join(dir, 'local', id, 'files');
  for (const [path, data] of Object.entries(files)) {
    mkdirSync(join(folder, path, '..'), { recursive: true });
    writeFileSync(join(folder, path), data);
    chmodSync(join(folder, path), 0o444);
  }
  writeFileSync(join(folder, '.axum-complete'), 'complete\n');
  const artifacts = Object.entries(files).map(([path, data]) => ({ path, sha256: sha(data), size: Buffer.byteLength(data) }));
  return { folder, release: { id, artifacts } as unknown as ReleaseView };
}

describe.skipIf(SSHD_MISSING !== null)(`the OpenSSH adapter against real sshd hosts${SSHD_MISSING ? ` (skipped: ${SSHD_MISSING}; pnpm system-deps installs it)` : ''}`, { timeout: 180_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'axum-ssh-'));
  let lab: SshLab;
  let hosts: ReturnType<typeof createSshRemoteHosts>;
  const spec = (name: string): HostSpec => parseHostSpec(lab.hosts.find((h) => h.name === name)!.spec) as HostSpec;
  beforeAll(async () => {
    lab = await startSshLab(join(dir, 'lab'), ['alpha', 'beta', 'stranger'], { unknownKey: ['stranger'] });
    hosts = createSshRemoteHosts({ configFile: lab.config, commandTimeoutMs: 20_000 });
  });
  afterAll(async () => {
    await lab?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('copies a release, checks its sha256 there and swaps current; the next release sends only what changed', async () => {
    const big = Buffer.alloc(2_000_000, 7);
    const one = localRelease(dir, 'rel-1', { 'model/weights.bin': big, 'config/app.json': '{"v":1}\n' });
    const alpha = spec('alpha');
    expect(await hosts.inspect(alpha, one.release)).toEqual({ current: null, present: false });
    const first = await hosts.push(alpha, one.release, one.folder, null);
    expect(first.bytesSent).toBeGreaterThan(2_000_000);
    expect(await hosts.inspect(alpha, one.release)).toEqual({ current: null, present: true });
    await hosts.swap(alpha, 'rel-1');
    const root = lab.hosts[0]!.root;
    expect(readlinkSync(join(root, 'current'))).toBe('releases/rel-1');
    expect(sha(readFileSync(join(root, 'current', 'model', 'weights.bin')))).toBe(sha(big));

    const two = localRelease(dir, 'rel-2', { 'model/weights.bin': big, 'config/app.json': '{"v":2}\n' });
    const second = await hosts.push(alpha, two.release, two.folder, 'rel-1');
    // The unchanged 2 MB model is hard-linked against rel-1, not sent again.
    expect(second.bytesSent).toBeLessThan(100_000);
    await hosts.swap(alpha, 'rel-2');
    expect(readFileSync(join(root, 'current', 'config', 'app.json'), 'utf8')).toBe('{"v":2}\n');
    expect(await hosts.inspect(alpha, one.release)).toEqual({ current: 'rel-2', present: true });
    await hosts.swap(alpha, 'rel-1');
    expect(readlinkSync(join(root, 'current'))).toBe('releases/rel-1');
    // Retention keeping only rel-2: rel-1 stays too, as current names it.
    expect(await hosts.prune(alpha, ['rel-2'])).toEqual([]);
    await hosts.swap(alpha, 'rel-2');
    expect(await hosts.prune(alpha, ['rel-2'])).toEqual(['rel-1']);
    expect(lab.run('alpha', `ls ${root}/releases`).split('\n').filter(Boolean)).toEqual(['rel-2']);
  });

  it('refuses a copy whose file does not match its sha256, leaving no folder of the release', async () => {
    const bad = localRelease(dir, 'rel-3', { 'model/weights.bin': 'abc' });
    (bad.release.artifacts[0] as { sha256: string }).sha256 = sha('something else');
    await expect(hosts.push(spec('alpha'), bad.release, bad.folder, null)).rejects.toThrow(/checking the sha256 of rel-3 on .*alpha.*FAILED/);
    expect(lab.run('alpha', `ls ${lab.hosts[0]!.root}/releases`).split('\n')).not.toContain('rel-3');
    await expect(hosts.swap(spec('alpha'), 'rel-3')).rejects.toThrow(/releases\/rel-3 is not on the host/);
  });

  it('a symlink artifact arrives as a symlink, checked by its target text; a repointed one is not the release', async () => {
    const linked = localRelease(dir, 'rel-4', { 'model/weights.bin': 'w4' });
    symlinkSync('weights.bin', join(linked.folder, 'model', 'latest.bin'));
    linked.release.artifacts.push({ path: 'model/latest.bin', sha256: sha('weights.bin'), size: 'weights.bin'.length, link: 'weights.bin' });
    const beta = spec('beta');
    const root = lab.hosts[1]!.root;
    await hosts.push(beta, linked.release, linked.folder, null);
    expect(readlinkSync(join(root, 'releases', 'rel-4', 'model', 'latest.bin'))).toBe('weights.bin');
    expect(await hosts.inspect(beta, linked.release)).toEqual({ current: null, present: true });
    lab.run('beta', `ln -sfn /etc/hostname ${root}/releases/rel-4/model/latest.bin`);
    expect(await hosts.inspect(beta, linked.release)).toEqual({ current: null, present: false });

    // A folder whose link is not the record's is refused on the host, naming the link.
    const wrong = localRelease(dir, 'rel-5', { 'model/weights.bin': 'w5', 'model/other.bin': 'o5' });
    symlinkSync('other.bin', join(wrong.folder, 'model', 'latest.bin'));
    wrong.release.artifacts.push({ path: 'model/latest.bin', sha256: sha('weights.bin'), size: 'weights.bin'.length, link: 'weights.bin' });
    await expect(hosts.push(beta, wrong.release, wrong.folder, null)).rejects.toThrow(/model\/latest\.bin: not a symlink to weights\.bin/);
    expect(lab.run('beta', `ls ${root}/releases`).split('\n')).not.toContain('rel-5');
  });

  it('prepare: one session checks the folder and makes the swap ready; commit moves current, abort leaves it; a folder not whole is absent', async () => {
    const beta = spec('beta');
    const root = lab.hosts[1]!.root;
    const six = localRelease(dir, 'rel-6', { 'model/weights.bin': 'w6' });
    const seven = localRelease(dir, 'rel-7', { 'model/weights.bin': 'w7' });
    await hosts.push(beta, six.release, six.folder, null);
    await hosts.push(beta, seven.release, seven.folder, null);
    await hosts.swap(beta, 'rel-7');
    const temps = () => lab.run('beta', `ls -A ${root}`).split('\n').filter((n) => n.startsWith('.current-'));

    const ready = await hosts.prepare(beta, six.release);
    expect(ready).toMatchObject({ current: 'rel-7', present: true });
    // Ready: the new link waits beside current, which has not moved.
    expect(temps().map((n) => readlinkSync(join(root, n)))).toEqual(['releases/rel-6']);
    expect(readlinkSync(join(root, 'current'))).toBe('releases/rel-7');
    await ready.commit();
    expect(readlinkSync(join(root, 'current'))).toBe('releases/rel-6');
    expect(temps()).toEqual([]);

    const dropped = await hosts.prepare(beta, seven.release);
    expect(dropped.present).toBe(true);
    await dropped.abort();
    expect(readlinkSync(join(root, 'current'))).toBe('releases/rel-6');
    expect(temps()).toEqual([]);

    // A folder whose checksum list is not the release's is absent: nothing made, nothing to commit.
    lab.run('beta', `chmod u+w ${root}/releases/rel-7/.axum-sha256 && echo extra >> ${root}/releases/rel-7/.axum-sha256`);
    const absent = await hosts.prepare(beta, seven.release);
    expect(absent).toMatchObject({ current: 'rel-6', present: false });
    expect(temps()).toEqual([]);
    await expect(absent.commit()).rejects.toThrow(/rel-7 is not on/);

    // A later daemon acting on the host while a swap waits: the wait let the lock go, and the move refuses.
    const early = createSshRemoteHosts({ configFile: lab.config, commandTimeoutMs: 20_000, epoch: 100 });
    const waiting = await early.prepare(beta, six.release);
    const later = createSshRemoteHosts({ configFile: lab.config, commandTimeoutMs: 20_000, epoch: 200 });
    await later.swap(beta, 'rel-6');
    await expect(waiting.commit()).rejects.toThrow(/a daemon started later has acted on this host \(fence 200, this daemon 100\): refusing/);
    expect(readlinkSync(join(root, 'current'))).toBe('releases/rel-6');
    expect(temps()).toEqual([]);
  });

  it('names the host when its key is unknown (never accepted) or its sshd is down', async () => {
    const one = localRelease(dir, 'rel-4', { 'a.txt': 'a' });
    await expect(hosts.inspect(spec('stranger'), one.release)).rejects.toThrow(/stranger.*Host key verification failed/);
    await lab.kill('beta');
    await expect(hosts.push(spec('beta'), one.release, one.folder, null)).rejects.toThrow(/on root@beta:.*Connection refused|beta.*Connection refused/);
    await lab.start('beta');
    await hosts.push(spec('beta'), one.release, one.folder, null);
  });
});

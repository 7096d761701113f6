// Backups to an SSH target end to end (docs/backups.md; issue #21): a real daemon backing up
// over the real ssh and rsync to a real sshd "host" on loopback (test/support/sshd.ts), then `rm -rf
// .axum`, `axum restore --from user@host:/path` and a rollback with verified files; an incremental
// backup sends only the new objects (counted at the target); a host that refuses the connection or
// whose key is unknown, a network cut mid-rsync and a tampered backup, each named, nothing lost.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, commitFiles } from './support/axum.js';
import { readableByOthers } from './support/modes.js';
import { SSHD_MISSING } from './support/sshd.js';
import { sshdHostsSuite } from './support/sshd-hosts.js';
import { tinyModelConfig } from './support/tiny-model.js';

interface Revision {
  revision: number;
  status: string;
  verified: boolean;
}
interface TargetReport {
  target: string;
  ok: boolean;
  error: string | null;
  files: number;
  sent: { files: number; bytes: number };
  present: { files: number; bytes: number };
}
interface ManifestFile {
  path: string;
  sha256: string;
  size: number;
}

describe.skipIf(SSHD_MISSING !== null)(`backups to a real sshd target${SSHD_MISSING ? ` (skipped: ${SSHD_MISSING}; pnpm system-deps installs openssh-server and rsync)` : ''}`, () => {
  const suite = sshdHostsSuite(['vault', 'stranger'], { unknownKey: ['stranger'], prefix: 'axum-ssh-backup-', timeoutMs: 180_000 });
  const { run, ok, host } = suite;
  /** The target `user@name:<root>/backup` and its folder on this machine (the host is loopback). */
  const target = (name: string) => ({ spec: `${host(name).spec}/backup`, folder: join(host(name).root, 'backup') });
  const settled = (dir: string, count: number) => suite.settled(dir, count, { env: 'staging', timeoutMs: 90_000 });
  async function backup(dir: string): Promise<TargetReport[]> {
    const result = await run(['backup', '--json', '--repo', dir]);
    return (JSON.parse(result.stdout) as { targets: TargetReport[] }).targets;
  }
  /** A repository on staging, backed up to `targets`; `train` writes a 30 MB random blob when `big` is committed. */
  async function started(targets: string[]): Promise<string> {
    const config = tinyModelConfig(`backup: { to: [${targets.join(', ')}], every: 24h }\n`).replace(
      'cp data.txt model/weights.txt',
      'cp data.txt model/weights.txt && echo trained on $(cat data.txt) && if [ -f big ]; then head -c 30000000 /dev/urandom > model/big.bin; fi',
    );
    return suite.started(config);
  }
  const model = (dir: string, value: string, files: Record<string, string> = {}) => commitFiles(dir, `model ${value}`, { 'data.txt': `${value}\n`, ...files });
  const served = (dir: string) => readFileSync(join(dir, '.axum', 'envs', 'staging', 'current', 'model', 'weights.txt'), 'utf8').trim();
  const manifestOf = (folder: string): ManifestFile[] => (JSON.parse(readFileSync(join(folder, 'axum-backup.json'), 'utf8')) as { manifest: { files: ManifestFile[] } }).manifest.files;
  const objects = (folder: string) => readdirSync(join(folder, 'objects'));
  /** A fresh clone of `dir` (its axum.yml, no .axum), removed with the repositories. */
  function freshClone(dir: string): string {
    const clone = join(mkdtempSync(join(tmpdir(), 'axum-e2e-')), 'clone');
    execFileSync('git', ['clone', '-q', dir, clone]);
    return suite.track(clone);
  }

  it('backs up over ssh, then only the new objects; snapshots listed and an older one restored; rm -rf .axum, restore --from user@host:/path, rollback --to 1 verified', async () => {
    const vault = target('vault');
    const dir = await started([vault.spec]);
    model(dir, '0.85');
    await settled(dir, 1);
    model(dir, '0.9');
    await settled(dir, 2);
    const [first] = await backup(dir);
    expect(first, first?.error ?? '').toMatchObject({ target: vault.spec, ok: true, error: null });
    const before = manifestOf(vault.folder);
    // Counted at the target: one object per distinct content, all of them sent.
    expect(objects(vault.folder).sort()).toEqual([...new Set(before.map((f) => f.sha256))].sort());
    expect(first!.sent.files).toBe(objects(vault.folder).length);
    // Owner-only at the target as in .axum: folders rsync and the publish script made 0700, objects 0400.
    expect(readableByOthers(vault.folder)).toEqual([]);
    expect(statSync(join(vault.folder, 'objects', objects(vault.folder)[0]!)).mode & 0o777).toBe(0o400);

    model(dir, '0.95');
    expect((await settled(dir, 3))[0]).toMatchObject({ revision: 3, status: 'live' });
    const inodes = new Map(objects(vault.folder).map((name) => [name, statSync(join(vault.folder, 'objects', name)).ino]));
    const [second] = await backup(dir);
    expect(second, second?.error ?? '').toMatchObject({ ok: true });
    const after = manifestOf(vault.folder);
    const appeared = objects(vault.folder).filter((name) => !inodes.has(name));
    expect(appeared).toHaveLength(second!.sent.files);
    expect(appeared.reduce((sum, name) => sum + statSync(join(vault.folder, 'objects', name)).size, 0)).toBe(second!.sent.bytes);
    // Every object that stayed is the same file: not sent again.
    for (const name of objects(vault.folder).filter((n) => inodes.has(n))) expect(statSync(join(vault.folder, 'objects', name)).ino).toBe(inodes.get(name));
    const known = new Set(before.map((f) => f.sha256));
    expect(after.filter((f) => f.path.startsWith('store/') && !known.has(f.sha256))).toHaveLength(1); // the one new model
    expect(after.filter((f) => f.path.startsWith('runs/') && !known.has(f.sha256)).some((f) => before.some((b) => b.path === f.path))).toBe(false);
    console.log(`FIGURE ssh backup incremental: first ${first!.sent.files} files / ${first!.sent.bytes} bytes; after one commit ${second!.sent.files} sent / ${second!.sent.bytes} bytes, ${second!.present.files} already there / ${second!.present.bytes} bytes`);

    // Both backups are kept as snapshots (they share objects): listed newest first, the older restorable.
    const listed = JSON.parse(await ok(['restore', '--from', vault.spec, '--list', '--json', '--repo', dir])) as { snapshots: { id: string; newest: boolean; files: number }[] };
    expect(listed.snapshots.map((s) => s.newest)).toEqual([true, false]);
    expect(listed.snapshots.map((s) => s.files)).toEqual([after.length, before.length]);
    expect(await ok(['restore', '--from', vault.spec, '--list', '--repo', dir])).toContain(`${listed.snapshots[1]!.id}  `);
    const older = freshClone(dir);
    expect(await ok(['restore', '--from', vault.spec, '--snapshot', listed.snapshots[1]!.id, '--repo', older])).toContain(`backup ${listed.snapshots[1]!.id}`);
    expect(served(older)).toBe('0.9');
    // The clone's first daemon may already build its newer head (the older runs history never saw it): #3.
    const olderHistory = JSON.parse(await ok(['history', 'staging', '--json', '--repo', older])) as Revision[];
    expect(olderHistory.filter((r) => r.revision <= 2).map((r) => `#${r.revision} ${r.revision === 1 ? r.status : ''}`)).toEqual(['#2 ', '#1 superseded']);
    const unknown = await run(['restore', '--from', vault.spec, '--snapshot', '20200101T000000000Z', '--repo', freshClone(dir)]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('no such snapshot');

    await ok(['daemon', 'stop', '--repo', dir]);
    rmSync(join(dir, '.axum'), { recursive: true, force: true });
    const restored = await ok(['restore', '--from', vault.spec, '--repo', dir]);
    expect(restored).toContain(`from ${vault.spec}`);
    expect(restored).toContain('verified by sha256');
    expect(served(dir)).toBe('0.95');
    expect(await ok(['logs', 'run-1', '--step', 'train', '--repo', dir])).toContain('trained on 0.85');
    const revisions = JSON.parse(await ok(['history', 'staging', '--json', '--repo', dir])) as Revision[];
    expect(revisions.map((r) => `#${r.revision} ${r.status}`)).toEqual(['#3 live', '#2 superseded', '#1 superseded']);
    const rolled = JSON.parse(await ok(['rollback', 'staging', '--to', '1', '--yes', '--wait', '--json', '--repo', dir])) as Revision;
    expect(rolled).toMatchObject({ revision: 4, status: 'live', verified: true });
    expect(served(dir)).toBe('0.85');
    expect((await run(['fsck', '--repo', dir])).code).toBe(0);
  }, 600_000);

  it('a host that refuses the connection or whose key is unknown: named, exit 1, the previous backup intact; restore refused', async () => {
    const vault = target('vault');
    const stranger = target('stranger');
    const dir = await started([vault.spec, stranger.spec]);
    model(dir, '0.9');
    await settled(dir, 1);
    const firstRun = await run(['backup', '--repo', dir]);
    expect(firstRun.code).toBe(1);
    expect(firstRun.stdout).toContain(`backed up to ${vault.spec}`);
    expect(firstRun.stdout).toMatch(new RegExp(`backup to ${stranger.spec} FAILED: .*Host key verification failed`));
    expect(existsSync(stranger.folder)).toBe(false);
    const manifest = readFileSync(join(vault.folder, 'axum-backup.json'));
    const held = objects(vault.folder).sort();

    // Down: its sshd and the connections it served (the daemon's shared one too).
    await suite.lab.cut('vault');
    model(dir, '0.95');
    await settled(dir, 2);
    const refused = await run(['backup', '--json', '--repo', dir]);
    expect(refused.code).toBe(1);
    const report = (JSON.parse(refused.stdout) as { targets: TargetReport[] }).targets.find((t) => t.target === vault.spec)!;
    expect(report.ok).toBe(false);
    expect(report.error).toMatch(new RegExp(`${vault.spec}.*Connection refused`));
    expect(readFileSync(join(vault.folder, 'axum-backup.json'))).toEqual(manifest);
    expect(objects(vault.folder).sort()).toEqual(held);
    const status = await ok(['status', '--repo', dir]);
    expect(status).toContain(`backup to ${vault.spec} failed`);

    const clone = freshClone(dir);
    for (const [from, reason] of [[vault.spec, /Connection refused/], [stranger.spec, /Host key verification failed/]] as const) {
      const restore = await run(['restore', '--from', from, '--repo', clone]);
      expect(restore.code).toBe(1);
      expect(restore.stderr).toContain(`refused to restore from ${from}`);
      expect(restore.stderr).toMatch(reason);
      expect(readdirSync(clone)).not.toContain('.axum');
    }
  }, 600_000);

  it('a network cut mid-rsync fails the backup naming the target; the previous backup stays whole and restorable; a tampered one is refused', async () => {
    const vault = target('vault');
    const dir = await started([vault.spec]);
    model(dir, '0.9');
    await settled(dir, 1);
    expect((await backup(dir))[0]).toMatchObject({ ok: true });
    const manifest = readFileSync(join(vault.folder, 'axum-backup.json'));

    model(dir, '0.95', { big: 'yes\n' });
    await settled(dir, 2);
    const child = spawn(process.execPath, [join(ROOT, 'bin', 'axum'), 'backup', '--json', '--repo', dir], { env: { ...process.env, AXUM_SSH_CONFIG: suite.lab.config }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    // rsync writes each file under a temp name (`.<name>.XXXXXX`) in objects/ and renames it whole:
    // cut the connection once the 30 MB blob's temp file holds more than 1 MB of it (no other object is that big).
    let done = false;
    void exited.then(() => (done = true));
    const partials = () => objects(vault.folder).filter((name) => name.startsWith('.')).map((name) => statSync(join(vault.folder, 'objects', name), { throwIfNoEntry: false })?.size ?? 0);
    while (!partials().some((size) => size > 1_000_000)) {
      if (done) throw new Error(`the backup ended before the blob was seen in transfer: ${stdout}`);
      await new Promise((r) => setTimeout(r, 2));
    }
    const cutAt = partials();
    await suite.lab.cut('vault');
    expect(await exited).toBe(1);
    const report = (JSON.parse(stdout) as { targets: TargetReport[] }).targets[0]!;
    expect(report.ok).toBe(false);
    expect(report.error).toMatch(new RegExp(`${vault.spec}.*rsync`));
    console.log(`FIGURE ssh backup network cut: the blob's temp copy held ${Math.max(...cutAt)} of 30,000,000 bytes when cut; ${report.error}`);
    expect(readFileSync(join(vault.folder, 'axum-backup.json'))).toEqual(manifest);

    await suite.lab.start('vault');
    const clone = freshClone(dir);
    await ok(['restore', '--from', vault.spec, '--repo', clone]);
    expect(served(clone)).toBe('0.9');
    // The next backup finishes and tidies what the cut left.
    expect((await backup(dir))[0]).toMatchObject({ ok: true });
    expect(objects(vault.folder).filter((name) => name.startsWith('.'))).toEqual([]);
    expect(readdirSync(vault.folder).filter((name) => name.startsWith('.'))).toEqual([]);

    // One byte of the big blob flipped at the target: refused naming it, nothing written.
    const blob = manifestOf(vault.folder).find((f) => f.path.startsWith('store/') && f.size === 30_000_000)!;
    const file = join(vault.folder, 'objects', blob.sha256);
    const bytes = readFileSync(file);
    bytes[12_345] = bytes[12_345]! ^ 0xff;
    rmSync(file, { force: true });
    writeFileSync(file, bytes);
    const other = freshClone(dir);
    const tampered = await run(['restore', '--from', vault.spec, '--repo', other]);
    expect(tampered.code).toBe(1);
    expect(tampered.stderr).toContain(`refused to restore from ${vault.spec}: store/sha256/${blob.sha256}`);
    expect(tampered.stderr).toContain('tampered or corrupt');
    expect(readdirSync(other)).not.toContain('.axum');
  }, 600_000);
});

// kill -9 during a backup to an SSH target (docs/backups.md; RELIABILITY.md): the daemon is
// killed while rsync sends a 30 MB object. The target keeps the previous manifest, and every object
// it names is there whole; the restarted daemon kills the dead one's rsync before anything else,
// the next `axum backup` completes, and `axum restore` from the target gives the newest model back.
// And the target itself refuses a manifest naming an object it lacks (what `inspect` saw may be
// gone by the time the manifest is published).
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sshBackupTarget, type HostSpec } from '@axum/protocol';
import { createSshBackupDestination } from '../packages/daemon/src/adapters/ssh-backup-destination.js';
import { ROOT, commitFiles, daemonPid, descendsFrom, isAlive, processesMatching } from './support/axum.js';
import { SSHD_MISSING } from './support/sshd.js';
import { sshdHostsSuite } from './support/sshd-hosts.js';
import { tinyModelConfig } from './support/tiny-model.js';

interface ManifestFile {
  path: string;
  sha256: string;
  size: number;
}

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

describe.skipIf(SSHD_MISSING !== null)(`kill -9 during a backup to a real sshd target${SSHD_MISSING ? ` (skipped: ${SSHD_MISSING})` : ''}`, () => {
  const suite = sshdHostsSuite(['vault'], { prefix: 'axum-ssh-backup-crash-', timeoutMs: 180_000 });
  const target = () => ({ spec: `${suite.host('vault').spec}/backup`, folder: join(suite.host('vault').root, 'backup') });
  const manifestOf = (folder: string): ManifestFile[] => (JSON.parse(readFileSync(join(folder, 'axum-backup.json'), 'utf8')) as { manifest: { files: ManifestFile[] } }).manifest.files;
  /** Every object the target's manifest names is there, its bytes hashing to its name. */
  function whole(folder: string): void {
    for (const file of manifestOf(folder)) {
      const object = join(folder, 'objects', file.sha256);
      expect(existsSync(object), `${file.path}: objects/${file.sha256}`).toBe(true);
      expect(sha256(readFileSync(object)), file.path).toBe(file.sha256);
    }
  }
  const served = (dir: string) => readFileSync(join(dir, '.axum', 'envs', 'staging', 'current', 'model', 'weights.txt'), 'utf8').trim();

  it('killed mid-rsync: the previous manifest stays, whole; no rsync of the dead daemon survives its restart; the next backup completes and restores', { timeout: 600_000 }, async () => {
    const vault = target();
    const config = tinyModelConfig(`backup: { to: [${vault.spec}], every: 24h }\n`).replace(
      'cp data.txt model/weights.txt',
      'cp data.txt model/weights.txt && if [ -f big ]; then head -c 30000000 /dev/urandom > model/big.bin; fi',
    );
    const dir = await suite.started(config);
    const settled = (count: number) => suite.settled(dir, count, { env: 'staging', timeoutMs: 90_000 });
    commitFiles(dir, 'model 0.9', { 'data.txt': '0.9\n' });
    await settled(1);
    await suite.ok(['backup', '--repo', dir]);
    const before = readFileSync(join(vault.folder, 'axum-backup.json'));

    commitFiles(dir, 'model 0.95', { 'data.txt': '0.95\n', big: 'yes\n' });
    await settled(2);
    const pid = daemonPid(dir)!;
    const child = spawn(process.execPath, [join(ROOT, 'bin', 'axum'), 'backup', '--json', '--repo', dir], { env: { ...process.env, AXUM_SSH_CONFIG: suite.lab.config }, stdio: ['ignore', 'ignore', 'ignore'] });
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    let done = false;
    void exited.then(() => (done = true));
    // rsync writes each object under a temp name in objects/ and renames it whole: kill the daemon
    // once the 30 MB object's temp file holds more than 1 MB of it.
    const partials = () => (existsSync(join(vault.folder, 'objects')) ? readdirSync(join(vault.folder, 'objects')) : []).filter((name) => name.startsWith('.')).map((name) => statSync(join(vault.folder, 'objects', name), { throwIfNoEntry: false })?.size ?? 0);
    while (!partials().some((size) => size > 1_000_000)) {
      if (done) throw new Error('the backup ended before the blob was seen in transfer');
      await new Promise((r) => setTimeout(r, 2));
    }
    process.kill(pid, 'SIGKILL');
    expect(await exited).not.toBe(0);
    // The dead daemon's rsync goes on by itself, as nothing kills it yet.
    const strays = processesMatching(suite.lab.config);
    expect(strays.length).toBeGreaterThan(0);
    expect(readFileSync(join(vault.folder, 'axum-backup.json'))).toEqual(before);
    whole(vault.folder);

    // The restarted daemon kills it before anything else; the next backup completes and tidies.
    await suite.ok(['daemon', 'start', '--repo', dir]);
    for (const stray of strays) expect(isAlive(stray), `rsync ${stray} of the dead daemon`).toBe(false);
    const report = JSON.parse(await suite.ok(['backup', '--json', '--repo', dir])) as { targets: { ok: boolean; error: string | null }[] };
    expect(report.targets[0], report.targets[0]?.error ?? '').toMatchObject({ ok: true });
    expect(manifestOf(vault.folder).some((f) => f.size === 30_000_000)).toBe(true);
    whole(vault.folder);
    expect(readdirSync(join(vault.folder, 'objects')).filter((name) => name.startsWith('.'))).toEqual([]);
    expect(readdirSync(vault.folder).filter((name) => name.startsWith('.'))).toEqual([]);
    // What is left is the new daemon's own shared connection to the target (a child of it), nothing else.
    const daemon = daemonPid(dir)!;
    const isMaster = (pid: number) => { try { return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('ControlMaster=yes'); } catch { return false; } };
    expect(processesMatching(suite.lab.config).filter((pid) => !(descendsFrom(pid, daemon) && isMaster(pid)) && isAlive(pid))).toEqual([]);

    const clone = suite.track(join(mkdtempSync(join(tmpdir(), 'axum-e2e-')), 'clone'));
    execFileSync('git', ['clone', '-q', dir, clone]);
    expect(await suite.ok(['restore', '--from', vault.spec, '--repo', clone])).toContain('verified by sha256');
    expect(served(clone)).toBe('0.95');
  });

  it('the target refuses a manifest naming an object it lacks: the previous manifest stays', { timeout: 120_000 }, async () => {
    const vault = target();
    const host = sshBackupTarget(vault.spec) as HostSpec;
    const stateDir = mkdtempSync(join(tmpdir(), 'axum-ssh-backup-state-'));
    try {
      const destination = createSshBackupDestination(host, { stateDir, configFile: suite.lab.config });
      const noCrash = () => undefined;
      await destination.publish('{"first":true}\n', '20261204T120000000Z', noCrash, []);
      expect(readFileSync(join(vault.folder, 'axum-backup.json'), 'utf8')).toBe('{"first":true}\n');
      const lacking = { path: 'store/sha256/x', sha256: 'a'.repeat(64), size: 3 };
      await expect(destination.publish('{"second":true}\n', '20261204T120100000Z', noCrash, [lacking])).rejects.toThrow(`the object objects/${'a'.repeat(64)} 3 (sha256, bytes) is not in the target`);
      expect(readFileSync(join(vault.folder, 'axum-backup.json'), 'utf8')).toBe('{"first":true}\n');
      expect(existsSync(join(vault.folder, 'snapshots', '20261204T120100000Z.json'))).toBe(false);
    } finally {
      rmSync(stateDir, { recursive: true, force: true });
    }
  });
});

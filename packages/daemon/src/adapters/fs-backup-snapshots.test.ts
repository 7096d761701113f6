// Snapshots at a backup target (docs/backups.md): the newest `keep` backups are kept, sharing
// objects; older ones and the objects only they named go after the new manifest is published.
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { snapshotFile } from '../domain/backup-manifest.js';
import { listSnapshots } from './backup-targets.js';
import { createBackupWriter } from './backup-writer.js';
import { createFsBackupDestination } from './fs-backup-destination.js';
import { verifyBackup } from './fs-backup-reader.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
const temp = () => {
  const dir = mkdtempSync(join(tmpdir(), 'axum-snapshots-unit-'));
  dirs.push(dir);
  return dir;
};
const sha = (text: string) => createHash('sha256').update(text).digest('hex');

/** A `.axum/` whose releases history names exactly `contents` (one blob each). */
function stateWith(stateDir: string, contents: string[]): void {
  mkdirSync(join(stateDir, 'store', 'sha256'), { recursive: true });
  mkdirSync(join(stateDir, 'history', 'envs'), { recursive: true });
  const releases = contents.map((content, i) => {
    const blob = join(stateDir, 'store', 'sha256', sha(content));
    rmSync(blob, { force: true });
    writeFileSync(blob, content);
    chmodSync(blob, 0o444);
    return { id: `rel-${i + 1}`, artifacts: [{ path: 'model.bin', sha256: sha(content), size: content.length }] };
  });
  writeFileSync(join(stateDir, 'history', 'releases.json'), JSON.stringify({ version: 1, releases }));
}

describe('backup snapshots at a target', () => {
  it('keeps the newest `keep`, restorable each; an object only a dropped snapshot named is removed', async () => {
    const stateDir = join(temp(), '.axum');
    const target = temp();
    const hours = ['10', '11', '12'];
    let hour = 0;
    const writer = createBackupWriter({ stateDir, repoRoot: '/repo', now: () => new Date(`2026-12-04T${hours[hour]}:00:00.000Z`), destinationFor: (t) => createFsBackupDestination(t) });
    // Each backup's history names one model only (retention pruned the one before).
    for (const [i, model] of ['model one', 'model two', 'model three'].entries()) {
      hour = i;
      stateWith(stateDir, [model]);
      expect((await writer.backup(target, 2)).ok).toBe(true);
    }
    expect(readdirSync(join(target, 'snapshots')).sort()).toEqual(['20261204T110000000Z.json', '20261204T120000000Z.json']);
    const objects = readdirSync(join(target, 'objects'));
    expect(objects).not.toContain(sha('model one'));
    expect(objects).toContain(sha('model two'));
    const older = await verifyBackup(target, target, { deep: true, manifest: snapshotFile('20261204T110000000Z') });
    expect(older.ok && older.manifest.files.find((f) => f.path.startsWith('store/'))?.sha256).toBe(sha('model two'));
    const gone = await verifyBackup(target, target, { deep: true, manifest: snapshotFile('20261204T100000000Z') });
    expect(gone.ok ? '' : gone.problem).toContain('no such snapshot');

    const listed = listSnapshots(await createFsBackupDestination(target).inspect());
    expect(listed.map((s) => [s.id, s.newest])).toEqual([
      ['20261204T120000000Z', true],
      ['20261204T110000000Z', false],
    ]);
  });
});

import { describe, expect, it } from 'vitest';
import { manifestProblems, planSend, restorePathProblem, snapshotId, snapshotsToKeep, type BackupManifest } from './backup-manifest.js';

const sha = (c: string) => c.repeat(64);

describe('restorePathProblem', () => {
  it('accepts exactly the files a backup takes', () => {
    for (const path of ['history/releases.json', 'history/runs.json', 'history/envs/staging.json', 'releases/rel-12/manifest.json', 'releases/rel-3-2/manifest.json', 'release-counter', `store/sha256/${sha('a')}`, 'runs/run-12/logs/train.log', 'runs/run-12/logs/train.times', 'runs/deploy-staging-3-1764842400000/logs/smoke.log']) {
      expect(restorePathProblem(path), path).toBeNull();
    }
  });

  it('refuses anything else: climbing out, pid and token files, current links, metrics files, odd names', () => {
    for (const path of ['../.bashrc', 'history/../../x', '/etc/passwd', 'daemon.pid', 'envs/staging/current', 'history/envs/../releases.json', 'history/envs/.hidden.json', 'releases/evil/manifest.json', 'releases/rel-1/files/model.bin', 'store/sha256/ABC', 'history/releases.json/', 'runs/run-1/metrics.env', 'runs/../logs/x.log', 'runs/run-1/logs/../../daemon.pid', 'runs/run-1/logs/.x.log', 'runs/run-1/logs/train.log.masking', 'runs/run-1/logs/train']) {
      expect(restorePathProblem(path), path).not.toBeNull();
    }
  });
});

describe('manifestProblems', () => {
  const manifest = (files: BackupManifest['files']): BackupManifest => ({ version: 1, repository: '/r', createdAt: 't', files });
  it('needs the releases history, refuses duplicates and a blob listed under another hash', () => {
    expect(manifestProblems(manifest([{ path: 'history/releases.json', sha256: sha('1'), size: 2 }]))).toEqual([]);
    expect(manifestProblems(manifest([]))).toEqual(['it holds no releases history (history/releases.json)']);
    const twice = manifest([{ path: 'history/releases.json', sha256: sha('1'), size: 2 }, { path: 'history/releases.json', sha256: sha('2'), size: 2 }]);
    expect(manifestProblems(twice)).toEqual(['"history/releases.json" is listed twice']);
    const lying = manifest([{ path: 'history/releases.json', sha256: sha('1'), size: 2 }, { path: `store/sha256/${sha('a')}`, sha256: sha('b'), size: 2 }]);
    expect(manifestProblems(lying)[0]).toContain('not its own name');
  });
});

describe('planSend', () => {
  it('sends what the target lacks, once per content, and counts the rest as already there', () => {
    const files = [
      { path: 'history/releases.json', sha256: sha('1'), size: 10 },
      { path: `store/sha256/${sha('a')}`, sha256: sha('a'), size: 1000 },
      { path: `store/sha256/${sha('b')}`, sha256: sha('b'), size: 500 },
      { path: 'history/envs/a.json', sha256: sha('2'), size: 7 },
      { path: 'history/envs/b.json', sha256: sha('2'), size: 7 },
    ];
    const plan = planSend(files, new Set([sha('a')]));
    expect(plan.send.map((f) => f.sha256)).toEqual([sha('1'), sha('b'), sha('2')]);
    expect(plan.present).toEqual({ files: 1, bytes: 1000 });
  });

  it('counts what is already there in objects too, as it counts what it sends: one per content', () => {
    const files = [
      { path: 'runs/run-1/logs/a.log', sha256: sha('e'), size: 0 },
      { path: 'runs/run-2/logs/a.log', sha256: sha('e'), size: 0 },
      { path: 'history/envs/a.json', sha256: sha('2'), size: 7 },
      { path: 'history/envs/b.json', sha256: sha('2'), size: 7 },
      { path: 'history/releases.json', sha256: sha('1'), size: 10 },
    ];
    const plan = planSend(files, new Set([sha('e'), sha('2')]));
    expect(plan.present).toEqual({ files: 2, bytes: 7 });
    expect(plan.send.length + plan.present.files).toBe(new Set(files.map((f) => f.sha256)).size);
  });
});

describe('snapshotsToKeep', () => {
  it('keeps the newest `keep` snapshot ids and drops the rest; other names are left alone', () => {
    const ids = ['20261204T100000000Z', '20261204T120000000Z', '20261204T110000000Z', 'notes', '../x'];
    expect(snapshotsToKeep(ids, 2)).toEqual({ kept: ['20261204T120000000Z', '20261204T110000000Z'], dropped: ['20261204T100000000Z'] });
    expect(snapshotsToKeep(ids, 10).dropped).toEqual([]);
    expect(snapshotsToKeep(ids, 0).kept).toEqual(['20261204T120000000Z']);
    expect(snapshotId('2026-12-04T10:00:00.000Z')).toBe('20261204T100000000Z');
  });
});

import { describe, expect, it } from 'vitest';
import { manifestBlocks } from './ssh-backup-destination.js';

describe('manifestBlocks (what an SSH target printed of its manifests)', () => {
  it('splits the object listing from each manifest, texts exact', () => {
    const out = `aaa\nbbb\n\n=== axum-backup.json\n{"manifest":1}\n\n=== snapshots/20261204T100000000Z.json\n{"manifest":0}\n`;
    const { head, blocks } = manifestBlocks(out);
    expect(head.split('\n').filter(Boolean)).toEqual(['aaa', 'bbb']);
    expect([...blocks]).toEqual([
      ['axum-backup.json', '{"manifest":1}\n'],
      ['snapshots/20261204T100000000Z.json', '{"manifest":0}\n'],
    ]);
  });

  it('reads a folder with no backup yet, and one with no objects', () => {
    expect(manifestBlocks('')).toEqual({ head: '', blocks: new Map() });
    expect(manifestBlocks('\n=== axum-backup.json\n{}\n').blocks.get('axum-backup.json')).toBe('{}\n');
  });
});

import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeTokenFile } from './runtime-dir.js';

const fullDisk = () => {
  throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
};

describe('writeTokenFile', () => {
  it('writes a 0600 token file whole, replacing one a killed daemon left', () => {
    const dir = mkdtempSync(join(tmpdir(), 'axum-token-'));
    const file = join(dir, 'token');
    writeFileSync(file, 'old\n', { mode: 0o600 });
    const token = writeTokenFile(file);
    expect(readFileSync(file, 'utf8')).toBe(`${token}\n`);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir)).toEqual(['token']);
  });

  it('on a full disk leaves no empty token file and no temp file behind', () => {
    const dir = mkdtempSync(join(tmpdir(), 'axum-token-'));
    const file = join(dir, 'token');
    expect(() => writeTokenFile(file, fullDisk)).toThrow('ENOSPC');
    expect(readdirSync(dir)).toEqual([]);
  });
});

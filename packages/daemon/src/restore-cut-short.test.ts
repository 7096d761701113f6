import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { restoreCutShort } from './restore-main.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('restoreCutShort (the daemon refuses a half-restored .axum)', () => {
  it('is null without the marker, and names the backup and the command to finish with it', () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'axum-restore-marker-'));
    dirs.push(stateDir);
    expect(restoreCutShort(stateDir)).toBeNull();
    writeFileSync(join(stateDir, 'restore-in-progress'), '/mnt/nas/axum\n');
    expect(restoreCutShort(stateDir)).toBe(`a restore from /mnt/nas/axum was cut short: ${stateDir} is not whole; run axum restore --from /mnt/nas/axum again to finish it (or move ${stateDir} aside)`);
  });

  it('never passes control characters on to a terminal', () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'axum-restore-marker-'));
    dirs.push(stateDir);
    writeFileSync(join(stateDir, 'restore-in-progress'), '/mnt/\u001b]52;c;SGVsbG8=\u0007x\n');
    expect(restoreCutShort(stateDir)).toContain('a restore from /mnt/?]52;c;SGVsbG8=?x was cut short');
  });
});

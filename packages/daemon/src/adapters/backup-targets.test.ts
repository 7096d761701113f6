import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { backupDestinationFor } from './backup-targets.js';

describe('backupDestinationFor', () => {
  const repoRoot = mkdtempSync(join(tmpdir(), 'axum-targets-'));
  const options = { repoRoot, stateDir: join(repoRoot, '.axum') };

  it('refuses an absolute folder inside the work tree (the config check cannot know the root)', () => {
    expect(() => backupDestinationFor(join(repoRoot, 'backups'), options)).toThrow(/backups is inside the repository/);
    expect(() => backupDestinationFor(repoRoot, options)).toThrow(/inside the repository/);
    expect(() => backupDestinationFor(join(repoRoot, '..backup'), options)).toThrow(/inside the repository/);
  });

  it('takes a folder beside or outside the repository', () => {
    expect(backupDestinationFor('../beside', options)).toBeTruthy();
    expect(backupDestinationFor(join(tmpdir(), 'elsewhere'), options)).toBeTruthy();
  });
});

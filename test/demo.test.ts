import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { axum, processesMatching } from './support/axum.js';

describe('axum demo (headless)', () => {
  it('plays the whole story, every expectation holds, and it leaves no process and no folder behind', async () => {
    const parent = mkdtempSync(join(tmpdir(), 'axum-demo-test-'));
    const dir = join(parent, 'story');
    try {
      const result = await axum(['demo', '--headless', '--dir', dir], { timeoutMs: 180_000 });
      expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(0);
      expect(result.stdout).toMatch(/^requests: [1-9]\d* sent, 0 failed$/m);
      expect(result.stdout).toContain('ok   the bad model failed verification on staging');
      expect(result.stdout).toContain("ok   staging's current holds the last known good's files");
      expect(result.stdout).toContain('demo: all 7 expectations held');
      expect(existsSync(dir)).toBe(false);
      expect(processesMatching(dir)).toEqual([]);
    } finally {
      rmSync(parent, { recursive: true, force: true });
    }
  }, 200_000);

  it('refuses a --dir that is not empty, touching nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'axum-demo-full-'));
    mkdirSync(join(dir, 'precious'));
    writeFileSync(join(dir, 'precious', 'file'), 'keep me');
    try {
      const result = await axum(['demo', '--headless', '--dir', dir]);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain('is not empty');
      expect(existsSync(join(dir, 'precious', 'file'))).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

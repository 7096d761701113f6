import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createCatFile } from './git-cat-file.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function repoWithCommit(): { dir: string; sha: string } {
  const dir = mkdtempSync(join(tmpdir(), 'axum-cat-file-'));
  dirs.push(dir);
  const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', ...args], { cwd: dir, encoding: 'utf8' }).trim();
  git('init', '-q', '-b', 'main');
  writeFileSync(join(dir, 'a.txt'), 'a\n');
  git('add', '-A');
  git('commit', '-qm', 'first');
  return { dir, sha: git('rev-parse', 'HEAD') };
}

/** Child processes that keep this process's event loop alive. */
const processesHeld = () => process.getActiveResourcesInfo().filter((r) => r === 'ProcessWrap').length;

describe('git cat-file --batch, one process for many reads', () => {
  it('keeps the event loop alive while a read waits (a starting daemon with nothing else pending exited), and not once idle', async () => {
    const { dir, sha } = repoWithCommit();
    const catFile = createCatFile(dir, { PATH: process.env.PATH ?? '' });
    const before = processesHeld();
    const read = catFile.read('refs/heads/main');
    expect(processesHeld()).toBe(before + 1);
    expect((await read)?.sha).toBe(sha);
    expect(processesHeld()).toBe(before);
    // Two at once: held until the last is answered.
    const first = catFile.read('HEAD^{commit}');
    const second = catFile.read('refs/heads/nope');
    expect(processesHeld()).toBe(before + 1);
    expect((await first)?.sha).toBe(sha);
    expect(await second).toBeNull();
    expect(processesHeld()).toBe(before);
    catFile.close();
  });
});

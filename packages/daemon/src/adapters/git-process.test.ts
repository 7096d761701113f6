import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createGitRunner } from './git-process.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function repo(): string {
  const dir = mkdtempSync(join(tmpdir(), 'axum-git-process-'));
  dirs.push(dir);
  const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, stdio: 'ignore' });
  git('init', '-q', '-b', 'main');
  writeFileSync(join(dir, 'a.txt'), 'a\n');
  git('add', '-A');
  git('-c', 'user.email=t@axum.test', '-c', 'user.name=T', 'commit', '-q', '-m', 'first line\n\nbody');
  return dir;
}

const env = (): Record<string, string> => ({ PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' });

describe('createGitRunner', () => {
  it("answers git's output, and passes each config entry as -c before the command", async () => {
    const dir = repo();
    const git = createGitRunner(dir, env(), ['core.hooksPath=/dev/null', 'axum.probe=yes']);
    expect(await git.raw(['log', '-1', '--format=%s'])).toBe('first line\n');
    expect(await git.raw(['config', '--get', 'axum.probe'])).toBe('yes\n');
  });

  it('rejects with git\'s stderr when git fails, and answers a silent non-zero exit with its output', async () => {
    const dir = repo();
    const git = createGitRunner(dir, env(), []);
    await expect(git.raw(['show', 'HEAD:missing.txt'])).rejects.toThrow(/missing\.txt/);
    // `--quiet`: exit 1, nothing on stderr: "none", as callers read it.
    expect(await git.raw(['rev-parse', '--verify', '--quiet', 'no-such-branch^{commit}'])).toBe('');
  });

  it('runs at most maxProcesses git processes at once, and every command in the end', async () => {
    const dir = repo();
    // Each git runs a shell alias that records its start, waits until told, then records its end:
    // the most that ever overlapped is read from the record, no timing involved.
    const record = join(dir, '..', `${dir.split('/').pop()}-record`);
    dirs.push(record);
    writeFileSync(record, '');
    const gate = `${record}.go`;
    dirs.push(gate);
    const alias = `!f() { echo start >> '${record}'; while [ ! -e '${gate}' ]; do sleep 0.01; done; echo end >> '${record}'; }; f`;
    const git = createGitRunner(dir, env(), [`alias.hold=${alias}`], 2);
    const all = Promise.all(Array.from({ length: 5 }, () => git.raw(['hold'])));
    const started = () => readFileSync(record, 'utf8').split('\n').filter((line) => line === 'start').length;
    while (started() < 2) await new Promise((r) => setTimeout(r, 20));
    // Held at the gate a while: a runner without the limit starts the other three meanwhile.
    await new Promise((r) => setTimeout(r, 300));
    expect(started()).toBe(2);
    writeFileSync(gate, '');
    await all;
    let open = 0;
    let most = 0;
    for (const line of readFileSync(record, 'utf8').split('\n')) {
      if (line === 'start') most = Math.max(most, ++open);
      if (line === 'end') open--;
    }
    expect(most).toBe(2);
    expect(readFileSync(record, 'utf8').split('\n').filter((line) => line === 'end')).toHaveLength(5);
  });
});

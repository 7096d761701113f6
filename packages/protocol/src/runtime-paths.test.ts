import { chmodSync, chownSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ownFileProblem, ownSocketProblem, privateDirProblem, repositoryKey, runtimePathsFor } from './runtime-paths.js';

const uid = typeof process.getuid === 'function' ? process.getuid() : 0;

describe('runtimePathsFor', () => {
  it('keeps the socket under 100 bytes and the worktrees inside the runtime folder', () => {
    const paths = runtimePathsFor('/'.padEnd(250, 'a'), { AXUM_RUNTIME_DIR: '/tmp/rt' }, 1000);
    expect(paths.dir).toMatch(/^\/tmp\/rt\/axum-1000-[0-9a-f]{16}$/);
    expect(paths.workDir).toBe(join(paths.dir, 'work'));
    expect(Buffer.byteLength(paths.socket)).toBeLessThan(100);
  });

  it('with no runtime variable, picks a folder in the home, not a name another user can make first in /tmp', () => {
    const key = repositoryKey('/src/repo');
    expect(runtimePathsFor('/src/repo', { HOME: '/home/ann' }, 1000)).toMatchObject({ dir: `/home/ann/.cache/axum/run/${key}`, base: null });
    expect(runtimePathsFor('/src/repo', { HOME: '/home/ann', XDG_RUNTIME_DIR: '/run/user/1000' }, 1000)).toMatchObject({ dir: `/run/user/1000/axum-1000-${key}`, base: null });
    expect(runtimePathsFor('/src/repo', { HOME: '/home/ann', XDG_RUNTIME_DIR: '/run/user/1000', AXUM_RUNTIME_DIR: '/rt' }, 1000).dir).toBe(`/rt/axum-1000-${key}`);
  });

  it('a home too long for a socket path, or none: a per-user base in the temporary folder, checked as the folder is', () => {
    const key = repositoryKey('/src/repo');
    const userBase = join(tmpdir(), 'axum-1000');
    for (const env of [{ HOME: `/home/${'a'.repeat(90)}` }, {}]) {
      const paths = runtimePathsFor('/src/repo', env, 1000);
      expect(paths).toMatchObject({ dir: join(userBase, key), base: userBase, socket: join(userBase, key, 'daemon.sock') });
    }
  });
});

describe('privateDirProblem', () => {
  const base = () => mkdtempSync(join(tmpdir(), 'axum-priv-'));

  it('accepts a 0700 folder of ours and says what is wrong with any other', () => {
    const dir = join(base(), 'rt');
    expect(privateDirProblem(dir)).toBe('missing');
    mkdirSync(dir, { mode: 0o700 });
    expect(privateDirProblem(dir)).toBeNull();
    chmodSync(dir, 0o777);
    expect(privateDirProblem(dir)).toBe(`folder ${dir} has mode 0777, wider than 0700; refusing to use it (run: chmod 700 ${dir})`);
    const link = join(base(), 'link');
    symlinkSync(dir, link);
    expect(privateDirProblem(link)).toContain(`${link} is a symlink`);
  });

  it.runIf(uid === 0)('refuses a folder another user made, even 0700', () => {
    const dir = join(base(), 'theirs');
    mkdirSync(dir, { mode: 0o700 });
    chownSync(dir, 65534, 65534);
    expect(privateDirProblem(dir, { uid: 0 })).toContain(`${dir} belongs to uid 65534, not to you (uid 0); refusing to use it`);
  });
});

describe('ownSocketProblem and ownFileProblem', () => {
  it('accept our socket and file; refuse a symlink, a plain file as socket, and another owner', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'axum-own-'));
    const socket = join(dir, 's.sock');
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(socket, resolve));
    try {
      expect(ownSocketProblem(socket)).toBeNull();
      const file = join(dir, 'token');
      writeFileSync(file, 't\n');
      expect(ownFileProblem(file)).toBeNull();
      expect(ownSocketProblem(file)).toContain('is not a socket');
      symlinkSync(file, join(dir, 'link'));
      expect(ownFileProblem(join(dir, 'link'))).toContain('is not a regular file');
      if (uid === 0) {
        chownSync(file, 65534, 65534);
        expect(ownFileProblem(file)).toContain('belongs to uid 65534');
      }
    } finally {
      server.close();
    }
  });
});
